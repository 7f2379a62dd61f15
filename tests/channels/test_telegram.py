"""The Telegram adapter on recorded update payloads: linking a chat to the account, the
conversation in the chat flow (bot first, then an operator), replies out through the
client (replaced by a fake), bad and duplicate updates."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from chat.messengers import telegram
from chat.models import ChatSession, MessengerLink, MessengerUpdate, Phase
from gosupport.privacy import personal_data_restrict
from tests.channels import telegram_updates as updates
from tickets.models import AuthorKind, Channel, Status, Ticket
from tickets.selectors import tickets_visible_to
from tickets.services import message_add, ticket_transition

pytestmark = pytest.mark.django_db

SECRET = "s3cr3t-webhook-token"
URL = "/messengers/telegram/webhook/"


class FakeTelegram:
    def __init__(self):
        self.sent: list[tuple[str, str]] = []

    def send_message(self, chat_id: str, text: str) -> None:
        self.sent.append((chat_id, text))

    def texts(self) -> list[str]:
        return [text for _chat, text in self.sent]


@pytest.fixture
def bot(settings, monkeypatch, account_category):
    settings.TELEGRAM_BOT_TOKEN = "123456:ABC-test-token"
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET
    settings.CHAT_DEFAULT_CATEGORY = account_category.slug
    fake = FakeTelegram()
    monkeypatch.setattr(telegram, "get_client", lambda: fake)
    return fake


@pytest.fixture
def deliver(client, django_capture_on_commit_callbacks):
    """POST an update as Telegram does, running what the commit triggers (sends, signals)."""

    def post(payload, secret=SECRET, raw=None):
        headers = {"HTTP_X_TELEGRAM_BOT_API_SECRET_TOKEN": secret} if secret is not None else {}
        body = raw if raw is not None else __import__("json").dumps(payload)
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(URL, data=body, content_type="application/json", **headers)

    return post


@pytest.fixture
def linked(bot, deliver, client, citizen_a, django_capture_on_commit_callbacks):
    """Alice's chat, linked through the sign-in link the bot sent."""
    deliver(updates.text_message(1, "/start"))
    token = re.search(r"/telegram/link/([^/]+)/", bot.texts()[-1]).group(1)
    client.force_login(citizen_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("messengers:telegram_link", args=[token]))
    client.logout()
    bot.sent.clear()
    return MessengerLink.objects.get()


def _link_token(bot) -> str:
    return re.search(r"/telegram/link/([^/]+)/", bot.texts()[-1]).group(1)


# --- the door


def test_webhook_is_404_until_the_bot_is_configured(client, settings, db):
    settings.TELEGRAM_BOT_TOKEN = ""

    response = client.post(URL, data="{}", content_type="application/json")

    assert response.status_code == 404


@pytest.mark.parametrize("secret", [None, "", "wrong"], ids=["missing", "empty", "wrong"])
def test_wrong_secret_token_is_refused_and_nothing_is_recorded(bot, deliver, secret):
    response = deliver(updates.text_message(1, "Здравствуйте"), secret=secret)

    assert response.status_code == 403
    assert not MessengerUpdate.objects.exists() and bot.sent == []


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[1, 2]",
        '{"message": {}}',
        '{"update_id": "7"}',
        '{"update_id": -1}',
        '{"update_id": 5, "message": {"text": "no chat"}}',
    ],
    ids=["not-json", "not-object", "no-update-id", "string-id", "negative-id", "no-chat"],
)
def test_bad_updates_are_400_and_change_nothing(bot, deliver, raw):
    response = deliver(None, raw=raw)

    assert response.status_code == 400
    assert not MessengerUpdate.objects.exists() and not MessengerLink.objects.exists() and bot.sent == []


def test_webhook_takes_only_post(bot, client):
    assert client.get(URL).status_code == 405


# --- linking


def test_first_message_from_an_unknown_chat_gets_a_sign_in_link_and_is_kept(bot, deliver):
    response = deliver(updates.text_message(1, "Как записаться в МФЦ?"))

    assert response.status_code == 200 and response.json()["outcome"] == "link_sent"
    link = MessengerLink.objects.get()
    assert link.user is None and link.pending_text == "Как записаться в МФЦ?"
    assert link.chat_id == str(updates.CHAT_ID)
    [(chat_id, text)] = bot.sent
    assert chat_id == str(updates.CHAT_ID) and "/messengers/telegram/link/" in text
    assert not Ticket.objects.exists()
    assert _link_token(bot) not in link.link_token_hash  # only a hash is stored


def test_signing_in_links_the_chat_and_the_kept_question_reaches_the_bot(
    bot, deliver, client, citizen_a, django_capture_on_commit_callbacks
):
    deliver(updates.text_message(1, "Как записаться в МФЦ?"))
    url = reverse("messengers:telegram_link", args=[_link_token(bot)])
    client.force_login(citizen_a)

    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)

    assert response.status_code == 302
    link = MessengerLink.objects.get()
    assert link.user == citizen_a and link.linked_at and link.pending_text == "" and link.link_token_hash == ""
    ticket = link.ticket
    assert ticket.channel == Channel.SOCIAL and ticket.citizen == citizen_a and ticket.text == "Как записаться в МФЦ?"
    assert ticket in tickets_visible_to(citizen_a)
    assert ChatSession.objects.get(ticket=ticket).phase in (Phase.BOT, Phase.QUEUED)
    bot_reply = ticket.messages.get(author_kind=AuthorKind.BOT)
    assert any(bot_reply.text in text for text in bot.texts())
    with translation.override("ru"):
        assert translation.gettext("Your account is linked. Write your question here.") in bot.texts()


def test_link_page_needs_sign_in(bot, deliver, client):
    deliver(updates.text_message(1, "Вопрос"))

    response = client.get(reverse("messengers:telegram_link", args=[_link_token(bot)]))

    assert response.status_code == 302 and "login" in response["Location"]


def test_staff_cannot_link_a_citizens_chat_to_themselves(bot, deliver, client, operator_of_queue):
    deliver(updates.text_message(1, "Вопрос"))
    client.force_login(operator_of_queue)

    response = client.post(reverse("messengers:telegram_link", args=[_link_token(bot)]))

    assert response.status_code == 404 and MessengerLink.objects.get().user is None


def test_expired_or_unknown_link_is_404_and_links_nothing(bot, deliver, client, citizen_a):
    deliver(updates.text_message(1, "Вопрос"))
    url = reverse("messengers:telegram_link", args=[_link_token(bot)])
    client.force_login(citizen_a)

    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        expired = client.post(url)
    unknown = client.post(reverse("messengers:telegram_link", args=["made-up-token"]))

    assert expired.status_code == 404 and unknown.status_code == 404
    assert MessengerLink.objects.get().user is None and not Ticket.objects.exists()


# --- the conversation


def test_linked_chat_message_goes_into_the_chat_flow_and_the_bot_answers(linked, bot, deliver, citizen_a):
    response = deliver(updates.text_message(2, "Не приходит код подтверждения"))

    assert response.json()["outcome"] == "message"
    ticket = MessengerLink.objects.get().ticket
    assert [m.author_kind for m in ticket.messages.order_by("seq")] == [AuthorKind.CITIZEN, AuthorKind.BOT]
    assert ticket.messages.first().author == citizen_a
    assert bot.sent and all(chat == str(updates.CHAT_ID) for chat, _text in bot.sent)


def test_next_messages_join_the_same_conversation(linked, bot, deliver):
    deliver(updates.text_message(2, "Не приходит код подтверждения"))
    deliver(updates.text_message(3, "Номер телефона верный"))

    ticket = MessengerLink.objects.get().ticket
    assert Ticket.objects.count() == 1
    assert ticket.messages.filter(author_kind=AuthorKind.CITIZEN, text="Номер телефона верный").exists()


def test_the_same_update_delivered_twice_is_handled_once(linked, bot, deliver):
    deliver(updates.text_message(2, "Не приходит код"))
    deliver(updates.text_message(3, "Номер верный"))
    sent_before = len(bot.sent)

    again = deliver(updates.text_message(3, "Номер верный"))

    assert again.status_code == 200 and again.json()["outcome"] == "duplicate"
    ticket = MessengerLink.objects.get().ticket
    assert ticket.messages.filter(text="Номер верный").count() == 1
    assert len(bot.sent) == sent_before


def test_operator_command_hands_the_chat_to_a_person(linked, bot, deliver):
    deliver(updates.text_message(2, "Не приходит код"))

    response = deliver(updates.text_message(3, "/operator"))

    assert response.json()["outcome"] == "handoff"
    assert ChatSession.objects.get().phase in (Phase.QUEUED, Phase.ASSIGNED)


def test_operator_reply_goes_out_through_the_bot_api_and_private_notes_do_not(
    linked, bot, deliver, operator_of_queue, django_capture_on_commit_callbacks
):
    deliver(updates.text_message(2, "Хочу поговорить с оператором"))
    ticket = MessengerLink.objects.get().ticket
    bot.sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        message_add(ticket=ticket, author=operator_of_queue, text="Здравствуйте, я посмотрю.")
        message_add(ticket=ticket, author=operator_of_queue, text="внутренняя заметка", internal=True)

    assert bot.sent == [(str(updates.CHAT_ID), "Здравствуйте, я посмотрю.")]


def test_a_closed_conversation_is_followed_by_a_new_one(linked, bot, deliver, operator_of_queue):
    deliver(updates.text_message(2, "Первый вопрос"))
    first = MessengerLink.objects.get().ticket
    ticket_transition(ticket=first, to_status=Status.IN_PROGRESS, actor=operator_of_queue)
    ticket_transition(ticket=first, to_status=Status.COMPLETED, actor=operator_of_queue, resolution="Ответили")

    deliver(updates.text_message(3, "Второй вопрос"))

    second = MessengerLink.objects.get().ticket
    assert second != first and second.text == "Второй вопрос" and Ticket.objects.count() == 2


def test_citizen_who_restricted_processing_is_told_and_nothing_is_opened(linked, bot, deliver, citizen_a):
    personal_data_restrict(subject=citizen_a, actor=citizen_a, restricted=True, ip=None)

    response = deliver(updates.text_message(2, "Вопрос"))

    assert response.json()["outcome"] == "refused"
    assert not Ticket.objects.exists() and len(bot.sent) == 1


@pytest.mark.parametrize(
    ("payload", "outcome", "answered"),
    [
        (updates.photo_message(9), "ignored", True),
        (updates.group_message(9), "ignored", False),
        (updates.edited_message(9), "ignored", False),
        (updates.callback_query(9), "ignored", False),
    ],
    ids=["photo", "group", "edited", "callback"],
)
def test_updates_that_are_not_private_text_messages_open_nothing(linked, bot, deliver, payload, outcome, answered):
    response = deliver(payload)

    assert response.status_code == 200 and response.json()["outcome"] == outcome
    assert not Ticket.objects.exists()
    assert bool(bot.sent) == answered
    assert MessengerUpdate.objects.filter(update_id=9).exists()


def test_telegram_client_is_one_object_with_send_message(settings):
    settings.TELEGRAM_BOT_TOKEN = "123:abc"

    client = telegram.TelegramClient(settings.TELEGRAM_BOT_TOKEN)

    assert callable(client.send_message)
