"""The Telegram Bot API adapter: updates in through the webhook, messages out through one client.

Tests replace the client (`get_client`); it is never called from the test suite."""

import json
import urllib.request

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from chat.messengers.base import BadUpdate, IncomingMessage

API_URL = "https://api.telegram.org/bot{token}/{method}"
TIMEOUT_SECONDS = 10
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


class TelegramClient:
    """The one object that talks to the Bot API (sendMessage)."""

    def __init__(self, token: str):
        if not token:
            raise ImproperlyConfigured("TELEGRAM_BOT_TOKEN is not set.")
        self._token = token

    def send_message(self, chat_id: str, text: str) -> None:
        self._call("sendMessage", {"chat_id": chat_id, "text": text[:4096], "disable_web_page_preview": True})

    def _call(self, method: str, payload: dict) -> dict:
        request = urllib.request.Request(
            API_URL.format(token=self._token, method=method),
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (fixed https URL)
            answer = json.loads(response.read())
        if not answer.get("ok"):
            raise RuntimeError(f"Telegram {method} failed: {answer.get('description', 'no description')}")
        return answer


def get_client() -> TelegramClient:
    return TelegramClient(settings.TELEGRAM_BOT_TOKEN)


def is_configured() -> bool:
    return bool(settings.TELEGRAM_BOT_TOKEN and settings.TELEGRAM_WEBHOOK_SECRET)


def parse_update(payload) -> IncomingMessage:
    """An Update object (https://core.telegram.org/bots/api#update) as an IncomingMessage.
    Only new messages in private chats carry a chat; everything else is recorded and ignored."""
    if not isinstance(payload, dict):
        raise BadUpdate("the update must be a JSON object")
    update_id = payload.get("update_id")
    if isinstance(update_id, bool) or not isinstance(update_id, int) or update_id < 0:
        raise BadUpdate("update_id must be a non-negative integer")
    message = payload.get("message")
    if message is None:
        return IncomingMessage(update_id=update_id)
    chat = message.get("chat") if isinstance(message, dict) else None
    if not isinstance(chat, dict) or not isinstance(chat.get("id"), int):
        raise BadUpdate("message.chat.id is missing")
    if chat.get("type") != "private":
        return IncomingMessage(update_id=update_id)
    text = message.get("text")
    text = text.strip() if isinstance(text, str) else ""
    return IncomingMessage(update_id=update_id, chat_id=str(chat["id"]), text=text)
