"""The appeal page for staff: what it shows and what its forms do through the services."""

import pytest
from django.contrib import messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gosupport.models import AuditLog, Line
from tickets.models import Attachment, EventKind, Message, Status
from tickets.services import message_add, ticket_transition

pytestmark = pytest.mark.django_db


def url(name, ticket):
    return reverse(f"workspace:{name}", args=[ticket.number])


@pytest.fixture
def ticket(make_ticket):
    return make_ticket()


@pytest.fixture
def operator_client(signed_in, operator_of_queue):
    return signed_in(operator_of_queue)


def test_page_shows_facts_thread_notes_history_and_earlier_appeals(
    operator_client, operator_of_queue, make_ticket, applications_category
):
    earlier = make_ticket()
    elsewhere = make_ticket(category=applications_category)
    ticket = make_ticket()
    message_add(ticket=ticket, author=operator_of_queue, text="Проверяю учётную запись", internal=True)
    response = operator_client.get(url("ticket", ticket), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Проверяю учётную запись" in html and "Private note" in html
    assert "alice@example.ru" in html
    assert f'href="{url("ticket", earlier)}"' in html
    assert elsewhere.number in html and f'href="{url("ticket", elsewhere)}"' not in html
    assert [d["due"] for d in response.context["deadlines"]] == [ticket.first_response_due, ticket.resolution_due]
    assert [e.kind for e in response.context["events"]][:1] == [EventKind.CREATED]


def test_reply_is_public_and_note_is_internal(operator_client, ticket):
    operator_client.post(url("reply", ticket), {"reply-text": "Сбросьте пароль по ссылке."})
    operator_client.post(url("note", ticket), {"note-text": "Гражданин звонил дважды."})
    assert list(ticket.messages.order_by("seq").values_list("internal", flat=True)) == [False, False, True]
    ticket.refresh_from_db()
    assert ticket.first_responded_at is not None


def test_empty_reply_is_refused_and_nothing_stored(operator_client, ticket):
    response = operator_client.post(url("reply", ticket), {"reply-text": "   "})
    assert response.status_code == 400
    assert response.context["reply_form"].errors
    assert ticket.messages.count() == 1


def test_attach_files_stores_them_on_a_public_message(operator_client, ticket, pdf_file):
    response = operator_client.post(url("attach", ticket), {"attach-files": [pdf_file("a.pdf"), pdf_file("b.pdf")]})
    assert response.status_code == 302
    message = ticket.messages.order_by("-seq").first()
    assert not message.internal
    assert sorted(message.attachments.values_list("original_name", flat=True)) == ["a.pdf", "b.pdf"]


def test_disguised_file_is_refused_and_nothing_stored(operator_client, ticket, pdf_file):
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00" + b"\x00" * 64)
    response = operator_client.post(url("attach", ticket), {"attach-files": [pdf_file(), fake]})
    assert response.status_code == 400
    assert "files" in response.context["attach_form"].errors
    assert not Attachment.objects.exists()
    assert ticket.messages.count() == 1


def test_status_change_goes_through_the_workflow(operator_client, ticket):
    response = operator_client.post(
        url("status", ticket), {"status-to_status": Status.IN_PROGRESS, "status-comment": "Беру"}
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.events.filter(kind=EventKind.STATUS, comment="Беру").exists()


def test_rejection_without_reasons_is_refused_and_nothing_changes(operator_client, ticket):
    response = operator_client.post(url("status", ticket), {"status-to_status": Status.REJECTED})
    assert response.status_code == 400
    errors = response.context["status_form"].errors
    assert {"rejection_reasons", "regulation_references", "appeal_instructions"} <= errors.keys()
    ticket.refresh_from_db()
    assert ticket.status == Status.ACCEPTED
    assert not ticket.events.filter(kind=EventKind.STATUS).exists()


def test_rejection_with_reasons_closes_the_ticket(operator_client, ticket):
    operator_client.post(
        url("status", ticket),
        {
            "status-to_status": Status.REJECTED,
            "status-rejection_reasons": "Нет оснований",
            "status-regulation_references": "210-ФЗ, ст. 7",
            "status-appeal_instructions": "Подайте жалобу в течение 30 дней",
        },
    )
    ticket.refresh_from_db()
    assert ticket.status == Status.REJECTED and ticket.regulation_references == "210-ФЗ, ст. 7"


def test_move_the_workflow_forbids_is_a_clear_error(operator_client, ticket, supervisor):
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, actor=supervisor)
    ticket_transition(ticket=ticket, to_status=Status.WAITING_DOCUMENTS, actor=supervisor)
    response = operator_client.post(url("status", ticket), {"status-to_status": Status.COMPLETED})
    assert response.status_code == 400
    assert "to_status" in response.context["status_form"].errors
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING_DOCUMENTS


def test_status_changed_by_someone_else_meanwhile_shows_the_refusal(operator_client, ticket, supervisor):
    page = operator_client.get(url("ticket", ticket))
    assert Status.IN_PROGRESS in dict(page.context["status_form"].fields["to_status"].choices)
    ticket_transition(
        ticket=ticket,
        to_status=Status.REJECTED,
        actor=supervisor,
        rejection_reasons="x",
        regulation_references="y",
        appeal_instructions="z",
    )
    response = operator_client.post(url("status", ticket), {"status-to_status": Status.IN_PROGRESS})
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert ticket.status == Status.REJECTED


def test_operator_takes_an_unassigned_ticket(signed_in, operator_of_queue, make_ticket):
    operator_of_queue.operator_profile.presence = "offline"
    operator_of_queue.operator_profile.save()
    ticket = make_ticket()
    assert ticket.assignee is None
    response = signed_in(operator_of_queue).post(url("take", ticket))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == operator_of_queue


def test_taking_a_ticket_someone_else_has_is_refused(signed_in, operator_of_queue, second_line_operator, make_ticket):
    ticket = make_ticket()
    assert ticket.assignee == operator_of_queue
    response = signed_in(second_line_operator).post(url("take", ticket), follow=True)
    assert [m.level for m in response.context["messages"]] == [messages.ERROR]
    ticket.refresh_from_db()
    assert ticket.assignee == operator_of_queue


def test_hand_to_the_second_line(operator_client, ticket, second_line_operator, account_category):
    response = operator_client.post(
        url("transfer", ticket),
        {"transfer-queue": account_category.pk, "transfer-line": Line.SECOND, "transfer-comment": "Нужен специалист"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("workspace:queue")
    ticket.refresh_from_db()
    assert ticket.line == Line.SECOND and ticket.assignee == second_line_operator
    assert ticket.events.filter(kind=EventKind.TRANSFERRED, comment="Нужен специалист").exists()


def test_transfer_to_an_unknown_queue_is_refused(operator_client, ticket):
    response = operator_client.post(url("transfer", ticket), {"transfer-queue": 999999, "transfer-line": 1})
    assert response.status_code == 400
    ticket.refresh_from_db()
    assert not ticket.events.filter(kind=EventKind.TRANSFERRED).exists()


def test_get_on_an_action_url_is_not_allowed(operator_client, ticket):
    assert operator_client.get(url("reply", ticket)).status_code == 405
    assert Message.objects.count() == 1


def test_completion_may_carry_a_result_document(operator_client, ticket, supervisor, pdf_file):
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, actor=supervisor)
    response = operator_client.post(
        url("status", ticket),
        {
            "status-to_status": Status.COMPLETED,
            "status-resolution": "Доступ восстановлен",
            "status-result_files": [pdf_file("result.pdf")],
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.COMPLETED
    assert ticket.attachments.get(is_result_document=True).original_name == "result.pdf"


def test_result_document_on_a_non_completion_is_refused_and_nothing_stored(operator_client, ticket, pdf_file):
    response = operator_client.post(
        url("status", ticket), {"status-to_status": Status.IN_PROGRESS, "status-result_files": [pdf_file()]}
    )
    assert response.status_code == 400
    assert "result_files" in response.context["status_form"].errors
    ticket.refresh_from_db()
    assert ticket.status == Status.ACCEPTED and not Attachment.objects.exists()


def test_opening_the_page_audits_reading_the_citizens_data(operator_client, operator_of_queue, ticket, citizen_a):
    operator_client.get(url("ticket", ticket))
    record = AuditLog.objects.get(action="read", object_id=str(citizen_a.pk))
    assert record.actor == operator_of_queue and "email" in record.fields
    assert "alice@example.ru" not in record.detail


def test_refused_page_audits_nothing(signed_in, operator_of_other_queue, ticket):
    assert signed_in(operator_of_other_queue).get(url("ticket", ticket)).status_code == 404
    assert not AuditLog.objects.filter(action="read").exists()
