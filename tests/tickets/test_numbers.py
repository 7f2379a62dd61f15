"""A new appeal's random number may have been drawn before: it is drawn again, and nothing
of the failed attempt is left (rows, files, notices)."""

import os

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from gosupport.models import Notification
from tests.api.conftest import pdf_bytes
from tests.factories import UserFactory
from tickets import services
from tickets.models import Attachment, Message, Ticket, TicketEvent

TEXT = "Не могу войти в личный кабинет: после смены телефона не приходит код подтверждения."


def numbers_drawn(monkeypatch, *numbers: str) -> None:
    drawn = iter(numbers)
    monkeypatch.setattr(services, "generate_ticket_number", lambda: next(drawn))


def create(citizen, category, files=()):
    return services.ticket_create(
        channel="form", category=category, text=TEXT, citizen=citizen, contact_email=citizen.email, files=files
    )


def stored_files() -> list[str]:
    return [name for _root, _dirs, names in os.walk(settings.MEDIA_ROOT) for name in names]


@pytest.fixture
def taken(citizen_b, account_category, form_policy, monkeypatch):
    numbers_drawn(monkeypatch, "1111-1111")
    return create(citizen_b, account_category)


@pytest.mark.django_db(transaction=True)
def test_on_its_own_a_taken_number_retries_the_whole_appeal_and_leaves_nothing_behind(
    taken, account_category, monkeypatch
):
    citizen = UserFactory(username="dina", email="dina@example.ru")
    numbers_drawn(monkeypatch, "1111-1111", "2222-2222")
    files_before = set(stored_files())
    upload = SimpleUploadedFile("scan.pdf", pdf_bytes(), content_type="application/pdf")

    ticket = create(citizen, account_category, files=[upload])

    assert ticket.number == "2222-2222"
    assert Ticket.objects.count() == 2
    assert Message.objects.filter(ticket=ticket).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket).count() == 1
    assert Attachment.objects.filter(ticket=ticket).count() == 1
    assert Notification.objects.filter(reference="2222-2222").count() == 1
    assert not Notification.objects.filter(user=citizen).exclude(reference="2222-2222").exists()
    assert len(set(stored_files()) - files_before) == 1
    assert Attachment.objects.get(ticket=ticket).file.read().startswith(b"%PDF")


@pytest.mark.django_db(transaction=True)
def test_on_its_own_an_appeal_spends_no_round_trips_on_a_savepoint(taken, account_category, monkeypatch):
    citizen = UserFactory(username="dina", email="dina@example.ru")
    numbers_drawn(monkeypatch, "4444-4444")
    with CaptureQueriesContext(connection) as queries:
        create(citizen, account_category)
    assert not [query for query in queries if "SAVEPOINT" in query["sql"].upper()]


@pytest.mark.django_db(transaction=True)
def test_inside_a_callers_transaction_a_taken_number_is_drawn_again_under_a_savepoint(
    taken, account_category, monkeypatch
):
    citizen = UserFactory(username="dina", email="dina@example.ru")
    numbers_drawn(monkeypatch, "1111-1111", "3333-3333")
    with transaction.atomic():
        ticket = create(citizen, account_category)
    assert ticket.number == "3333-3333"
    assert Ticket.objects.count() == 2
    assert Notification.objects.filter(user=citizen).count() == 1


@pytest.mark.django_db(transaction=True)
def test_when_every_number_drawn_is_taken_the_appeal_fails_and_stores_nothing(taken, account_category, monkeypatch):
    citizen = UserFactory(username="dina", email="dina@example.ru")
    numbers_drawn(monkeypatch, *["1111-1111"] * services.NUMBER_ATTEMPTS)
    with pytest.raises(RuntimeError):
        create(citizen, account_category)
    assert Ticket.objects.count() == 1
    assert not Notification.objects.filter(user=citizen).exists()
