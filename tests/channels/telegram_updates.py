"""Update payloads as the Telegram Bot API delivers them to a webhook (recorded shapes)."""

CHAT_ID = 523917406


def _sender():
    return {"id": CHAT_ID, "is_bot": False, "first_name": "Алиса", "last_name": "Смирнова", "language_code": "ru"}


def text_message(update_id: int, text: str, *, chat_id: int = CHAT_ID) -> dict:
    message = {
        "message_id": 1000 + update_id,
        "from": {**_sender(), "id": chat_id},
        "chat": {"id": chat_id, "first_name": "Алиса", "last_name": "Смирнова", "type": "private"},
        "date": 1795334400,
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"offset": 0, "length": len(text.split()[0]), "type": "bot_command"}]
    return {"update_id": update_id, "message": message}


def photo_message(update_id: int) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 2000 + update_id,
            "from": _sender(),
            "chat": {"id": CHAT_ID, "first_name": "Алиса", "type": "private"},
            "date": 1795334400,
            "photo": [
                {
                    "file_id": "AgACAgIAAxkBAAIB",
                    "file_unique_id": "AQADt8",
                    "file_size": 1234,
                    "width": 90,
                    "height": 67,
                }
            ],
        },
    }


def group_message(update_id: int) -> dict:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 3000 + update_id,
            "from": _sender(),
            "chat": {"id": -1001234567890, "title": "Соседи", "type": "supergroup"},
            "date": 1795334400,
            "text": "Всем привет",
        },
    }


def edited_message(update_id: int) -> dict:
    update = text_message(update_id, "исправленный текст")
    update["edited_message"] = {**update.pop("message"), "edit_date": 1795334460}
    return update


def callback_query(update_id: int) -> dict:
    return {
        "update_id": update_id,
        "callback_query": {
            "id": "4382bfdwdsb323b2d9",
            "from": _sender(),
            "chat_instance": "-53453453453",
            "data": "helped",
        },
    }
