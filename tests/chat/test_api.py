import io
import uuid

import pytest
from PIL import Image

from chat.models import ChatSession, Phase
from chat.services import chat_message_send, chat_open, chat_rate, chat_resolved_by_bot
from tickets.models import Attachment, Ticket
from tickets.services import TransitionForbidden

pytestmark = pytest.mark.django_db


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def test_citizen_opens_a_chat_that_is_an_appeal_on_the_chat_channel(client_for, citizen_a, account_category):
    response = client_for(citizen_a).post("/api/v1/chats/", {"text": "Не приходит код"}, format="json")
    assert response.status_code == 201
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert ticket.channel == "chat" and ticket.citizen == citizen_a
    assert ChatSession.objects.get(ticket=ticket).phase == Phase.BOT


@pytest.mark.parametrize("persona", ["operator_of_queue", "supervisor"])
def test_staff_cannot_open_a_citizen_chat(request, client_for, persona, account_category):
    assert client_for(request.getfixturevalue(persona)).post("/api/v1/chats/", {}, format="json").status_code == 403


def test_anonymous_cannot_open_a_chat(api_client):
    assert api_client.post("/api/v1/chats/", {}, format="json").status_code == 401


def test_upload_then_send_by_id(client_for, citizen_a, account_category):
    ticket = chat_open(citizen=citizen_a, text="Прикладываю скриншот", category=account_category)
    upload = io.BytesIO(png_bytes())
    upload.name = "screen.png"
    response = client_for(citizen_a).post(
        f"/api/v1/chats/{ticket.number}/attachments/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 201
    attachment_id = response.json()["id"]
    message, created = chat_message_send(
        ticket=ticket, author=citizen_a, text="", client_id=uuid.uuid4(), attachment_ids=[attachment_id]
    )
    assert created and Attachment.objects.get(pk=attachment_id).message == message


def test_upload_refuses_a_file_that_is_not_an_image_or_pdf(client_for, citizen_a, account_category):
    ticket = chat_open(citizen=citizen_a, text="Файл", category=account_category)
    upload = io.BytesIO(b"MZ\x90\x00 not a pdf")
    upload.name = "virus.pdf"
    response = client_for(citizen_a).post(
        f"/api/v1/chats/{ticket.number}/attachments/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 400 and not Attachment.objects.exists()


def test_another_citizen_cannot_upload_to_the_chat(client_for, citizen_a, citizen_b, account_category):
    ticket = chat_open(citizen=citizen_a, text="Файл", category=account_category)
    upload = io.BytesIO(png_bytes())
    upload.name = "a.png"
    response = client_for(citizen_b).post(
        f"/api/v1/chats/{ticket.number}/attachments/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 404


def test_someone_elses_attachment_id_is_refused(citizen_a, citizen_b, account_category):
    from django.core.exceptions import ValidationError

    mine = chat_open(citizen=citizen_a, text="Мой чат", category=account_category)
    theirs = chat_open(citizen=citizen_b, text="Чужой чат", category=account_category)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tickets.services import attachment_upload

    foreign = attachment_upload(ticket=theirs, uploader=citizen_b, file=SimpleUploadedFile("b.png", png_bytes()))
    with pytest.raises(ValidationError):
        chat_message_send(ticket=mine, author=citizen_a, text="", client_id=uuid.uuid4(), attachment_ids=[foreign.pk])


def test_that_helped_closes_the_chat_without_a_person_and_it_can_be_rated(citizen_a, account_category):
    ticket = chat_open(citizen=citizen_a, text="Как сменить пароль", category=account_category)
    chat_message_send(ticket=ticket, author=citizen_a, text="как сменить пароль", client_id=uuid.uuid4())
    chat_resolved_by_bot(ticket=ticket, citizen=citizen_a)
    ticket.refresh_from_db()
    assert ticket.status == "completed" and ticket.assignee is None
    assert chat_rate(ticket=ticket, citizen=citizen_a, score=5).score == 5
    with pytest.raises(TransitionForbidden):
        chat_rate(ticket=ticket, citizen=citizen_a, score=4)


def test_the_first_question_sent_when_opening_gets_the_bots_answer(client_for, citizen_a, account_category):
    response = client_for(citizen_a).post("/api/v1/chats/", {"text": "Не приходит код"}, format="json")
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert list(ticket.messages.values_list("author_kind", flat=True)) == ["citizen", "bot"]


def test_opening_a_chat_never_assigns_it_before_the_citizen_asks_for_a_person(
    client_for, citizen_a, account_category, operator_of_queue
):
    response = client_for(citizen_a).post("/api/v1/chats/", {"text": "Как сменить пароль"}, format="json")
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert ticket.assignee is None and ChatSession.objects.get(ticket=ticket).phase == Phase.BOT


def test_the_chat_upload_refuses_an_appeal_that_is_not_a_chat(client_for, citizen_a, account_category):
    from tickets.models import Channel
    from tickets.services import ticket_create

    letter = ticket_create(
        channel=Channel.EMAIL,
        category=account_category,
        text="Прошу разъяснить порядок восстановления доступа к кабинету.",
        citizen=citizen_a,
        contact_email=citizen_a.email,
    )
    upload = io.BytesIO(png_bytes())
    upload.name = "a.png"
    response = client_for(citizen_a).post(
        f"/api/v1/chats/{letter.number}/attachments/", {"file": upload}, format="multipart"
    )
    assert response.status_code == 404 and not Attachment.objects.exists()


def test_a_boolean_is_not_an_attachment_id(citizen_a, account_category):
    from django.core.exceptions import ValidationError

    ticket = chat_open(citizen=citizen_a, text="Файл", category=account_category)
    with pytest.raises(ValidationError):
        chat_message_send(ticket=ticket, author=citizen_a, text="", client_id=uuid.uuid4(), attachment_ids=[True])
