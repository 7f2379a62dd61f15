"""What every messenger adapter provides."""

from dataclasses import dataclass
from typing import Protocol


class BadUpdate(ValueError):
    """The webhook payload is not an update we understand; the door answers 400."""


@dataclass(frozen=True)
class IncomingMessage:
    """One update from a messenger, reduced to what the chat flow needs.

    `text` is empty for updates without text (a sticker, a photo); `chat_id` is empty for
    updates that are not messages of a private chat (they are recorded and ignored)."""

    update_id: int
    chat_id: str = ""
    text: str = ""


class MessengerClient(Protocol):
    def send_message(self, chat_id: str, text: str) -> None: ...
