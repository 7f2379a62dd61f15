"""Channel-layer groups and the frames sent to them. The database is the truth: these
sends are at-most-once and a client that missed one resumes from its last seq."""

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils.timezone import localtime

from tickets.models import Message


def room_group(ticket_id: int) -> str:
    return f"chat.{ticket_id}"


def operator_group(user_id: int) -> str:
    return f"desk.{user_id}"


def message_frame(message: Message) -> dict:
    return {
        "type": "message",
        "seq": message.seq,
        "author": message.author_kind,
        "text": message.text,
        "created_at": localtime(message.created_at).isoformat(),
        "attachments": [
            {"id": a.pk, "name": a.original_name, "content_type": a.content_type, "size": a.size}
            for a in message.attachments.all()
        ],
        "actions": message.actions or [],
        "internal": message.internal,
    }


def send_to_group(group: str, frame: dict) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, {"type": "frame.out", "frame": frame})
