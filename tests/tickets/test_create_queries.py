"""Registering an appeal stays a fixed, small number of queries (bench/api_create.py measures
the throughput): savepoints, BEGIN and COMMIT included."""

import pytest
from django.db import connection

from gosupport.models import OperatorProfile, Presence
from tests.factories import UserFactory
from tickets.models import EventKind, Message, Ticket
from tickets.services import ticket_create

TEXT = "Не могу войти в личный кабинет: после смены телефона не приходит код подтверждения."

# Inside a caller's transaction (as here): a savepoint, the restriction check, a savepoint
# around the appeal with message 1, its "created" event and the e-mail notice (one
# statement on PostgreSQL, four elsewhere), its release, the candidates, the release.
# On its own (the API) BEGIN/COMMIT take the place of the outer savepoint and its release,
# and no savepoint guards the insert (tests/tickets/test_numbers.py).
QUEUED = 7 if connection.vendor == "postgresql" else 10
# + the operator's capacity and load re-read after the lock, the operator, the ticket
# locked, updated, an event
ROUTED = QUEUED + 6


def create(citizen, category):
    return ticket_create(channel="form", category=category, text=TEXT, citizen=citizen, contact_email=citizen.email)


@pytest.fixture
def citizen(db):
    """A citizen with an e-mail and no phone: one notice (an SMS costs two queries more)."""
    return UserFactory(username="dina", email="dina@example.ru")


@pytest.fixture
def warm(citizen_b, account_category, form_policy):
    """The first appeal reads the business calendar, which the process then keeps."""
    return create(citizen_b, account_category)


def test_an_appeal_nobody_can_take_is_registered_in_a_few_queries(
    warm, citizen, account_category, django_assert_num_queries
):
    with django_assert_num_queries(QUEUED):
        ticket = create(citizen, account_category)
    assert ticket.assignee is None
    assert ticket.first_response_due is not None and ticket.next_sla_check is not None
    assert list(ticket.messages.values_list("seq", flat=True)) == [1]
    assert Ticket.objects.get(pk=ticket.pk).last_seq == 1


def test_an_appeal_routed_to_an_operator_costs_six_queries_more(
    warm, citizen, account_category, operator_of_queue, django_assert_max_num_queries
):
    with django_assert_max_num_queries(ROUTED):
        ticket = create(citizen, account_category)
    assert ticket.assignee == operator_of_queue
    assert Ticket.objects.get(pk=ticket.pk).assignee == operator_of_queue
    assert list(ticket.events.values_list("kind", flat=True)) == [EventKind.CREATED, EventKind.ASSIGNED]


def test_the_thread_goes_on_after_the_first_message(warm, citizen, account_category, operator_of_queue):
    from tickets.services import message_add

    ticket = create(citizen, account_category)
    message_add(ticket=ticket, author=operator_of_queue, text="Здравствуйте, проверим.")
    assert list(Message.objects.filter(ticket=ticket).values_list("seq", flat=True)) == [1, 2]
    assert Ticket.objects.get(pk=ticket.pk).last_seq == 2


def test_an_operator_at_capacity_is_passed_over(warm, citizen, account_category, operator_of_queue):
    OperatorProfile.objects.filter(user=operator_of_queue).update(capacity=1)
    first = create(citizen, account_category)
    second = create(citizen, account_category)
    assert first.assignee == operator_of_queue
    assert second.assignee is None


def test_an_offline_operator_gets_nothing(warm, citizen, account_category, operator_of_queue):
    OperatorProfile.objects.filter(user=operator_of_queue).update(presence=Presence.OFFLINE)
    assert create(citizen, account_category).assignee is None
