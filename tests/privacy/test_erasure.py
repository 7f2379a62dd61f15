import os

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection

from gosupport.models import AuditLog, User
from gosupport.privacy import PrivacyProvider, personal_data_erase, personal_data_reveal, personal_identifiers_update
from tests.privacy.conftest import INN, PASSPORT, SNILS
from tests.privacy.files import classic_pdf, upload
from tickets.models import Attachment, Message, Rating, Ticket
from tickets.services import message_add, ticket_create

PHRASE = "ФРАЗА-МАРКЕР-7731"
FILE_MARKER = b"FILE-MARKER-5519"
MARKERS = ["Маркерова", "Зоряна", "Ксаверьевна", "zoryana.markerova", "9031112233", INN, SNILS, PASSPORT, PHRASE]
TEXT_TYPES = {"CharField", "TextField", "EmailField", "SlugField", "JSONField", "FileField", "GenericIPAddressField"}


def database_hits(markers: list[str]) -> list[str]:
    """Every stored text/char/JSON value of every table that contains a marker."""
    quote, hits = connection.ops.quote_name, []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        table = quote(model._meta.db_table)
        for field in model._meta.concrete_fields:
            if field.get_internal_type() not in TEXT_TYPES:
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT CAST({quote(field.column)} AS TEXT) FROM {table}")
                values = [row[0] for row in cursor.fetchall() if row[0]]
            hits += [
                f"{model._meta.label}.{field.name}: {marker}"
                for v in values
                for marker in markers
                if marker.casefold() in v.casefold()
            ]
    return hits


def file_store_hits(needles: list[bytes]) -> list[str]:
    hits = []
    for folder, _dirs, names in os.walk(settings.MEDIA_ROOT):
        for name in names:
            content = open(os.path.join(folder, name), "rb").read()
            hits += [f"{name}: {needle!r}" for needle in needles if needle in content]
    return hits


@pytest.fixture
def full_history(citizen, file_ticket, operator_of_queue, account_category):
    """The citizen everywhere: identifiers, an appeal with a file, an operator's reply by name,
    a rating, an appeal filed without an account from their e-mail, and a staff reveal."""
    personal_identifiers_update(subject=citizen, actor=citizen, ip=None, passport_number=PASSPORT)
    pdf = classic_pdf(trailer_bytes=b"%" + FILE_MARKER + b"\n")
    ticket = file_ticket(
        citizen, text=f"{PHRASE}: не могу войти, телефон +7 903 111-22-33", files=[upload("scan.pdf", pdf)]
    )
    message_add(ticket=ticket, author=operator_of_queue, text="Здравствуйте, Зоряна Ксаверьевна Маркерова!")
    message_add(ticket=ticket, author=citizen, text=f"Спасибо. {PHRASE}")
    Rating.objects.create(ticket=ticket, score=5, comment="Зоряна довольна", created_at=ticket.created_at)
    ticket_create(
        channel="form",
        category=account_category,
        text=f"{PHRASE}: пишу без входа в кабинет, ответьте на почту.",
        contact_email="Zoryana.Markerova@example.ru",
    )
    personal_data_reveal(actor=operator_of_queue, subject=citizen, field="inn", ip=None)
    assert database_hits(MARKERS) and file_store_hits([FILE_MARKER])
    return ticket


def test_after_erasure_no_table_or_file_holds_the_citizens_data(
    client, citizen, full_history, citizen_b, file_ticket, django_capture_on_commit_callbacks
):
    other = file_ticket(citizen_b, text="Чужое обращение другого гражданина, его текст остаётся.")
    client.force_login(citizen)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/account/privacy/erase/", {"password": "correct-horse-battery-42", "confirm": "on"})
    assert response.status_code == 302
    assert database_hits(MARKERS) == []
    assert file_store_hits([FILE_MARKER]) == []
    assert not Attachment.objects.filter(ticket=full_history).exists()
    assert Ticket.objects.filter(number=full_history.number).exists()
    assert Ticket.objects.get(pk=other.pk).text == other.text
    assert AuditLog.objects.filter(action="deletion", object_id=str(citizen.pk)).exists()


def test_erased_account_is_deactivated_stripped_and_cannot_sign_in(client, citizen, full_history):
    personal_data_erase(subject=citizen, actor=citizen, ip=None)
    erased = User.objects.get(pk=citizen.pk)
    assert not erased.is_active and erased.erased_at and not erased.has_usable_password()
    assert (erased.email, erased.first_name, erased.phone, erased.inn, erased.birth_date) == ("", "", None, "", None)
    assert erased.consents.filter(withdrawn_at__isnull=True).count() == 0
    assert not client.login(username="zoryana.markerova@example.ru", password="correct-horse-battery-42")


def test_wrong_password_or_missing_confirmation_erases_nothing(client, citizen, full_history):
    client.force_login(citizen)
    for data in ({"password": "wrong", "confirm": "on"}, {"password": "correct-horse-battery-42"}, {}):
        response = client.post("/account/privacy/erase/", data)
        assert response.status_code == 400
    fresh = User.objects.get(pk=citizen.pk)
    assert fresh.is_active and fresh.inn == INN and fresh.erased_at is None
    assert Ticket.objects.get(pk=full_history.pk).text.startswith(PHRASE)
    assert not AuditLog.objects.filter(action="deletion").exists()


def test_erasure_is_all_or_nothing_when_an_app_fails(citizen, full_history, monkeypatch):
    from gosupport import privacy

    def broken(user):
        raise RuntimeError("storage offline")

    monkeypatch.setattr(
        privacy, "_providers", {**privacy._providers, "broken": PrivacyProvider("broken", erase=broken)}
    )
    with pytest.raises(RuntimeError):
        personal_data_erase(subject=citizen, actor=citizen, ip=None)
    assert Ticket.objects.get(pk=full_history.pk).text.startswith(PHRASE)
    assert Message.objects.filter(ticket=full_history, text__contains="Маркерова").exists()
    assert User.objects.get(pk=citizen.pk).is_active
    assert file_store_hits([FILE_MARKER])


def test_supervisor_may_erase_on_a_citizens_written_request_but_an_operator_may_not(
    citizen, supervisor, operator_of_queue
):
    with pytest.raises(PermissionDenied):
        personal_data_erase(subject=citizen, actor=operator_of_queue, ip=None)
    assert User.objects.get(pk=citizen.pk).is_active
    personal_data_erase(subject=citizen, actor=supervisor, ip="192.0.2.1")
    assert AuditLog.objects.get(action="deletion").actor == supervisor


def test_a_citizen_cannot_erase_another_citizen(citizen, citizen_b):
    with pytest.raises(PermissionDenied):
        personal_data_erase(subject=citizen, actor=citizen_b, ip=None)
    assert User.objects.get(pk=citizen.pk).erased_at is None


def test_staff_accounts_are_not_erased_from_the_privacy_page(client, operator_of_queue):
    client.force_login(operator_of_queue)
    response = client.post("/account/privacy/erase/", {"password": "correct-horse-42", "confirm": "on"})
    assert response.status_code == 403
    assert User.objects.get(pk=operator_of_queue.pk).is_active


def test_erasure_page_refuses_get(client, citizen):
    client.force_login(citizen)
    assert client.get("/account/privacy/erase/").status_code == 405
