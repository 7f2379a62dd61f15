"""Call backs under concurrency, on PostgreSQL: two bookings of one chat at once store
one; bookings of one slot at once never exceed its capacity; two sweeps at once make a call
back due (or expire it) once."""

import threading
from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from chat.callbacks import CallbackConflict, callback_book, callbacks_sweep
from chat.models import CallbackRequest, CallbackStatus
from chat.services import chat_open
from tests.chat.conftest import MONDAY_MORNING, MOSCOW
from tests.factories import UserFactory
from tickets.models import EventKind, TicketEvent

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks and SKIP LOCKED need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def at_once(call, arguments) -> list:
    """Run `call` on each argument in its own thread, released together; the outcomes in order."""
    barrier, outcomes = threading.Barrier(len(arguments)), [None] * len(arguments)

    def run(index, argument):
        try:
            barrier.wait()
            outcomes[index] = call(argument)
        except Exception as error:  # the loser's refusal is the outcome under test
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(arguments)]
    [thread.start() for thread in threads]
    [thread.join() for thread in threads]
    return outcomes


def test_two_bookings_of_one_chat_at_once_store_one(citizen_a, account_category):
    times = [datetime(2026, 11, 24, 11, 0, tzinfo=MOSCOW), datetime(2026, 11, 24, 12, 0, tzinfo=MOSCOW)]
    with time_machine.travel(MONDAY_MORNING, tick=False):
        chat = chat_open(citizen=citizen_a, text="Вопрос", category=account_category)
        outcomes = at_once(lambda when: callback_book(ticket=chat, citizen=citizen_a, scheduled_at=when), times)
    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["CallbackConflict", "CallbackRequest"]
    assert any(isinstance(outcome, CallbackConflict) for outcome in outcomes)
    assert CallbackRequest.objects.count() == 1


def test_bookings_of_one_slot_at_once_never_exceed_its_capacity(settings, account_category):
    settings.CALLBACK_SLOT_CAPACITY = 2
    when = datetime(2026, 11, 24, 11, 0, tzinfo=MOSCOW)
    with time_machine.travel(MONDAY_MORNING, tick=False):
        chats = []
        for n in range(5):
            citizen = UserFactory(username=f"slot-racer-{n}", phone=f"+7916555{n:04d}")
            chats.append(chat_open(citizen=citizen, text="Перезвоните мне", category=account_category))
        outcomes = at_once(lambda chat: callback_book(ticket=chat, citizen=chat.citizen, scheduled_at=when), chats)
    refusals = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert len(refusals) == 3 and all(r.error_dict["scheduled_at"][0].code == "slot_full" for r in refusals)
    assert CallbackRequest.objects.filter(scheduled_at=when).count() == 2


def test_two_sweeps_at_once_make_a_call_back_due_once(citizen_a, account_category):
    when = datetime(2026, 11, 23, 10, 30, tzinfo=MOSCOW)
    with time_machine.travel(MONDAY_MORNING, tick=False) as clock:
        chat = chat_open(citizen=citizen_a, text="Вопрос", category=account_category)
        callback_book(ticket=chat, citizen=citizen_a, scheduled_at=when)
        clock.move_to(when)
        outcomes = at_once(lambda _: callbacks_sweep(), [1, 2, 3])
    assert sorted(outcomes) == [0, 0, 1]
    assert CallbackRequest.objects.get().status == CallbackStatus.DUE


def test_two_sweeps_at_once_expire_a_call_back_once(citizen_a, account_category):
    when = datetime(2026, 11, 23, 10, 30, tzinfo=MOSCOW)
    with time_machine.travel(MONDAY_MORNING, tick=False) as clock:
        chat = chat_open(citizen=citizen_a, text="Вопрос", category=account_category)
        callback_book(ticket=chat, citizen=citizen_a, scheduled_at=when)
        clock.move_to(when)
        callbacks_sweep()
        clock.move_to(when + timedelta(hours=2))
        outcomes = at_once(lambda _: callbacks_sweep(), [1, 2, 3])
    assert sorted(outcomes) == [0, 0, 1]
    assert CallbackRequest.objects.get().status == CallbackStatus.EXPIRED
    assert TicketEvent.objects.filter(ticket=chat, kind=EventKind.CALLBACK, data__status="expired").count() == 1
