"""The chat pages through the Django client: who may open them, and that they read
without JavaScript (the transcript is server-rendered, the feedback form is offered)."""

import io
import re
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from chat.models import ChatSession, Phase
from chat.services import chat_accept, chat_close, chat_handoff, chat_message_send, chat_open
from gosupport.models import AuditLog, Category, OperatorProfile, Presence
from knowledgebase.models import CannedResponse
from tickets.models import AuthorKind, Channel, Rating, Ticket
from tickets.services import attachment_upload, message_add, ticket_create

pytestmark = pytest.mark.django_db

PERSONAS = ["citizen_a", "citizen_b", "operator_of_queue", "operator_of_other_queue", "supervisor"]


@pytest.fixture
def signed_in(client, request, settings):
    """A Django client signed in as the persona, reading English (the msgids the tests quote)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    def sign_in(persona: str):
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        return client

    return sign_in


@pytest.fixture
def chat(citizen_a, account_category):
    return chat_open(citizen=citizen_a, text="Не приходит СМС с кодом", category=account_category)


@pytest.fixture
def assigned_chat(chat, citizen_a, operator_of_queue):
    chat_handoff(ticket=chat, actor=citizen_a)
    chat_accept(ticket=chat, operator=operator_of_queue)
    return chat


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def say(ticket, author, text):
    return chat_message_send(ticket=ticket, author=author, text=text, client_id=uuid.uuid4())[0]


# --- the citizen's start page -------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in_from_the_chat(client):
    response = client.get(reverse("chat:start"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize(("persona", "status"), [("citizen_a", 200), ("operator_of_queue", 404), ("supervisor", 404)])
def test_only_citizens_open_the_chat_start_page(signed_in, account_category, persona, status):
    assert signed_in(persona).get(reverse("chat:start")).status_code == status


def test_start_page_says_what_to_have_ready_and_prefills_the_faq_question(signed_in, account_category):
    response = signed_in("citizen_a").get(reverse("chat:start"), {"q": "Не приходит код"})
    page = response.content.decode()
    assert "number of your appeal or of your application" in page
    assert "screenshots" in page
    assert re.search(r"<textarea[^>]*name=\"text\"[^>]*>\s*Не приходит код</textarea>", page)


def test_still_need_help_in_the_faq_leads_to_the_chat_with_the_question(signed_in, account_category):
    client = signed_in("citizen_a")
    response = client.get(reverse("kb:still_need_help"), {"to": "chat", "q": "Где мой паспорт"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("chat:start"))
    assert "Где мой паспорт</textarea>" in response.content.decode()


def test_citizen_starts_a_chat_and_the_bot_answers_the_first_question(signed_in, citizen_a, account_category):
    response = signed_in("citizen_a").post(reverse("chat:start"), {"text": "Не приходит код из СМС"})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == reverse("chat:room", args=[ticket.number])
    assert ticket.channel == Channel.CHAT and ticket.citizen == citizen_a
    assert ChatSession.objects.get(ticket=ticket).phase == Phase.BOT
    authors = list(ticket.messages.order_by("seq").values_list("author_kind", flat=True))
    assert authors == [AuthorKind.CITIZEN, AuthorKind.BOT]


def test_citizen_starts_a_chat_without_a_question(signed_in, account_category):
    response = signed_in("citizen_a").post(reverse("chat:start"), {"text": "  "})
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert not ticket.messages.filter(author_kind=AuthorKind.BOT).exists()


def test_too_long_a_first_question_is_refused_and_nothing_is_stored(signed_in, account_category):
    response = signed_in("citizen_a").post(reverse("chat:start"), {"text": "я" * 4001})
    assert response.status_code == 400
    assert "text_error" in response.content.decode()
    assert not Ticket.objects.exists() and not ChatSession.objects.exists()


def test_without_any_category_the_chat_says_it_is_unavailable_and_stores_nothing(signed_in, db):
    Category.objects.all().delete()
    response = signed_in("citizen_a").post(reverse("chat:start"), {"text": "Помогите"})
    assert response.status_code == 400
    assert "no categories are configured" in response.content.decode()
    assert not Ticket.objects.exists()


def test_staff_cannot_open_a_chat_through_the_page(signed_in, account_category):
    assert signed_in("operator_of_queue").post(reverse("chat:start"), {"text": "Тест"}).status_code == 404
    assert not Ticket.objects.exists()


def test_the_chat_start_page_refuses_other_methods(signed_in, account_category):
    assert signed_in("citizen_a").put(reverse("chat:start")).status_code == 405


# --- the citizen's chat room --------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("citizen_a", 200),
        ("citizen_b", 404),
        ("operator_of_other_queue", 404),
        ("operator_of_queue", 302),
        ("supervisor", 302),
    ],
)
def test_who_may_open_a_chat_room(signed_in, chat, persona, status):
    response = signed_in(persona).get(reverse("chat:room", args=[chat.number]))
    assert response.status_code == status
    if status == 302:
        assert response.url == reverse("chat:desk_chat", args=[chat.number])


def test_anonymous_visitor_is_sent_to_sign_in_from_a_chat_room(client, chat):
    response = client.get(reverse("chat:room", args=[chat.number]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_an_appeal_from_the_form_is_not_a_chat_room(signed_in, citizen_a, account_category, form_policy):
    appeal = ticket_create(
        channel=Channel.FORM,
        category=account_category,
        text="Письменное обращение " * 3,
        citizen=citizen_a,
        contact_email=citizen_a.email,
    )
    assert signed_in("citizen_a").get(reverse("chat:room", args=[appeal.number])).status_code == 404


def test_unknown_chat_number_is_404(signed_in, account_category):
    assert signed_in("citizen_a").get(reverse("chat:room", args=["NOPE-1"])).status_code == 404


def test_room_reads_without_javascript_and_never_shows_private_notes(
    signed_in, assigned_chat, operator_of_queue, citizen_a
):
    say(assigned_chat, citizen_a, "Код так и не пришёл")
    message_add(
        ticket=assigned_chat, author=operator_of_queue, text="Заметка: проверить оператора связи", internal=True
    )
    say(assigned_chat, operator_of_queue, "Проверяю ваш номер")
    page = signed_in("citizen_a").get(reverse("chat:room", args=[assigned_chat.number])).content.decode()
    assert "Код так и не пришёл" in page and "Проверяю ваш номер" in page
    assert "проверить оператора связи" not in page
    assert 'role="log"' in page and 'aria-live="polite"' in page
    assert "<noscript>" in page and reverse("portal:appeal_create") in page
    assert f'data-complete-to-seq="{assigned_chat.messages.count()}"' in page
    assert "Operator Иван is answering." in page
    assert "<script>" not in page and " on" + "click=" not in page


def test_room_shows_the_place_in_the_queue(signed_in, chat, citizen_a, operator_of_queue):
    OperatorProfile.objects.filter(user=operator_of_queue).update(presence=Presence.OFFLINE)
    chat_handoff(ticket=chat, actor=citizen_a)
    page = signed_in("citizen_a").get(reverse("chat:room", args=[chat.number])).content.decode()
    assert "Your place in the queue: 1." in page and 'data-status="queued"' in page


def test_bot_answers_render_links_and_quick_replies(signed_in, chat, citizen_a):
    message_add(
        ticket=chat,
        author=None,
        author_kind=AuthorKind.BOT,
        text="Вот что может помочь:",
        actions=[
            {"type": "link", "title": "Как восстановить доступ", "url": "/help/faq/access/"},
            {"type": "helped", "label": "Это помогло"},
            {"type": "handoff", "label": "Позвать оператора"},
        ],
    )
    page = signed_in("citizen_a").get(reverse("chat:room", args=[chat.number])).content.decode()
    assert '<a class="chat-action-link" href="/help/faq/access/">Как восстановить доступ</a>' in page
    assert 'data-chat-action="helped"' in page and "Это помогло" in page
    assert 'data-chat-action="handoff"' in page


def test_a_closed_chat_offers_the_rating_that_works_without_javascript(
    signed_in, assigned_chat, operator_of_queue, citizen_a
):
    say(assigned_chat, operator_of_queue, "Код отправлен повторно")
    chat_close(ticket=assigned_chat, operator=operator_of_queue, resolution="Код отправлен")
    client = signed_in("citizen_a")
    page = client.get(reverse("chat:room", args=[assigned_chat.number])).content.decode()
    assert re.search(r'<section class="card chat-rating"[^>]*data-chat-rating>', page)
    assert reverse("portal:appeal_rate", args=[assigned_chat.number]) in page
    response = client.post(reverse("portal:appeal_rate", args=[assigned_chat.number]), {"score": "5"})
    assert response.status_code == 302 and Rating.objects.get(ticket=assigned_chat).score == 5
    page = client.get(reverse("chat:room", args=[assigned_chat.number])).content.decode()
    assert "data-chat-rating-form" not in page and "Thank you for your rating." in page


def test_an_open_chat_keeps_the_rating_hidden(signed_in, assigned_chat):
    page = signed_in("citizen_a").get(reverse("chat:room", args=[assigned_chat.number])).content.decode()
    assert re.search(r'<section class="card chat-rating"[^>]*data-chat-rating hidden>', page)


def test_a_file_sent_in_the_chat_links_to_the_citizens_download(signed_in, chat, citizen_a):
    upload = SimpleUploadedFile("screen.png", png_bytes(), content_type="image/png")
    attachment = attachment_upload(ticket=chat, uploader=citizen_a, file=upload)
    chat_message_send(ticket=chat, author=citizen_a, text="", client_id=uuid.uuid4(), attachment_ids=[attachment.pk])
    page = signed_in("citizen_a").get(reverse("chat:room", args=[chat.number])).content.decode()
    assert reverse("portal:attachment_download", args=[chat.number, attachment.pk]) in page
    assert ">screen.png</a>" in page


# --- the operator's desk ----------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in_from_the_desk(client):
    response = client.get(reverse("chat:desk"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("persona", "status"),
    [("citizen_a", 404), ("operator_of_queue", 200), ("operator_of_other_queue", 200), ("supervisor", 200)],
)
def test_only_staff_open_the_desk(signed_in, persona, status):
    assert signed_in(persona).get(reverse("chat:desk")).status_code == status


def test_desk_shows_the_operators_chats_with_notes_marked_and_the_citizen(
    signed_in, assigned_chat, operator_of_queue, citizen_a, account_category
):
    earlier = chat_open(citizen=citizen_a, text="Прошлый вопрос", category=account_category)
    say(assigned_chat, citizen_a, "Код так и не пришёл")
    message_add(ticket=assigned_chat, author=operator_of_queue, text="Проверить оператора связи", internal=True)
    page = signed_in("operator_of_queue").get(reverse("chat:desk")).content.decode()
    assert f'data-number="{assigned_chat.number}"' in page and 'data-role="staff"' in page
    assert "Код так и не пришёл" in page
    assert re.search(r"chat-msg--internal.*?Private note.*?Проверить оператора связи", page, re.S)
    assert "Смирнова Алиса" in page and "alice@example.ru" in page
    assert reverse("workspace:ticket", args=[earlier.number]) in page
    assert reverse("workspace:note", args=[assigned_chat.number]) in page
    assert reverse("workspace:reply", args=[assigned_chat.number]) in page
    assert 'value="second_line"' in page and 'value="account-access"' in page


def test_desk_does_not_show_chats_of_other_operators(signed_in, assigned_chat):
    page = signed_in("operator_of_other_queue").get(reverse("chat:desk")).content.decode()
    assert assigned_chat.number not in page and "You have no open chats." in page


def test_desk_shows_a_pending_offer_with_its_deadline(signed_in, chat, citizen_a, operator_of_queue):
    chat_handoff(ticket=chat, actor=citizen_a)
    session = ChatSession.objects.get(ticket=chat)
    assert session.offered_to == operator_of_queue
    page = signed_in("operator_of_queue").get(reverse("chat:desk")).content.decode()
    assert f'data-offer="{chat.number}"' in page and "data-expires-at=" in page
    assert f'data-accept="{chat.number}"' in page


def test_desk_lists_no_more_chats_than_the_operators_capacity(
    signed_in, citizen_a, operator_of_queue, account_category
):
    numbers = []
    for n in range(3):
        ticket = chat_open(citizen=citizen_a, text=f"Вопрос {n}", category=account_category)
        chat_handoff(ticket=ticket, actor=citizen_a)
        chat_accept(ticket=ticket, operator=operator_of_queue)
        numbers.append(ticket.number)
    OperatorProfile.objects.filter(user=operator_of_queue).update(capacity=2)
    page = signed_in("operator_of_queue").get(reverse("chat:desk")).content.decode()
    assert [number for number in numbers if f'data-number="{number}"' in page] == numbers[:2]
    assert "You take up to 2 chats at once." in page


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("citizen_a", 404),
        ("citizen_b", 404),
        ("operator_of_other_queue", 404),
        ("operator_of_queue", 200),
        ("supervisor", 200),
    ],
)
def test_who_may_open_a_chat_on_the_desk(signed_in, assigned_chat, persona, status):
    assert signed_in(persona).get(reverse("chat:desk_chat", args=[assigned_chat.number])).status_code == status


def test_anonymous_visitor_is_sent_to_sign_in_from_a_desk_chat(client, chat):
    response = client.get(reverse("chat:desk_chat", args=[chat.number]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_an_appeal_from_the_form_is_not_a_desk_chat(signed_in, citizen_a, account_category, form_policy):
    appeal = ticket_create(
        channel=Channel.FORM,
        category=account_category,
        text="Письменное обращение " * 3,
        citizen=citizen_a,
        contact_email=citizen_a.email,
    )
    assert signed_in("operator_of_queue").get(reverse("chat:desk_chat", args=[appeal.number])).status_code == 404


def test_reading_the_citizen_on_the_desk_is_audited(signed_in, assigned_chat, operator_of_queue, citizen_a):
    signed_in("operator_of_queue").get(reverse("chat:desk_chat", args=[assigned_chat.number]))
    record = AuditLog.objects.get(actor=operator_of_queue, detail=f"chat desk {assigned_chat.number}")
    assert record.object_id == str(citizen_a.pk) and "email" in record.fields


def test_operator_sets_presence_without_javascript(signed_in, operator_of_queue):
    response = signed_in("operator_of_queue").post(reverse("chat:desk_presence"), {"status": "away"})
    assert response.status_code == 302 and response.url == reverse("chat:desk")
    assert OperatorProfile.objects.get(user=operator_of_queue).presence == Presence.AWAY


def test_unknown_presence_is_refused_and_changes_nothing(signed_in, operator_of_queue):
    response = signed_in("operator_of_queue").post(reverse("chat:desk_presence"), {"status": "sleeping"})
    assert response.status_code == 400 and "status_error" in response.content.decode()
    assert OperatorProfile.objects.get(user=operator_of_queue).presence == Presence.ONLINE


def test_citizen_cannot_post_a_presence(signed_in):
    assert signed_in("citizen_a").post(reverse("chat:desk_presence"), {"status": "online"}).status_code == 404


@pytest.fixture
def canned(account_category):
    return CannedResponse.objects.create(
        title="Приветствие",
        shortcut="hello",
        body="Здравствуйте, {citizen_name}! Обращение {ticket_number}.",
        lang="ru",
    )


def test_a_canned_response_is_filled_in_for_the_chat(signed_in, assigned_chat, canned):
    url = reverse("chat:desk_canned", args=[assigned_chat.number, canned.pk])
    response = signed_in("operator_of_queue").get(url)
    assert response.status_code == 200
    assert response.json() == {"text": f"Здравствуйте, Алиса! Обращение {assigned_chat.number}."}


@pytest.mark.parametrize(("persona", "status"), [("citizen_a", 404), ("operator_of_other_queue", 404)])
def test_others_cannot_fill_a_canned_response_for_the_chat(signed_in, assigned_chat, canned, persona, status):
    url = reverse("chat:desk_canned", args=[assigned_chat.number, canned.pk])
    assert signed_in(persona).get(url).status_code == status


def test_an_unknown_or_inactive_canned_response_is_404(signed_in, assigned_chat, canned):
    CannedResponse.objects.filter(pk=canned.pk).update(is_active=False)
    client = signed_in("operator_of_queue")
    assert client.get(reverse("chat:desk_canned", args=[assigned_chat.number, canned.pk])).status_code == 404
    assert client.get(reverse("chat:desk_canned", args=[assigned_chat.number, 999999])).status_code == 404
