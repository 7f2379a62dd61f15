"""Several new rows in one round trip."""

from datetime import UTC, datetime

import pytest
from django.db import IntegrityError, connection, transaction

from gosupport.rows import rows_insert
from tests.factories import UserFactory
from tickets.models import AuthorKind, EventKind, Message, Status, Ticket, TicketEvent

pytestmark = pytest.mark.django_db
AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture
def ticket(account_category):
    return Ticket.objects.create(
        number="0000-0001",
        channel="form",
        category=account_category,
        queue=account_category,
        text="x" * 20,
        created_at=AT,
    )


def test_rows_of_two_models_are_stored_with_their_values_and_keys(ticket):
    author = UserFactory(username="erik")
    message = Message(
        ticket=ticket,
        seq=1,
        author=author,
        author_kind=AuthorKind.CITIZEN,
        text="Привет",
        actions=[{"a": 1}],
        created_at=AT,
    )
    event = TicketEvent(
        ticket=ticket, kind=EventKind.CREATED, actor=author, at=AT, to_status=Status.ACCEPTED, data={"k": "v"}
    )

    rows_insert(message, event)

    assert message.pk and event.pk and not message._state.adding
    stored = Message.objects.get(pk=message.pk)
    assert (stored.text, stored.actions, stored.created_at, stored.author_id) == ("Привет", [{"a": 1}], AT, author.pk)
    stored_event = TicketEvent.objects.get(pk=event.pk)
    assert (stored_event.kind, stored_event.data, stored_event.comment) == (EventKind.CREATED, {"k": "v"}, "")


def test_on_postgresql_they_go_in_one_statement(ticket, django_assert_num_queries):
    if connection.vendor != "postgresql":
        pytest.skip("one statement on PostgreSQL only")
    message = Message(ticket=ticket, seq=1, author_kind=AuthorKind.BOT, text="Здравствуйте", created_at=AT)
    event = TicketEvent(ticket=ticket, kind=EventKind.CREATED, at=AT)
    with django_assert_num_queries(1):
        rows_insert(message, event)


def test_a_broken_row_stores_none_of_them(ticket):
    first = Message(ticket=ticket, seq=1, author_kind=AuthorKind.BOT, text="one", created_at=AT)
    rows_insert(first)
    duplicate_seq = Message(ticket=ticket, seq=1, author_kind=AuthorKind.BOT, text="two", created_at=AT)
    event = TicketEvent(ticket=ticket, kind=EventKind.CREATED, at=AT)
    with pytest.raises(IntegrityError), transaction.atomic():
        rows_insert(event, duplicate_seq)
    assert Message.objects.filter(ticket=ticket).count() == 1
    if connection.vendor == "postgresql":
        assert not TicketEvent.objects.filter(ticket=ticket).exists()
