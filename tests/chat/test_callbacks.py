"""Call backs, through the services: the slots offered, booking (and every way it can be
refused with nothing stored), cancelling, the sweep that makes them due, the operator's
outcome, and the citizen's data rights over the phone they gave."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from chat.callbacks import (
    CallbackConflict,
    callback_book,
    callback_cancel,
    callback_complete,
    callback_slots,
    callbacks_sweep,
)
from chat.models import CallbackRequest, CallbackStatus
from chat.services import chat_close, chat_handoff, chat_open
from gosupport.calendar import calendars_forget
from gosupport.models import BusinessCalendar, CalendarException, Notification, Presence
from gosupport.privacy import (
    ProcessingRestricted,
    personal_data_erase,
    personal_data_export,
    personal_data_purge_expired,
)
from tests.chat.conftest import MOSCOW
from tests.factories import UserFactory
from tickets.models import AuthorKind, EventKind, Message, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """Services speak the active language (Russian by default): the tests quote the msgids."""
    with translation.override("en"):
        yield


TUESDAY_11 = datetime(2026, 11, 24, 11, 0, tzinfo=MOSCOW)


@pytest.fixture
def chat(at_work, citizen_a, account_category):
    return chat_open(citizen=citizen_a, text="Не приходит код подтверждения", category=account_category)


def booked(chat, citizen, when=TUESDAY_11, phone=""):
    return callback_book(ticket=chat, citizen=citizen, scheduled_at=when, phone=phone)


def nothing_stored(chat) -> bool:
    return (
        not CallbackRequest.objects.exists()
        and not TicketEvent.objects.filter(kind=EventKind.CALLBACK).exists()
        and not Message.objects.filter(ticket=chat, author_kind=AuthorKind.SYSTEM).exists()
        and not Notification.objects.filter(reference=chat.number).exists()
    )


# --- slots --------------------------------------------------------------------------


def test_slots_are_every_half_hour_within_operator_hours_of_the_next_working_days(at_work):
    slots = [slot.astimezone(MOSCOW) for slot in callback_slots()]
    assert slots[0] == datetime(2026, 11, 23, 10, 30, tzinfo=MOSCOW)  # 30 minutes' lead
    assert slots[-1] == datetime(2026, 11, 30, 10, 0, tzinfo=MOSCOW)  # seven days ahead
    assert all(slot.weekday() < 5 for slot in slots)  # the weekend is skipped
    assert all(9 <= slot.hour and slot + timedelta(minutes=30) <= slot.replace(hour=18, minute=0) for slot in slots)
    assert all(b - a >= timedelta(minutes=30) for a, b in zip(slots, slots[1:], strict=False))
    assert len(slots) == 15 + 4 * 18 + 3


def test_a_day_declared_non_working_offers_no_slots(at_work):
    calendar = BusinessCalendar.objects.filter(is_default=True).first() or BusinessCalendar.objects.create(
        name="Москва", is_default=True
    )
    CalendarException.objects.create(calendar=calendar, date=TUESDAY_11.date(), is_working=False)
    calendars_forget()
    assert not [slot for slot in callback_slots() if slot.astimezone(MOSCOW).date() == TUESDAY_11.date()]


def test_the_slot_settings_shape_the_offer(at_work, settings):
    settings.CALLBACK_SLOT_MINUTES, settings.CALLBACK_LEAD_MINUTES, settings.CALLBACK_DAYS_AHEAD = 60, 120, 1
    slots = [slot.astimezone(MOSCOW) for slot in callback_slots()]
    assert slots[0] == datetime(2026, 11, 23, 12, 0, tzinfo=MOSCOW)
    assert slots[-1] == datetime(2026, 11, 24, 10, 0, tzinfo=MOSCOW)


# --- booking ------------------------------------------------------------------------


def test_booking_stores_the_call_back_confirms_in_the_chat_and_notifies(chat, citizen_a):
    callback = booked(chat, citizen_a, phone="+7 (916) 000-11-22")
    assert callback.status == CallbackStatus.REQUESTED and callback.phone.as_e164 == "+79160001122"
    assert callback.scheduled_at == TUESDAY_11 and callback.citizen == citizen_a
    event = TicketEvent.objects.get(ticket=chat, kind=EventKind.CALLBACK)
    assert event.actor == citizen_a and event.data["callback"] == callback.pk
    confirmation = Message.objects.get(ticket=chat, author_kind=AuthorKind.SYSTEM)
    assert "+7 *** ***-11-22" in confirmation.text and "+79160001122" not in confirmation.text
    sent = {n.channel: n for n in Notification.objects.filter(reference=chat.number)}
    assert sent["sms"].recipient == "+79160001122" and sent["email"].recipient == citizen_a.email


def test_the_profile_phone_is_called_when_none_is_given(chat, citizen_a):
    assert booked(chat, citizen_a).phone.as_e164 == "+79161234567"


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (datetime(2026, 11, 23, 9, 30, tzinfo=MOSCOW), "already passed"),
        (datetime(2026, 11, 23, 10, 15, tzinfo=MOSCOW), "earliest call back is 30 minutes"),
        (datetime(2026, 11, 24, 20, 0, tzinfo=MOSCOW), "Operators do not work at that time"),
        (datetime(2026, 11, 28, 11, 0, tzinfo=MOSCOW), "Operators do not work at that time"),  # Saturday
        (datetime(2026, 12, 2, 11, 0, tzinfo=MOSCOW), "at most 7 days ahead"),
        (datetime(2026, 11, 24, 11, 10, tzinfo=MOSCOW), "Choose one of the offered times"),
        (datetime(2026, 11, 24, 17, 45, tzinfo=MOSCOW), "Choose one of the offered times"),  # ends after 18:00
        (datetime(2026, 11, 24, 11, 0), "time zone offset"),
    ],
)
def test_a_time_that_cannot_be_booked_is_refused_and_nothing_stored(chat, citizen_a, when, message):
    with pytest.raises(ValidationError) as refused:
        booked(chat, citizen_a, when=when)
    assert message in refused.value.message_dict["scheduled_at"][0]
    assert nothing_stored(chat)


@pytest.mark.parametrize("phone", ["12345", "+1 202 555 0143", "+7 916 123", "позвоните мне"])
def test_a_phone_that_is_not_a_russian_number_is_refused_and_nothing_stored(chat, citizen_a, phone):
    with pytest.raises(ValidationError) as refused:
        booked(chat, citizen_a, phone=phone)
    assert "+7 and ten digits" in refused.value.message_dict["phone"][0]
    assert nothing_stored(chat)


def test_without_a_profile_phone_a_phone_must_be_given(chat, citizen_a):
    citizen_a.phone = None
    citizen_a.save(update_fields=["phone"])
    with pytest.raises(ValidationError) as refused:
        booked(chat, citizen_a)
    assert "Give a phone number" in refused.value.message_dict["phone"][0]
    assert nothing_stored(chat)


def test_both_mistakes_are_reported_at_once(chat, citizen_a):
    with pytest.raises(ValidationError) as refused:
        booked(chat, citizen_a, when=TUESDAY_11 + timedelta(hours=10), phone="12")
    assert set(refused.value.message_dict) == {"scheduled_at", "phone"}


def test_one_open_call_back_per_citizen_and_chat(chat, citizen_a):
    booked(chat, citizen_a)
    with pytest.raises(CallbackConflict, match="already have a call back"):
        booked(chat, citizen_a, when=TUESDAY_11 + timedelta(hours=1))
    assert CallbackRequest.objects.count() == 1


def test_the_database_itself_keeps_one_open_call_back(chat, citizen_a):
    first = booked(chat, citizen_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        CallbackRequest.objects.create(
            ticket=chat, citizen=citizen_a, phone=first.phone, scheduled_at=TUESDAY_11, created_at=timezone.now()
        )


def test_the_database_refuses_a_call_back_not_booked_ahead(chat, citizen_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        CallbackRequest.objects.create(
            ticket=chat, citizen=citizen_a, phone="+79161234567", scheduled_at=timezone.now(), created_at=timezone.now()
        )


def test_after_cancelling_another_time_can_be_booked(chat, citizen_a):
    callback_cancel(callback=booked(chat, citizen_a), citizen=citizen_a)
    assert booked(chat, citizen_a, when=TUESDAY_11 + timedelta(hours=2)).status == CallbackStatus.REQUESTED


def test_a_closed_chat_cannot_be_called_back(chat, citizen_a, operator_of_queue):
    chat_handoff(ticket=chat, actor=citizen_a)
    from chat.services import chat_accept

    chat_accept(ticket=chat, operator=operator_of_queue)
    chat_close(ticket=chat, operator=operator_of_queue, resolution="Готово")
    with pytest.raises(CallbackConflict, match="closed"):
        booked(chat, citizen_a)
    assert not CallbackRequest.objects.exists()


def test_another_citizen_cannot_book_a_call_back_on_my_chat(chat, citizen_b):
    with pytest.raises(PermissionDenied):
        booked(chat, citizen_b)
    assert not CallbackRequest.objects.exists()


def test_a_citizen_who_restricted_processing_cannot_book(chat, citizen_a):
    citizen_a.processing_restricted_at = timezone.now()
    citizen_a.save(update_fields=["processing_restricted_at"])
    with pytest.raises(ProcessingRestricted):
        booked(chat, citizen_a)
    assert nothing_stored(chat)


# --- slot capacity -----------------------------------------------------------------------


def booked_by_others(count, category, when=TUESDAY_11) -> list[CallbackRequest]:
    """Call backs at `when` booked by `count` other citizens, each about their own chat."""
    booked_now = []
    for n in range(count):
        citizen = UserFactory(username=f"caller-{when:%H%M}-{n}", phone=f"+7916555{n:04d}")
        other_chat = chat_open(citizen=citizen, text="Перезвоните мне", category=category)
        booked_now.append(booked(other_chat, citizen, when=when))
    return booked_now


def test_a_full_slot_is_no_longer_offered(chat, account_category, settings):
    settings.CALLBACK_SLOT_CAPACITY = 2
    booked_by_others(1, account_category)
    assert TUESDAY_11 in callback_slots()
    booked_by_others(1, account_category)
    slots = callback_slots()
    assert TUESDAY_11 not in slots and TUESDAY_11 + timedelta(minutes=30) in slots


def test_booking_a_full_slot_is_refused_with_the_reason_and_nothing_stored(chat, citizen_a, account_category, settings):
    settings.CALLBACK_SLOT_CAPACITY = 1
    booked_by_others(1, account_category)
    with pytest.raises(ValidationError) as refused:
        booked(chat, citizen_a)
    assert refused.value.error_dict["scheduled_at"][0].code == "slot_full"
    assert "already booked. Choose another time" in refused.value.message_dict["scheduled_at"][0]
    assert not CallbackRequest.objects.filter(ticket=chat).exists()
    assert not TicketEvent.objects.filter(ticket=chat, kind=EventKind.CALLBACK).exists()
    assert booked(chat, citizen_a, when=TUESDAY_11 + timedelta(minutes=30)).status == CallbackStatus.REQUESTED


def test_a_cancelled_call_back_gives_its_place_back(chat, citizen_a, account_category, settings):
    settings.CALLBACK_SLOT_CAPACITY = 1
    (other,) = booked_by_others(1, account_category)
    callback_cancel(callback=other, citizen=other.citizen)
    assert TUESDAY_11 in callback_slots()
    assert booked(chat, citizen_a).status == CallbackStatus.REQUESTED


@pytest.mark.parametrize("capacity", [0, -3])
def test_a_slot_capacity_of_none_offers_and_books_nothing(chat, citizen_a, settings, capacity):
    settings.CALLBACK_SLOT_CAPACITY = capacity
    assert callback_slots() == []
    with pytest.raises(ValidationError) as refused:
        booked(chat, citizen_a)
    assert refused.value.error_dict["scheduled_at"][0].code == "slot_full"
    assert nothing_stored(chat)


# --- cancelling -----------------------------------------------------------------------


def test_cancelling_records_it_and_says_so_in_the_chat(chat, citizen_a):
    callback = callback_cancel(callback=booked(chat, citizen_a), citizen=citizen_a)
    assert callback.status == CallbackStatus.CANCELLED and callback.closed_at == timezone.now()
    assert TicketEvent.objects.filter(ticket=chat, kind=EventKind.CALLBACK, data__status="cancelled").exists()
    assert Message.objects.filter(ticket=chat, author_kind=AuthorKind.SYSTEM, text__contains="cancelled").exists()


def test_a_call_back_is_cancelled_once(chat, citizen_a):
    callback = booked(chat, citizen_a)
    callback_cancel(callback=callback, citizen=citizen_a)
    with pytest.raises(CallbackConflict):
        callback_cancel(callback=callback, citizen=citizen_a)


def test_only_its_citizen_cancels_a_call_back(chat, citizen_a, citizen_b):
    callback = booked(chat, citizen_a)
    with pytest.raises(PermissionDenied):
        callback_cancel(callback=callback, citizen=citizen_b)
    assert CallbackRequest.objects.get().status == CallbackStatus.REQUESTED


# --- the sweep and the operators --------------------------------------------------------


def test_the_sweep_makes_call_backs_due_when_their_time_comes_and_only_once(at_work, chat, citizen_a):
    callback = booked(chat, citizen_a)
    at_work.move_to(TUESDAY_11 - timedelta(seconds=1))
    assert callbacks_sweep() == 0
    at_work.move_to(TUESDAY_11)
    assert callbacks_sweep() == 1
    callback.refresh_from_db()
    assert callback.status == CallbackStatus.DUE and callback.due_at == TUESDAY_11
    assert callbacks_sweep() == 0


@pytest.mark.django_db(transaction=True)
async def test_a_due_call_back_is_offered_on_the_desks_of_the_queues_online_operators(
    citizen_a, account_category, operator_of_queue, operator_of_other_queue
):
    import time_machine
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator

    from gosupport.asgi import application
    from tests.chat.conftest import MONDAY_MORNING

    async def desk(user):
        communicator = WebsocketCommunicator(application, "/ws/operator/", headers=[(b"origin", b"http://localhost")])
        communicator.scope["user"] = user
        assert (await communicator.connect())[0]
        return communicator

    # Within the hour: the in-memory channel layer forgets group members after a day of (travelled) time.
    half_past = MONDAY_MORNING + timedelta(minutes=30)
    with time_machine.travel(MONDAY_MORNING, tick=False) as clock:
        ticket = await database_sync_to_async(chat_open)(citizen=citizen_a, text="Вопрос", category=account_category)
        callback = await database_sync_to_async(booked)(ticket, citizen_a, half_past)
        mine, theirs = await desk(operator_of_queue), await desk(operator_of_other_queue)
        clock.move_to(half_past)
        assert await database_sync_to_async(callbacks_sweep)() == 1
        frame = await mine.receive_json_from(timeout=3)
        assert frame["type"] == "callback" and frame["id"] == callback.pk and frame["ticket"] == ticket.number
        assert await theirs.receive_nothing(timeout=0.3)
        await mine.disconnect()
        await theirs.disconnect()


@pytest.fixture
def due_callback(at_work, chat, citizen_a):
    callback = booked(chat, citizen_a)
    at_work.move_to(TUESDAY_11 + timedelta(minutes=1))
    callbacks_sweep()
    callback.refresh_from_db()
    return callback


def test_the_operator_records_a_call_made(due_callback, operator_of_queue):
    callback = callback_complete(callback=due_callback, operator=operator_of_queue, outcome="done", comment="Помог")
    assert callback.status == CallbackStatus.DONE and callback.operator == operator_of_queue
    event = TicketEvent.objects.get(ticket=callback.ticket, kind=EventKind.CALLBACK, data__status="done")
    assert event.actor == operator_of_queue and event.comment == "Помог"


def test_no_answer_is_recorded_and_the_citizen_is_told(due_callback, operator_of_queue):
    callback_complete(callback=due_callback, operator=operator_of_queue, outcome="missed")
    assert CallbackRequest.objects.get().status == CallbackStatus.MISSED
    assert TicketEvent.objects.filter(kind=EventKind.CALLBACK, data__status="missed").exists()
    told = Notification.objects.filter(reference=due_callback.ticket.number, body__contains="could not reach")
    assert told.count() == 2  # e-mail and SMS


def test_an_outcome_is_recorded_once(due_callback, operator_of_queue, supervisor):
    callback_complete(callback=due_callback, operator=operator_of_queue, outcome="done")
    with pytest.raises(CallbackConflict):
        callback_complete(callback=due_callback, operator=supervisor, outcome="missed")


def test_an_operator_of_another_queue_cannot_record_it(due_callback, operator_of_other_queue):
    with pytest.raises(PermissionDenied):
        callback_complete(callback=due_callback, operator=operator_of_other_queue, outcome="done")
    assert CallbackRequest.objects.get().status == CallbackStatus.DUE


def test_a_citizen_cannot_record_an_outcome(due_callback, citizen_a):
    with pytest.raises(PermissionDenied):
        callback_complete(callback=due_callback, operator=citizen_a, outcome="done")


def test_an_unknown_outcome_is_refused(due_callback, operator_of_queue):
    with pytest.raises(ValidationError):
        callback_complete(callback=due_callback, operator=operator_of_queue, outcome="cancelled")
    assert CallbackRequest.objects.get().status == CallbackStatus.DUE


# --- expiry ---------------------------------------------------------------------------

GRACE_OVER = TUESDAY_11 + timedelta(hours=2)  # CALLBACK_GRACE_MINUTES' default


def test_a_due_call_back_nobody_made_expires_after_the_grace_period_once(at_work, due_callback):
    at_work.move_to(GRACE_OVER - timedelta(seconds=1))
    assert callbacks_sweep() == 0
    at_work.move_to(GRACE_OVER)
    assert callbacks_sweep() == 1
    callback = CallbackRequest.objects.get()
    assert callback.status == CallbackStatus.EXPIRED and callback.closed_at == GRACE_OVER
    event = TicketEvent.objects.get(ticket=callback.ticket, kind=EventKind.CALLBACK, data__status="expired")
    assert event.actor is None and "expired" in event.comment
    assert Message.objects.filter(
        ticket=callback.ticket, author_kind=AuthorKind.SYSTEM, text__contains="did not manage to call you back"
    ).exists()
    told = Notification.objects.filter(
        reference=callback.ticket.number, body__contains="did not manage to call you back"
    )
    assert told.count() == 2  # e-mail and SMS
    assert callbacks_sweep() == 0
    assert TicketEvent.objects.filter(kind=EventKind.CALLBACK, data__status="expired").count() == 1


def test_a_booked_call_back_long_overdue_expires_without_being_offered(at_work, chat, citizen_a):
    booked(chat, citizen_a)
    at_work.move_to(GRACE_OVER + timedelta(hours=1))  # the sweep did not run meanwhile
    assert callbacks_sweep() == 1
    callback = CallbackRequest.objects.get()
    assert callback.status == CallbackStatus.EXPIRED and callback.due_at is None


def test_the_grace_period_is_a_setting(at_work, due_callback, settings):
    settings.CALLBACK_GRACE_MINUTES = 30
    at_work.move_to(TUESDAY_11 + timedelta(minutes=30))
    assert callbacks_sweep() == 1
    assert CallbackRequest.objects.get().status == CallbackStatus.EXPIRED


@pytest.mark.parametrize("outcome", ["done", "missed"])
def test_a_call_back_made_in_time_never_expires(at_work, due_callback, operator_of_queue, outcome):
    callback_complete(callback=due_callback, operator=operator_of_queue, outcome=outcome)
    at_work.move_to(GRACE_OVER + timedelta(days=1))
    assert callbacks_sweep() == 0
    assert CallbackRequest.objects.get().status == outcome


def test_an_expired_call_back_takes_no_outcome_and_another_can_be_booked(
    at_work, due_callback, operator_of_queue, citizen_a
):
    at_work.move_to(GRACE_OVER)
    callbacks_sweep()
    with pytest.raises(CallbackConflict):
        callback_complete(callback=due_callback, operator=operator_of_queue, outcome="done")
    with pytest.raises(CallbackConflict):
        callback_cancel(callback=due_callback, citizen=citizen_a)
    again = booked(due_callback.ticket, citizen_a, when=datetime(2026, 11, 25, 11, 0, tzinfo=MOSCOW))
    assert again.status == CallbackStatus.REQUESTED


def test_the_chats_offer_of_alternatives_includes_a_call_back_when_nobody_is_online(
    at_work, chat, citizen_a, operator_of_queue
):
    from gosupport.models import OperatorProfile

    OperatorProfile.objects.update(presence=Presence.OFFLINE)
    chat_handoff(ticket=chat, actor=citizen_a, offer_alternatives=True)
    offer = Message.objects.filter(ticket=chat, author_kind=AuthorKind.BOT).last()
    kinds = [action["type"] for action in offer.actions]
    assert kinds == ["link", "callback"] and offer.actions[1]["url"] == f"/chat/{chat.number}/callback/"


def test_a_short_wait_offers_no_alternatives(at_work, chat, citizen_a, operator_of_queue):
    chat_handoff(ticket=chat, actor=citizen_a, offer_alternatives=True)
    assert not Message.objects.filter(ticket=chat, author_kind=AuthorKind.BOT).exists()


def test_a_long_wait_offers_the_call_back(at_work, settings, chat, citizen_a, operator_of_queue):
    settings.CHAT_CALLBACK_OFFER_WAIT_SECONDS = 10  # the SLA's 30 s first reply is longer
    from tests.factories import SlaPolicyFactory
    from tickets.models import Ticket

    Ticket.objects.filter(pk=chat.pk).update(sla_policy=SlaPolicyFactory(channel="chat", first_response_seconds=30))
    chat_handoff(ticket=chat, actor=citizen_a, offer_alternatives=True)
    offer = Message.objects.get(ticket=chat, author_kind=AuthorKind.BOT)
    assert "long" in offer.text or "долг" in offer.text
    assert offer.actions[-1]["type"] == "callback"


def test_outside_operator_hours_the_handoff_offers_the_call_back(chat, citizen_a, at_work):
    at_work.move_to(datetime(2026, 11, 23, 20, 0, tzinfo=MOSCOW))
    chat_handoff(ticket=chat, actor=citizen_a, offer_alternatives=True)
    offer = Message.objects.get(ticket=chat, author_kind=AuthorKind.BOT)
    assert [action["type"] for action in offer.actions] == ["link", "callback"]


# --- data rights ------------------------------------------------------------------------


def test_the_export_lists_call_backs_with_the_phone(chat, citizen_a):
    booked(chat, citizen_a)
    [exported] = personal_data_export(subject=citizen_a, actor=citizen_a, ip=None)["callbacks"]
    assert datetime.fromisoformat(exported.pop("scheduled_at")) == TUESDAY_11
    assert datetime.fromisoformat(exported.pop("booked_at")) == timezone.now()
    assert exported == {"appeal": chat.number, "phone": "+79161234567", "status": "requested", "closed_at": None}


def test_erasure_removes_the_call_backs(chat, citizen_a):
    booked(chat, citizen_a)
    personal_data_erase(subject=citizen_a, actor=citizen_a, ip=None)
    assert not CallbackRequest.objects.exists()


def test_the_retention_purge_removes_old_closed_call_backs(settings, chat, citizen_a, at_work):
    callback_cancel(callback=booked(chat, citizen_a), citizen=citizen_a)
    at_work.shift(timedelta(days=settings.PD_RETENTION_DAYS - 1))
    personal_data_purge_expired()
    assert CallbackRequest.objects.exists()
    at_work.shift(timedelta(days=2))
    assert personal_data_purge_expired()["callbacks"] == 1
    assert not CallbackRequest.objects.exists()
