"""Call backs: instead of waiting in the chat, a citizen books a call at a chosen time.

Slots are every CALLBACK_SLOT_MINUTES within the operator hours of the default business
calendar (working days, holidays and transfer days included), from CALLBACK_LEAD_MINUTES
after now up to CALLBACK_DAYS_AHEAD days ahead, each for at most CALLBACK_SLOT_CAPACITY
call backs (counted under a per-slot lock). A booking confirms the phone (the
profile's by default, +7 only), posts a confirmation in the chat and notifies the citizen
through the outbox. One open call back per citizen and appeal (a database constraint).

When its time comes the beat sweep (`callbacks_sweep`, safe to overlap: SKIP LOCKED and
a conditional status) makes it due and offers it to the online operators of the queue
(a `callback` frame on their desks); the desk's list of due call backs shows the phone,
and the operator records "called" or "no answer". One nobody made within
CALLBACK_GRACE_MINUTES of its time expires in the same sweep, and the citizen is told.
Every step is a TicketEvent on the appeal. The phone is personal data: chat.privacy
exports and erases call backs."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber, to_python

from chat.models import OPEN_CALLBACK_STATUSES, CallbackRequest, CallbackStatus
from chat.realtime import operator_group, send_to_group
from gosupport.calendar import WorkingCalendar
from gosupport.models import User
from gosupport.notifications import notify_contact
from gosupport.privacy import personal_data_processing_check
from tickets.models import AuthorKind, Channel, EventKind, Ticket
from tickets.routing import operators_online_for
from tickets.selectors import tickets_visible_to
from tickets.services import TransitionForbidden, message_add, ticket_event_record

SWEEP_LIMIT = 200
# The first key of the PostgreSQL advisory lock a booking takes on its slot (the second is
# the slot's minute); nothing else in gosupport takes advisory locks.
SLOT_LOCK_KEY = 0xCB
OUTCOMES = (CallbackStatus.DONE, CallbackStatus.MISSED)


class CallbackConflict(TransitionForbidden):
    """The call back cannot change this way now (the API answers 409)."""


# --- slots


def _calendar() -> WorkingCalendar:
    return WorkingCalendar.from_model(None)


def callback_slots(*, now: datetime | None = None) -> list[datetime]:
    """The times a citizen may choose, earliest first: those not yet fully booked."""
    if settings.CALLBACK_SLOT_CAPACITY < 1:  # call backs are switched off
        return []
    times = _slot_times(now or timezone.now())
    full = _full_slots(times)
    return [moment for moment in times if moment not in full]


def _full_slots(times: list[datetime]) -> set[datetime]:
    if not times:
        return set()
    booked = (
        CallbackRequest.objects.filter(status__in=OPEN_CALLBACK_STATUSES, scheduled_at__range=(times[0], times[-1]))
        .order_by()
        .values("scheduled_at")
        .annotate(booked=Count("pk"))
        .filter(booked__gte=settings.CALLBACK_SLOT_CAPACITY)
    )
    return {row["scheduled_at"] for row in booked}


def _slot_times(now: datetime) -> list[datetime]:
    """Every time within operator hours in the booking window, booked up or not."""
    calendar = _calendar()
    step = timedelta(minutes=settings.CALLBACK_SLOT_MINUTES)
    earliest = now + timedelta(minutes=settings.CALLBACK_LEAD_MINUTES)
    latest = now + timedelta(days=settings.CALLBACK_DAYS_AHEAD)
    day, last_day = earliest.astimezone(calendar.tz).date(), latest.astimezone(calendar.tz).date()
    slots = []
    while day <= last_day:
        if calendar.is_working_day(day):
            slots.extend(_day_slots(calendar, day, step, earliest, latest))
        day += timedelta(days=1)
    return slots


def _day_slots(calendar: WorkingCalendar, day, step: timedelta, earliest: datetime, latest: datetime):
    start, close = calendar.working_hours(day)
    while start + step <= close:
        if earliest <= start <= latest:
            yield start
        start += step


def _time_error(scheduled_at: datetime, now: datetime) -> str | None:
    """Why a time cannot be booked, in the citizen's words; None when it is one of the slots."""
    if timezone.is_naive(scheduled_at):
        return _("Give the time with its time zone offset.")
    if scheduled_at <= now:
        return _("This time has already passed. Choose one of the offered times.")
    if scheduled_at > now + timedelta(days=settings.CALLBACK_DAYS_AHEAD):
        return _("A call back can be booked at most %(days)s days ahead.") % {"days": settings.CALLBACK_DAYS_AHEAD}
    if not _calendar().is_open(scheduled_at):
        return _("Operators do not work at that time. Choose a time within operator hours.")
    if scheduled_at < now + timedelta(minutes=settings.CALLBACK_LEAD_MINUTES):
        return _("The earliest call back is %(minutes)s minutes from now.") % {
            "minutes": settings.CALLBACK_LEAD_MINUTES
        }
    if scheduled_at not in _slot_times(now):
        return _("Choose one of the offered times.")
    return None


def _phone_of(value: str, citizen: User) -> tuple[PhoneNumber | None, str | None]:
    """The number to call (the profile's when none is given), or why it will not do."""
    raw = (value or "").strip() or (str(citizen.phone) if citizen.phone else "")
    if not raw:
        return None, _("Give a phone number we can call.")
    number = to_python(raw, region="RU")
    if not number or not number.is_valid() or number.country_code != 7:
        return None, _("Give a Russian phone number: +7 and ten digits.")
    return number, None


def _validated(*, scheduled_at: datetime, phone: str, citizen: User, now: datetime) -> PhoneNumber:
    number, phone_error = _phone_of(phone, citizen)
    errors = {"scheduled_at": _time_error(scheduled_at, now), "phone": phone_error}
    errors = {field: message for field, message in errors.items() if message}
    if errors:
        raise ValidationError(errors)
    return number


# --- words


def callback_time_text(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def masked_phone(phone) -> str:
    """+7 *** ***-45-67: enough for the citizen to recognise, little for anybody else."""
    digits = "".join(ch for ch in str(phone) if ch.isdigit())
    return f"+7 *** ***-{digits[-4:-2]}-{digits[-2:]}" if len(digits) >= 4 else "+7"


def _system_message(ticket: Ticket, text: str) -> None:
    message_add(ticket=ticket, author=None, author_kind=AuthorKind.SYSTEM, text=text)


def _notify_citizen(callback: CallbackRequest, *, subject: str, body: str) -> None:
    citizen = callback.citizen
    notify_contact(
        email=citizen.email,
        phone=callback.phone.as_e164,
        subject=subject,
        body=body,
        user=citizen,
        reference=callback.ticket.number,
    )


# --- the citizen books and cancels


def callback_book(*, ticket: Ticket, citizen: User, scheduled_at: datetime, phone: str = "") -> CallbackRequest:
    """Book a call back about the citizen's chat; nothing is stored when anything is wrong."""
    if ticket.citizen_id != citizen.pk:
        raise PermissionDenied(_("Only the citizen of the chat can book a call back."))
    if ticket.channel != Channel.CHAT:
        raise ValidationError(_("A call back can be booked from a chat only."))
    personal_data_processing_check(user=citizen)
    now = timezone.now()
    number = _validated(scheduled_at=scheduled_at, phone=phone, citizen=citizen, now=now)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if not locked.is_open:
            raise CallbackConflict(_("This chat is closed. Please open a new one."))
        callback = _create(locked, citizen, number, scheduled_at, now)
        _after_booking(callback)
    return callback


def _create(ticket: Ticket, citizen: User, phone: PhoneNumber, scheduled_at: datetime, now) -> CallbackRequest:
    already = _("You already have a call back booked for this chat. Cancel it to choose another time.")
    if CallbackRequest.objects.filter(ticket=ticket, citizen=citizen, status__in=OPEN_CALLBACK_STATUSES).exists():
        raise CallbackConflict(already)
    _slot_place_check(scheduled_at)
    try:
        with transaction.atomic():
            return CallbackRequest.objects.create(
                ticket=ticket, citizen=citizen, phone=phone, scheduled_at=scheduled_at, created_at=now
            )
    except IntegrityError:  # the same booking sent twice at once: the constraint keeps one
        raise CallbackConflict(already) from None


def _slot_place_check(scheduled_at: datetime) -> None:
    """Refuse a slot that has no place left; the lock holds until the booking commits."""
    _slot_lock(scheduled_at)
    if _booked_at(scheduled_at) >= settings.CALLBACK_SLOT_CAPACITY:
        message = _("Every call back at this time is already booked. Choose another time.")
        raise ValidationError({"scheduled_at": ValidationError(message, code="slot_full")})


def _slot_lock(scheduled_at: datetime) -> None:
    """Bookings of one slot wait here for each other until commit, so the count after it sees
    every booking made before. SQLite needs none: every transaction there is IMMEDIATE (one
    writer at a time), so its check-then-insert cannot interleave."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [SLOT_LOCK_KEY, int(scheduled_at.timestamp()) // 60])


def _booked_at(scheduled_at: datetime) -> int:
    return CallbackRequest.objects.filter(scheduled_at=scheduled_at, status__in=OPEN_CALLBACK_STATUSES).count()


def _after_booking(callback: CallbackRequest) -> None:
    when, phone = callback_time_text(callback.scheduled_at), masked_phone(callback.phone)
    ticket_event_record(
        ticket=callback.ticket,
        kind=EventKind.CALLBACK,
        actor=callback.citizen,
        comment=_("Call back booked for %(when)s.") % {"when": when},
        data={"callback": callback.pk, "status": callback.status, "scheduled_at": callback.scheduled_at.isoformat()},
    )
    text = _("We will call you back at %(phone)s on %(when)s. You can cancel the call back on this page.") % {
        "phone": phone,
        "when": when,
    }
    _system_message(callback.ticket, text)
    _notify_citizen(
        callback,
        subject=_("Call back booked: appeal %(number)s") % {"number": callback.ticket.number},
        body=_("We will call you back at %(phone)s on %(when)s about appeal No. %(number)s.")
        % {"phone": phone, "when": when, "number": callback.ticket.number},
    )


def callback_cancel(*, callback: CallbackRequest, citizen: User) -> CallbackRequest:
    if callback.citizen_id != citizen.pk:
        raise PermissionDenied(_("Only the citizen who booked the call back can cancel it."))
    now = timezone.now()
    with transaction.atomic():
        locked = CallbackRequest.objects.select_for_update().select_related("ticket").get(pk=callback.pk)
        if not locked.is_open:
            raise CallbackConflict(_("This call back is no longer booked."))
        _close(locked, CallbackStatus.CANCELLED, now, actor=citizen, comment=_("The citizen cancelled the call back."))
        _system_message(locked.ticket, _("The call back is cancelled."))
    return locked


# --- the sweep and the operators


def callbacks_sweep(*, now: datetime | None = None) -> int:
    """Open call backs nobody made within CALLBACK_GRACE_MINUTES of their time expire (the
    citizen is told); booked ones whose time has come become due and are offered to the
    queue's online operators. How many changed."""
    now = now or timezone.now()
    overdue = now - timedelta(minutes=settings.CALLBACK_GRACE_MINUTES)
    expired = _each_locked(
        CallbackRequest.objects.filter(status__in=OPEN_CALLBACK_STATUSES, scheduled_at__lte=overdue), _expire, now
    )
    made_due = _each_locked(
        CallbackRequest.objects.filter(status=CallbackStatus.REQUESTED, scheduled_at__lte=now), _make_due, now
    )
    return expired + made_due


def _each_locked(candidates, step, now: datetime) -> int:
    """Apply `step` to each candidate, each in its own transaction. A row another sweep holds
    is skipped and one that no longer matches (the operator called meanwhile) is left, so two
    sweeps at once change each call back once."""
    ids = list(candidates.order_by("scheduled_at").values_list("pk", flat=True)[:SWEEP_LIMIT])
    changed = 0
    for callback_id in ids:
        with transaction.atomic():
            callback = (
                candidates.select_for_update(skip_locked=True, of=("self",))
                .select_related("ticket", "citizen")
                .filter(pk=callback_id)
                .first()
            )
            if callback is not None:
                step(callback, now)
                changed += 1
    return changed


def _close(callback: CallbackRequest, status: str, now: datetime, *, actor: User | None, comment: str) -> None:
    """End a call back that was never made, with a line in the appeal's history."""
    callback.status, callback.closed_at = status, now
    callback.save(update_fields=["status", "closed_at"])
    ticket_event_record(
        ticket=callback.ticket,
        kind=EventKind.CALLBACK,
        actor=actor,
        comment=comment,
        data={"callback": callback.pk, "status": status},
    )


def _expire(callback: CallbackRequest, now: datetime) -> None:
    _close(
        callback,
        CallbackStatus.EXPIRED,
        now,
        actor=None,
        comment=_("Nobody called back in time: the call back has expired."),
    )
    when, number = callback_time_text(callback.scheduled_at), callback.ticket.number
    text = _(
        "We are sorry: we did not manage to call you back at %(when)s. You can book another call back "
        "or write to us here."
    ) % {"when": when}
    _system_message(callback.ticket, text)
    _notify_citizen(
        callback,
        subject=_("We did not call you back: appeal %(number)s") % {"number": number},
        body=_(
            "We are sorry: we did not manage to call you back at %(when)s about appeal No. %(number)s. "
            "You can book another call back in the chat or write to us."
        )
        % {"when": when, "number": number},
    )


def _make_due(callback: CallbackRequest, now: datetime) -> None:
    callback.status, callback.due_at = CallbackStatus.DUE, now
    callback.save(update_fields=["status", "due_at"])
    frame = {
        "type": "callback",
        "id": callback.pk,
        "ticket": callback.ticket.number,
        "scheduled_at": timezone.localtime(callback.scheduled_at).isoformat(),
    }
    operator_ids = set(operators_online_for(callback.ticket).values_list("user_id", flat=True))
    transaction.on_commit(lambda: [send_to_group(operator_group(pk), frame) for pk in operator_ids])


def callback_complete(*, callback: CallbackRequest, operator: User, outcome: str, comment: str = "") -> CallbackRequest:
    """The operator called: `done`, or `missed` when nobody answered (the citizen is told)."""
    if outcome not in OUTCOMES:
        raise ValidationError({"outcome": _("The outcome is “called” or “no answer”.")})
    if not operator.is_staff_member or not tickets_visible_to(operator).filter(pk=callback.ticket_id).exists():
        raise PermissionDenied(_("This call back is not in your queues."))
    now = timezone.now()
    with transaction.atomic():
        locked = CallbackRequest.objects.select_for_update().select_related("ticket", "citizen").get(pk=callback.pk)
        if not locked.is_open:
            raise CallbackConflict(_("This call back is already closed."))
        locked.status, locked.operator, locked.closed_at = outcome, operator, now
        locked.save(update_fields=["status", "operator", "closed_at"])
        _record_outcome(locked, operator, comment.strip())
    return locked


def _record_outcome(callback: CallbackRequest, operator: User, comment: str) -> None:
    done = callback.status == CallbackStatus.DONE
    ticket_event_record(
        ticket=callback.ticket,
        kind=EventKind.CALLBACK,
        actor=operator,
        comment=comment or (_("Called back.") if done else _("Called back: no answer.")),
        data={"callback": callback.pk, "status": callback.status},
    )
    if done:
        _system_message(callback.ticket, _("An operator called you back."))
        return
    text = _(
        "We called you at %(phone)s and could not reach you. You can book another call back or write to us here."
    ) % {"phone": masked_phone(callback.phone)}
    _system_message(callback.ticket, text)
    _notify_citizen(
        callback,
        subject=_("We could not reach you: appeal %(number)s") % {"number": callback.ticket.number},
        body=text,
    )
