"""Every write to a booking goes through these functions: book, confirm, move, cancel,
check in, serve, no-show, and the reminder sweep."""

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gosupport.models import User
from gosupport.privacy import personal_data_processing_check

from . import notices
from .models import (
    ACTIVE,
    Booking,
    BookingEvent,
    BookingEventKind,
    BookingStatus,
    Service,
    ServiceCentre,
)
from .slots import Slot, bookable_days, free_slots, local_today, nearest_free_slots, occupancy_of

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read out at a window
CODE_LENGTH = 8
COMMENT_MAX_LENGTH = 500
CHANGE_NOTICE = timedelta(hours=24)
MAX_ACTIVE_BOOKINGS = 5
NO_SHOW_GRACE = timedelta(hours=1)
REMINDERS = (("reminder_24h_at", timedelta(hours=24)), ("reminder_2h_at", timedelta(hours=2)))
SWEEP_LIMIT = 500


class BookingConflict(Exception):
    """The booking's state forbids this now (wrong status, too close to the visit): 409."""


class SlotTaken(BookingConflict):
    """Another citizen holds the last free window at that time; `alternatives` are the
    nearest free slots."""

    def __init__(self, alternatives: list[Slot]):
        super().__init__(_("That time was just taken. Please choose another time."))
        self.alternatives = alternatives


def booking_code_generate() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not Booking.objects.filter(code=code).exists():
            return code


# --- checks shared by booking and moving


def _check_offer(*, centre: ServiceCentre, service: Service) -> None:
    if not centre.is_active or not centre.online_booking:
        raise ValidationError({"centre": _("This centre does not take bookings online.")}, code="no_online_booking")
    if not service.is_active or not centre.services.filter(pk=service.pk).exists():
        raise ValidationError({"service": _("This centre does not offer this service.")}, code="service_not_offered")


def _check_comment(comment: str) -> None:
    if len(comment) > COMMENT_MAX_LENGTH:
        message = _("The comment may be at most %(limit)d characters long.") % {"limit": COMMENT_MAX_LENGTH}
        raise ValidationError({"comment": message}, code="too_long")


def _requested_slot(
    *, centre: ServiceCentre, service: Service, start: datetime, now: datetime, ignore_booking_id: int | None = None
) -> Slot:
    """The slot that begins at `start`, if the centre has one then; free or not."""
    if timezone.is_naive(start):
        raise ValidationError({"start": _("Give the time with its UTC offset.")}, code="naive")
    if start <= now:
        raise ValidationError({"start": _("That time has already passed.")}, code="past")
    day = start.astimezone(ZoneInfo(centre.timezone)).date()
    _first, last = bookable_days(centre, now)
    if day > last:
        message = _("Bookings open no further than %(date)s.") % {"date": last.isoformat()}
        raise ValidationError({"start": message}, code="beyond_horizon")
    slots = free_slots(centre=centre, service=service, day=day, now=now, ignore_booking_id=ignore_booking_id)
    slot = next((slot for slot in slots if slot.start == start), None)
    if slot is None:
        message = _("The centre has no appointment starting at this time. Choose one of the offered times.")
        raise ValidationError({"start": message}, code="no_such_slot")
    return slot


def _slot_taken(booking: Booking, now: datetime) -> SlotTaken:
    alternatives = nearest_free_slots(centre=booking.centre, service=booking.service, around=booking.start, now=now)
    return SlotTaken(alternatives)


def _hold_a_window(booking: Booking, *, now: datetime) -> Booking:
    """Give the booking a free window and store it. If a concurrent booking took that
    window first (the constraint refuses ours), look once more; then give up."""
    for _attempt in range(2):
        occupancy = occupancy_of(booking.centre, booking.start, booking.end, ignore_booking_id=booking.pk)
        windows = occupancy.free_windows(booking.centre.windows, booking.start, booking.end)
        if not windows:
            break
        booking.window_no = windows[0]
        try:
            with transaction.atomic():
                booking.save()
            return booking
        except IntegrityError:
            continue
    raise _slot_taken(booking, now)


def _reminders_moot(booking: Booking, now: datetime) -> None:
    """A visit booked less than 24 h (2 h) ahead needs no 24-hour (2-hour) reminder: the
    booking message itself says when it is."""
    for field, lead in REMINDERS:
        setattr(booking, field, now if booking.start - now <= lead else None)


def _record(
    booking: Booking, *, kind: str, actor: User | None, at: datetime, from_status: str = "", **extra
) -> BookingEvent:
    return BookingEvent.objects.create(
        booking=booking, kind=kind, actor=actor, at=at, from_status=from_status, to_status=booking.status, **extra
    )


# --- the citizen's doors


def _check_may_book(citizen: User, now: datetime) -> None:
    if not citizen.is_authenticated or not citizen.is_citizen:
        raise PermissionDenied(_("Only citizens book visits."))
    personal_data_processing_check(user=citizen)
    _check_active_limit(citizen, now)


def _check_active_limit(citizen: User, now: datetime) -> None:
    active = Booking.objects.filter(ACTIVE, citizen=citizen, start__gt=now).count()
    if active >= MAX_ACTIVE_BOOKINGS:
        message = _("You already have %(count)d upcoming visits. Cancel one to book another.") % {"count": active}
        raise ValidationError(message, code="too_many_bookings")


def booking_create(
    *,
    citizen: User,
    centre: ServiceCentre,
    service: Service,
    start: datetime,
    comment: str = "",
    now: datetime | None = None,
) -> Booking:
    """Book the slot at `start`: a free window is picked in the transaction; SlotTaken when
    none is left, with the nearest free alternatives."""
    now = now or timezone.now()
    comment = comment.strip()
    _check_may_book(citizen, now)
    _check_offer(centre=centre, service=service)
    _check_comment(comment)
    slot = _requested_slot(centre=centre, service=service, start=start, now=now)
    booking = Booking(
        code=booking_code_generate(),
        citizen=citizen,
        centre=centre,
        service=service,
        start=slot.start,
        end=slot.end,
        comment=comment,
        created_at=now,
    )
    _reminders_moot(booking, now)
    with transaction.atomic():
        # One citizen's bookings queue on their user row: the limit is counted again with
        # none of their other bookings half-made (the check above only spares the slot search).
        User.objects.select_for_update().only("pk").get(pk=citizen.pk)
        _check_active_limit(citizen, now)
        _hold_a_window(booking, now=now)
        _record(booking, kind=BookingEventKind.CREATED, actor=citizen, at=now, to_start=booking.start)
        notices.booking_notify(booking, notices.BOOKED)
    return booking


def _locked(booking: Booking) -> Booking:
    return Booking.objects.select_for_update().select_related("centre", "service", "citizen").get(pk=booking.pk)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise BookingConflict(message)


def _acts_for_citizen(booking: Booking, actor: User) -> bool:
    return actor.pk == booking.citizen_id


def booking_change_allowed(booking: Booking, now: datetime) -> bool:
    """Whether its citizen may still move or cancel the visit: active and 24 h or more ahead."""
    return booking.is_active and booking.start - now >= CHANGE_NOTICE


def _require_change_notice(booking: Booking, actor: User, now: datetime) -> None:
    """Citizens move or cancel a visit only up to 24 h before it; centre staff at any time."""
    if _acts_for_citizen(booking, actor):
        _require(
            booking_change_allowed(booking, now),
            _("A visit can be moved or cancelled only up to 24 hours before it starts."),
        )


def _require_may_manage(booking: Booking, actor: User) -> None:
    if not (_acts_for_citizen(booking, actor) or staff_may_serve(actor, booking.centre)):
        raise PermissionDenied(_("You may not change this booking."))


def booking_confirm(*, booking: Booking, actor: User, now: datetime | None = None) -> Booking:
    """Awaiting confirmation → confirmed. Confirming a confirmed booking changes nothing."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        _require_may_manage(booking, actor)
        if booking.status == BookingStatus.CONFIRMED:
            return booking
        _require(booking.status == BookingStatus.AWAITING_CONFIRMATION, _("Only an upcoming visit can be confirmed."))
        _require(booking.start > now, _("The time of this visit has passed."))
        _set_status(booking, BookingStatus.CONFIRMED, actor=actor, now=now, kind=BookingEventKind.CONFIRMED)
        notices.booking_notify(booking, notices.CONFIRMED)
    return booking


def _set_status(booking: Booking, status: str, *, actor: User | None, now: datetime, kind: str, **extra) -> None:
    from_status = booking.status
    booking.status = status
    stamps = {
        BookingStatus.CONFIRMED: "confirmed_at",
        BookingStatus.CANCELLED: "cancelled_at",
        BookingStatus.COMPLETED: "served_at",
    }
    fields = ["status"]
    stamp = stamps.get(status)
    if stamp and getattr(booking, stamp) is None:
        setattr(booking, stamp, now)
        fields.append(stamp)
    booking.save(update_fields=fields)
    _record(booking, kind=kind, actor=actor, at=now, from_status=from_status, **extra)


def booking_reschedule(*, booking: Booking, actor: User, start: datetime, now: datetime | None = None) -> Booking:
    """Move an upcoming visit to another free slot of the same centre and service; the old
    time is freed in the same transaction and the move is kept in the history."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        _require_may_manage(booking, actor)
        _require(booking.is_active, _("Only an upcoming visit can be moved."))
        _require_change_notice(booking, actor, now)
        if _acts_for_citizen(booking, actor):
            personal_data_processing_check(user=actor)
        if start == booking.start:
            raise ValidationError({"start": _("Your visit is already at this time.")}, code="same_time")
        slot = _requested_slot(
            centre=booking.centre, service=booking.service, start=start, now=now, ignore_booking_id=booking.pk
        )
        old_start = booking.start
        booking.start, booking.end = slot.start, slot.end
        _reminders_moot(booking, now)
        _hold_a_window(booking, now=now)
        _record(
            booking, kind=BookingEventKind.RESCHEDULED, actor=actor, at=now, from_start=old_start, to_start=slot.start
        )
        notices.booking_notify(booking, notices.RESCHEDULED, previous_start=old_start)
    return booking


def booking_cancel(*, booking: Booking, actor: User, reason: str = "", now: datetime | None = None) -> Booking:
    """Cancel an upcoming visit; its window is free again at once."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        _require_may_manage(booking, actor)
        _require(booking.is_active, _("Only an upcoming visit can be cancelled."))
        _require_change_notice(booking, actor, now)
        _set_status(
            booking,
            BookingStatus.CANCELLED,
            actor=actor,
            now=now,
            kind=BookingEventKind.CANCELLED,
            comment=reason[:500],
        )
        notices.booking_notify(booking, notices.CANCELLED)
    return booking


# --- the centre's doors


def staff_may_serve(user: User, centre: ServiceCentre) -> bool:
    """Supervisors serve every centre; operators the centres they are staff of."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_supervisor:
        return True
    return user.is_operator and centre.staff.filter(pk=user.pk).exists()


def _require_staff(booking: Booking, staff: User) -> None:
    if not staff_may_serve(staff, booking.centre):
        raise PermissionDenied(_("Only the centre's staff serve its visitors."))


def booking_check_in(*, booking: Booking, staff: User, now: datetime | None = None) -> Booking:
    """The citizen has arrived (by code or QR): they join the centre's live queue."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        _require_staff(booking, staff)
        _require(booking.is_active, _("This booking is not active: %(status)s.") % _status_label(booking))
        _require(booking.checked_in_at is None, _("This visitor is already checked in."))
        _require(local_today(booking.centre, now) == local_today(booking.centre, booking.start), _not_today())
        booking.checked_in_at = now
        booking.save(update_fields=["checked_in_at"])
        # Coming to the centre confirms the visit.
        _set_status(booking, BookingStatus.CONFIRMED, actor=staff, now=now, kind=BookingEventKind.CHECKED_IN)
    return booking


def _status_label(booking: Booking) -> dict[str, str]:
    return {"status": booking.get_status_display()}


def _not_today() -> str:
    return _("This booking is for another day.")


def booking_mark_served(*, booking: Booking, staff: User, now: datetime | None = None) -> Booking:
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        _require_staff(booking, staff)
        _require(booking.is_active and booking.checked_in_at is not None, _("Check the visitor in first."))
        _set_status(booking, BookingStatus.COMPLETED, actor=staff, now=now, kind=BookingEventKind.SERVED)
    return booking


def booking_mark_no_show(*, booking: Booking, staff: User | None, now: datetime | None = None) -> Booking:
    """The citizen did not come. Staff mark it once the visit has begun; the sweep, an hour after its end."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _locked(booking)
        if staff is not None:
            _require_staff(booking, staff)
        _require(
            booking.is_active and booking.checked_in_at is None, _("Only a visitor who has not come can be marked.")
        )
        _require(booking.start <= now, _("The visit has not started yet."))
        _set_status(booking, BookingStatus.NO_SHOW, actor=staff, now=now, kind=BookingEventKind.NO_SHOW)
    return booking


# --- the periodic sweep


def bookings_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Send due reminders and close forgotten visits as no-shows. Safe to run twice at once:
    each reminder and each no-show is claimed by a conditional update before anything else."""
    now = now or timezone.now()
    sent = sum(_remind_due(field, lead, now) for field, lead in REMINDERS)
    return {"reminders": sent, "no_shows": _close_no_shows(now)}


def _remind_due(field: str, lead: timedelta, now: datetime) -> int:
    due = Booking.objects.filter(ACTIVE, start__gt=now, start__lte=now + lead, **{f"{field}__isnull": True})
    return sum(_remind(pk, field, now) for pk in due.order_by("start").values_list("pk", flat=True)[:SWEEP_LIMIT])


def _remind(pk: int, field: str, now: datetime) -> int:
    with transaction.atomic():
        claimed = Booking.objects.filter(ACTIVE, pk=pk, **{f"{field}__isnull": True}).update(**{field: now})
        if not claimed:
            return 0
        booking = Booking.objects.select_related("centre", "service", "citizen").get(pk=pk)
        notices.booking_notify(booking, notices.REMINDER_24H if field == "reminder_24h_at" else notices.REMINDER_2H)
    return 1


def _close_no_shows(now: datetime) -> int:
    forgotten = Booking.objects.filter(ACTIVE, end__lt=now - NO_SHOW_GRACE, checked_in_at__isnull=True)
    closed = 0
    for booking in forgotten.order_by("start")[:SWEEP_LIMIT]:
        closed += _try(lambda b=booking: booking_mark_no_show(booking=b, staff=None, now=now))
    return closed


def _try(action: Callable[[], object]) -> int:
    """1 when the action applied; 0 when another sweep got there first."""
    try:
        action()
    except BookingConflict:
        return 0
    return 1
