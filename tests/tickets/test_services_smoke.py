import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tickets.models import Attachment, Status, Ticket
from tickets.services import TransitionForbidden, ticket_create, ticket_transition

TEXT = "Не могу войти в личный кабинет, пишет неверный пароль."


def make_ticket(citizen, category, **kwargs):
    return ticket_create(
        channel="form", category=category, text=TEXT, citizen=citizen, contact_email=citizen.email, **kwargs
    )


def test_form_ticket_gets_number_deadlines_and_history(citizen_a, account_category, form_policy):
    ticket = make_ticket(citizen_a, account_category)
    assert len(ticket.number) == 9 and ticket.number.replace("-", "").isdigit()
    assert ticket.status == Status.ACCEPTED
    assert (ticket.first_response_due - ticket.created_at).total_seconds() == 24 * 3600
    assert list(ticket.events.values_list("kind", flat=True)) == ["created"]
    assert ticket.messages.get().seq == 1


def test_short_text_stores_nothing(citizen_a, account_category):
    with pytest.raises(ValidationError) as error:
        ticket_create(
            channel="form", category=account_category, text="short", citizen=citizen_a, contact_email="a@b.ru"
        )
    assert "text" in error.value.message_dict
    assert not Ticket.objects.exists()


def test_executable_named_pdf_is_refused_and_nothing_stored(citizen_a, account_category):
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    with pytest.raises(ValidationError):
        make_ticket(citizen_a, account_category, files=[fake])
    assert not Ticket.objects.exists() and not Attachment.objects.exists()


def test_rejection_requires_reasons_and_forbidden_moves_raise(citizen_a, account_category, operator_of_queue):
    ticket = make_ticket(citizen_a, account_category)
    with pytest.raises(TransitionForbidden):
        ticket_transition(ticket=ticket, to_status=Status.COMPLETED, actor=operator_of_queue)
    with pytest.raises(ValidationError):
        ticket_transition(ticket=ticket, to_status=Status.REJECTED, actor=operator_of_queue)
    ticket = ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, actor=operator_of_queue)
    assert ticket.events.filter(kind="status", from_status="accepted", to_status="in_progress").exists()
