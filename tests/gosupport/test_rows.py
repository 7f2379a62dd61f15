"""Several new rows in one round trip."""

from datetime import UTC, datetime

import psycopg
import pytest
from django.db import IntegrityError, connection, transaction

from gosupport.rows import rows_insert, server_bound_fetchone
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


def new_ticket(category, number: str) -> Ticket:
    return Ticket(number=number, channel="form", category=category, queue=category, text="y" * 20, created_at=AT)


def test_rows_linked_to_a_new_first_row_get_its_key(account_category):
    ticket = new_ticket(account_category, "0000-0002")
    message = Message(ticket=ticket, seq=1, author_kind=AuthorKind.CITIZEN, text="Первое", created_at=AT)
    event = TicketEvent(ticket=ticket, kind=EventKind.CREATED, at=AT, to_status=Status.ACCEPTED)

    rows_insert(ticket, message, event, link="ticket")

    assert ticket.pk and message.ticket_id == ticket.pk and event.ticket_id == ticket.pk
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.number == "0000-0002" and stored.updated_at is not None
    assert list(stored.messages.values_list("text", flat=True)) == ["Первое"]
    assert list(stored.events.values_list("kind", flat=True)) == [EventKind.CREATED]


def test_linked_rows_go_in_one_statement_on_postgresql(account_category, django_assert_num_queries):
    if connection.vendor != "postgresql":
        pytest.skip("one statement on PostgreSQL only")
    ticket = new_ticket(account_category, "0000-0003")
    message = Message(ticket=ticket, seq=1, author_kind=AuthorKind.CITIZEN, text="x", created_at=AT)
    with django_assert_num_queries(1):
        rows_insert(ticket, message, link="ticket")


def test_a_taken_unique_value_in_the_first_row_stores_none_of_the_rows(ticket, account_category):
    twin = new_ticket(account_category, ticket.number)
    message = Message(ticket=twin, seq=1, author_kind=AuthorKind.CITIZEN, text="x", created_at=AT)
    with pytest.raises(IntegrityError), transaction.atomic():
        rows_insert(twin, message, link="ticket")
    assert Ticket.objects.count() == 1
    assert not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_server_bound_statement_reconnects_when_the_kept_connection_died():
    if connection.vendor != "postgresql":
        pytest.skip("the server binds parameters on PostgreSQL only")
    from django.db import close_old_connections

    assert server_bound_fetchone("SELECT %s::int + 1", [1]) == (2,)
    backend_pid = connection.connection.info.backend_pid
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as killer:
        killer.execute("SELECT pg_terminate_backend(%s)", [backend_pid])
    close_old_connections()  # what the chat's database threads do between calls
    assert server_bound_fetchone("SELECT %s::int + 1", [41]) == (42,)
    assert connection.connection.info.backend_pid != backend_pid
