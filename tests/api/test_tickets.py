"""Appeals through the API: filing, listing with filters, reading, writing, moving, rating."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from gosupport.models import Notification
from tests.api.conftest import APPEAL_TEXT, appeal_of, closed_appeal_of, jpeg_bytes, pdf_bytes, png_upload
from tickets.models import Attachment, Message, Rating, Status, Ticket, TicketEvent
from tickets.services import message_add, ticket_transition

TICKETS_URL = "/api/v1/tickets/"
CONTRACT_FIELDS = {"number", "status", "channel", "created_at", "first_response_due", "resolution_due"}
MOSCOW = ZoneInfo("Europe/Moscow")


def detail_url(number: str, tail: str = "") -> str:
    return f"{TICKETS_URL}{number}/{tail}"


def appeal_body(**changes):
    body = {"category": "account-access", "text": APPEAL_TEXT, "contact_email": "alice@example.ru"}
    body.update(changes)
    return {key: value for key, value in body.items() if value is not None}


def nothing_stored() -> bool:
    return not (
        Ticket.objects.exists()
        or Message.objects.exists()
        or Attachment.objects.exists()
        or TicketEvent.objects.exists()
        or Notification.objects.exists()
    )


# Filing


def test_citizen_files_an_appeal_and_gets_the_contract_fields(client_for, citizen_a, account_category, form_policy):
    response = client_for(citizen_a).post(TICKETS_URL, appeal_body(rating=5), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert CONTRACT_FIELDS <= set(body)
    ticket = Ticket.objects.get(number=body["number"])
    assert ticket.citizen == citizen_a and ticket.initial_rating == 5
    assert body["status"] == "accepted" and body["channel"] == "form"
    assert datetime.fromisoformat(body["resolution_due"]) == ticket.resolution_due
    assert datetime.fromisoformat(body["created_at"]).utcoffset() is not None


def test_citizen_files_an_appeal_with_files_by_multipart(client_for, citizen_a, account_category):
    body = appeal_body(contact_email=None, contact_phone="+7 916 123-45-67")
    body["files[]"] = [
        png_upload("passport.png"),
        SimpleUploadedFile("photo.jpg", jpeg_bytes()),
        SimpleUploadedFile("statement.pdf", pdf_bytes()),
    ]

    response = client_for(citizen_a).post(TICKETS_URL, body, format="multipart")

    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert ticket.contact_phone == "+79161234567"
    assert sorted(ticket.attachments.values_list("content_type", flat=True)) == [
        "application/pdf",
        "image/jpeg",
        "image/png",
    ]


def test_files_field_without_brackets_is_accepted_too(client_for, citizen_a, account_category):
    body = appeal_body(files=[png_upload()])

    response = client_for(citizen_a).post(TICKETS_URL, body, format="multipart")

    assert response.status_code == 201, response.content
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"category": "no-such-category"}, "category"),
        ({"category": None}, "category"),
        ({"category": 7}, "category"),
        ({"category": ["account-access"]}, "category"),
        ({"text": "Слишком коротко"}, "text"),
        ({"text": "я" * 501}, "text"),
        ({"contact_email": None}, "contact_email"),
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"rating": 6}, "rating"),
        ({"rating": 0}, "rating"),
        ({"rating": "five"}, "rating"),
    ],
)
def test_bad_appeal_is_refused_and_nothing_is_stored(client_for, citizen_a, account_category, changes, field):
    response = client_for(citizen_a).post(TICKETS_URL, appeal_body(**changes), format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert nothing_stored()


def test_inactive_category_is_refused(client_for, citizen_a, account_category):
    account_category.is_active = False
    account_category.save()

    response = client_for(citizen_a).post(TICKETS_URL, appeal_body(), format="json")

    assert response.status_code == 400 and "category" in response.json()
    assert nothing_stored()


def test_file_that_is_not_pdf_jpg_or_png_by_content_is_refused(client_for, citizen_a, account_category, tmp_path):
    disguised = SimpleUploadedFile("statement.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
    body = appeal_body(files=[png_upload(), disguised])

    response = client_for(citizen_a).post(TICKETS_URL, body, format="multipart")

    assert response.status_code == 400
    assert "files" in response.json()
    assert nothing_stored()


def test_files_one_byte_over_five_megabytes_are_refused_as_too_large(client_for, citizen_a, account_category, settings):
    limit = settings.ATTACHMENTS_MAX_TOTAL_BYTES
    first = png_upload("a.png", padding=limit // 2)
    second_padding = limit + 1 - first.size - len(png_upload().read())
    body = appeal_body(files=[first, png_upload("b.png", padding=second_padding)])
    assert sum(upload.size for upload in body["files"]) == limit + 1

    response = client_for(citizen_a).post(TICKETS_URL, body, format="multipart")

    assert response.status_code == 413
    assert "files" in response.json()
    assert nothing_stored()


def test_files_of_exactly_five_megabytes_are_accepted(client_for, citizen_a, account_category, settings):
    upload = png_upload(padding=0)
    upload = png_upload(padding=settings.ATTACHMENTS_MAX_TOTAL_BYTES - upload.size)

    response = client_for(citizen_a).post(TICKETS_URL, appeal_body(files=[upload]), format="multipart")

    assert response.status_code == 201, response.content


def test_staff_cannot_file_an_appeal_as_a_citizen(client_for, operator_of_queue, account_category):
    response = client_for(operator_of_queue).post(TICKETS_URL, appeal_body(), format="json")

    assert response.status_code == 403
    assert nothing_stored()


# Listing


def numbers(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["number"] for row in response.json()["results"]}


def test_list_is_paginated(client_for, citizen_a, account_category):
    appeals = [appeal_of(citizen_a, account_category) for _ in range(3)]

    first = client_for(citizen_a).get(TICKETS_URL, {"page_size": 2})
    second = client_for(citizen_a).get(TICKETS_URL, {"page_size": 2, "page": 2})

    assert first.json()["count"] == 3 and first.json()["next"]
    assert numbers(first) | numbers(second) == {appeal.number for appeal in appeals}
    assert len(numbers(first)) == 2


def test_list_filters_by_status_channel_and_category(
    client_for, citizen_a, account_category, applications_category, operator_of_queue
):
    in_progress = appeal_of(citizen_a, account_category)
    ticket_transition(ticket=in_progress, to_status=Status.IN_PROGRESS, actor=operator_of_queue)
    other_category = appeal_of(citizen_a, applications_category)
    client = client_for(citizen_a)

    assert numbers(client.get(TICKETS_URL, {"status": "in_progress"})) == {in_progress.number}
    assert numbers(client.get(TICKETS_URL, {"category": "applications"})) == {other_category.number}
    assert numbers(client.get(TICKETS_URL, {"channel": "form"})) == {in_progress.number, other_category.number}
    assert numbers(client.get(TICKETS_URL, {"channel": "chat"})) == set()


def test_list_filters_by_a_parent_category_include_its_children(client_for, citizen_a, account_category):
    from tests.factories import CategoryFactory

    child = CategoryFactory(slug="password", parent=account_category)
    appeal = appeal_of(citizen_a, child)

    assert numbers(client_for(citizen_a).get(TICKETS_URL, {"category": "account-access"})) == {appeal.number}


def test_list_filters_by_creation_dates(client_for, citizen_a, account_category):
    with time_machine.travel(datetime(2026, 3, 2, 10, 0, tzinfo=MOSCOW), tick=False):
        march = appeal_of(citizen_a, account_category)
    with time_machine.travel(datetime(2026, 4, 10, 23, 30, tzinfo=MOSCOW), tick=False):
        april = appeal_of(citizen_a, account_category)
    client = client_for(citizen_a)

    assert numbers(client.get(TICKETS_URL, {"created_after": "2026-04-01"})) == {april.number}
    assert numbers(client.get(TICKETS_URL, {"created_before": "2026-04-10"})) == {march.number, april.number}
    assert numbers(client.get(TICKETS_URL, {"created_before": "2026-04-09"})) == {march.number}
    moment = {"created_after": "2026-03-02T10:00:01+03:00", "created_before": "2026-04-10T20:31:00Z"}
    assert numbers(client.get(TICKETS_URL, moment)) == {april.number}


def test_list_searches_by_number_or_text(client_for, citizen_a, account_category):
    wanted = appeal_of(citizen_a, account_category)
    other = appeal_of(citizen_a, account_category, text="Не приходит СМС с кодом подтверждения при входе в кабинет.")
    client = client_for(citizen_a)

    assert numbers(client.get(TICKETS_URL, {"q": wanted.number})) == {wanted.number}
    assert numbers(client.get(TICKETS_URL, {"q": wanted.number.replace("-", "")})) == {wanted.number}
    assert numbers(client.get(TICKETS_URL, {"q": "СМС с кодом"})) == {other.number}
    if connection.vendor == "postgresql":  # SQLite's LIKE folds the case of ASCII letters only
        assert numbers(client.get(TICKETS_URL, {"q": "смс с кодом"})) == {other.number}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"status": "lost"}, "status"),
        ({"channel": "pigeon"}, "channel"),
        ({"created_after": "yesterday"}, "created_after"),
        ({"created_before": "2026-13-01"}, "created_before"),
    ],
)
def test_bad_list_filter_is_a_clear_error(client_for, citizen_a, params, field):
    response = client_for(citizen_a).get(TICKETS_URL, params)

    assert response.status_code == 400
    assert field in response.json()


def test_operator_list_is_their_queue(
    client_for, citizen_a, citizen_b, account_category, applications_category, operator_of_queue
):
    mine = [appeal_of(citizen_a, account_category), appeal_of(citizen_b, account_category)]
    appeal_of(citizen_b, applications_category)

    assert numbers(client_for(operator_of_queue).get(TICKETS_URL)) == {appeal.number for appeal in mine}


# Reading


def test_detail_shows_history_and_public_messages_to_the_citizen(client_for, citizen_a, operator_of_queue, appeal_of_a):
    assert appeal_of_a.events.filter(kind="assigned").exists()
    ticket_transition(ticket=appeal_of_a, to_status=Status.IN_PROGRESS, actor=operator_of_queue, comment="Смотрим")
    message_add(ticket=appeal_of_a, author=operator_of_queue, text="Проверьте почту.")
    message_add(ticket=appeal_of_a, author=operator_of_queue, text="Похоже на блокировку", internal=True)

    body = client_for(citizen_a).get(detail_url(appeal_of_a.number)).json()

    status_events = [event for event in body["events"] if event["kind"] == "status"]
    assert status_events == [
        {
            "at": status_events[0]["at"],
            "kind": "status",
            "actor": operator_of_queue.full_name() or "olga",
            "comment": "Смотрим",
            "from": "accepted",
            "to": "in_progress",
        }
    ]
    assert {event["kind"] for event in body["events"]} <= {"created", "status", "documents_added", "rated"}
    assert [message["text"] for message in body["messages"]] == [APPEAL_TEXT, "Проверьте почту."]
    assert body["messages"][1]["author"] == "operator"


def test_detail_shows_private_notes_and_assignments_to_staff(client_for, operator_of_queue, appeal_of_a):
    message_add(ticket=appeal_of_a, author=operator_of_queue, text="Похоже на блокировку", internal=True)

    body = client_for(operator_of_queue).get(detail_url(appeal_of_a.number)).json()

    assert body["messages"][-1]["internal"] is True
    assert "assigned" in {event["kind"] for event in body["events"]}


def test_unknown_number_is_not_found(client_for, citizen_a, supervisor):
    assert client_for(citizen_a).get(detail_url("0000-0000")).status_code == 404
    assert client_for(supervisor).get(detail_url("nonsense")).status_code == 404


# Writing


def test_citizen_adds_a_message_with_a_file(client_for, citizen_a, appeal_of_a):
    response = client_for(citizen_a).post(
        detail_url(appeal_of_a.number, "messages/"), {"text": "Вот скан.", "files": [png_upload()]}, format="multipart"
    )

    assert response.status_code == 201, response.content
    assert response.json()["author"] == "citizen" and len(response.json()["attachments"]) == 1
    assert appeal_of_a.messages.count() == 2


def test_operator_private_note_is_hidden_from_the_citizen(client_for, citizen_a, appeal_of_a, operator_of_queue):
    response = client_for(operator_of_queue).post(
        detail_url(appeal_of_a.number, "messages/"), {"text": "Проверить вручную", "internal": True}, format="json"
    )

    assert response.status_code == 201 and response.json()["internal"] is True
    citizen_view = client_for(citizen_a).get(detail_url(appeal_of_a.number)).json()
    assert "Проверить вручную" not in [message["text"] for message in citizen_view["messages"]]


@pytest.mark.parametrize("body", [{"text": ""}, {"text": "   "}, {"text": "Секрет", "internal": True}])
def test_bad_citizen_message_is_refused_and_nothing_stored(client_for, citizen_a, appeal_of_a, body):
    response = client_for(citizen_a).post(detail_url(appeal_of_a.number, "messages/"), body, format="json")

    assert response.status_code == 400
    assert appeal_of_a.messages.count() == 1


def test_message_with_a_disguised_file_stores_nothing(client_for, citizen_a, appeal_of_a):
    fake = SimpleUploadedFile("scan.png", b"GIF89a" + b"\x00" * 50)

    response = client_for(citizen_a).post(
        detail_url(appeal_of_a.number, "messages/"), {"text": "Скан", "files": [fake]}, format="multipart"
    )

    assert response.status_code == 400 and "files" in response.json()
    assert appeal_of_a.messages.count() == 1 and not Attachment.objects.exists()


def test_message_files_over_the_appeals_total_are_too_large(client_for, citizen_a, appeal_of_a, settings):
    half = settings.ATTACHMENTS_MAX_TOTAL_BYTES // 2
    url = detail_url(appeal_of_a.number, "messages/")
    scan = SimpleUploadedFile("scan.pdf", pdf_bytes(padding=half))
    first = client_for(citizen_a).post(url, {"text": "Скан 1", "files": [scan]})

    second = client_for(citizen_a).post(url, {"text": "Скан 2", "files": [png_upload(padding=half)]})

    assert first.status_code == 201 and second.status_code == 413
    assert "files" in second.json()
    assert appeal_of_a.messages.count() == 2 and appeal_of_a.attachments.count() == 1


def test_citizen_cannot_write_to_a_closed_appeal(client_for, citizen_a, account_category, operator_of_queue):
    closed = closed_appeal_of(citizen_a, account_category, operator_of_queue)

    response = client_for(citizen_a).post(detail_url(closed.number, "messages/"), {"text": "Ещё вопрос"}, format="json")

    assert response.status_code == 409 and "detail" in response.json()
    assert closed.messages.count() == 1


# Moving


def test_operator_takes_an_appeal_in_progress(client_for, citizen_a, appeal_of_a, operator_of_queue):
    response = client_for(operator_of_queue).post(
        detail_url(appeal_of_a.number, "status/"), {"status": "in_progress", "comment": "Начали"}, format="json"
    )

    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_progress"
    assert appeal_of_a.events.filter(kind="status", to_status="in_progress", comment="Начали").exists()


def test_forbidden_move_is_a_conflict_and_changes_nothing(client_for, appeal_of_a, operator_of_queue):
    response = client_for(operator_of_queue).post(
        detail_url(appeal_of_a.number, "status/"), {"status": "completed"}, format="json"
    )

    assert response.status_code == 409 and "detail" in response.json()
    appeal_of_a.refresh_from_db()
    assert appeal_of_a.status == Status.ACCEPTED
    assert not appeal_of_a.events.filter(kind="status").exists()


def test_rejection_without_reasons_is_refused(client_for, appeal_of_a, operator_of_queue):
    response = client_for(operator_of_queue).post(
        detail_url(appeal_of_a.number, "status/"), {"status": "rejected"}, format="json"
    )

    assert response.status_code == 400
    assert set(response.json()) == {"rejection_reasons", "regulation_references", "appeal_instructions"}
    appeal_of_a.refresh_from_db()
    assert appeal_of_a.status == Status.ACCEPTED


def test_rejection_with_reasons_closes_the_appeal(client_for, appeal_of_a, operator_of_queue):
    body = {
        "status": "rejected",
        "rejection_reasons": "Вопрос не относится к компетенции центра.",
        "regulation_references": "210-ФЗ, ст. 11.1",
        "appeal_instructions": "Решение можно обжаловать в досудебном порядке.",
    }

    response = client_for(operator_of_queue).post(detail_url(appeal_of_a.number, "status/"), body, format="json")

    assert response.status_code == 200
    appeal_of_a.refresh_from_db()
    assert appeal_of_a.status == Status.REJECTED and appeal_of_a.regulation_references == "210-ФЗ, ст. 11.1"


def test_unknown_status_is_a_clear_error(client_for, appeal_of_a, operator_of_queue):
    response = client_for(operator_of_queue).post(
        detail_url(appeal_of_a.number, "status/"), {"status": "lost"}, format="json"
    )

    assert response.status_code == 400 and "status" in response.json()


def test_completion_may_carry_result_documents(client_for, appeal_of_a, operator_of_queue):
    ticket_transition(ticket=appeal_of_a, to_status=Status.IN_PROGRESS, actor=operator_of_queue)
    body = {"status": "completed", "resolution": "Готово", "result_files": [png_upload("answer.png")]}

    response = client_for(operator_of_queue).post(detail_url(appeal_of_a.number, "status/"), body, format="multipart")

    assert response.status_code == 200, response.content
    assert appeal_of_a.attachments.filter(is_result_document=True).count() == 1


def test_status_change_of_an_unknown_number_is_not_found(client_for, operator_of_queue):
    response = client_for(operator_of_queue).post(detail_url("9999-9999", "status/"), {"status": "in_progress"})

    assert response.status_code == 404


# Rating


def test_citizen_rates_a_closed_appeal_once(client_for, citizen_a, account_category, operator_of_queue):
    closed = closed_appeal_of(citizen_a, account_category, operator_of_queue)
    url = detail_url(closed.number, "rating/")

    first = client_for(citizen_a).post(url, {"score": 5, "comment": "Спасибо"}, format="json")
    second = client_for(citizen_a).post(url, {"score": 1}, format="json")

    assert first.status_code == 201 and first.json() == {"score": 5, "comment": "Спасибо"}
    assert second.status_code == 409
    assert Rating.objects.get(ticket=closed).score == 5


@pytest.mark.parametrize("body", [{"score": 6}, {"score": 0}, {"score": "отлично"}, {}])
def test_bad_rating_is_refused_and_nothing_stored(client_for, citizen_a, account_category, operator_of_queue, body):
    closed = closed_appeal_of(citizen_a, account_category, operator_of_queue)

    response = client_for(citizen_a).post(detail_url(closed.number, "rating/"), body, format="json")

    assert response.status_code == 400 and "score" in response.json()
    assert not Rating.objects.exists()


def test_open_appeal_cannot_be_rated_yet(client_for, citizen_a, appeal_of_a):
    response = client_for(citizen_a).post(detail_url(appeal_of_a.number, "rating/"), {"score": 4}, format="json")

    assert response.status_code == 409
    assert not Rating.objects.exists()
