"""Channel-layer groups and the frames sent to them. The database is the truth: these
sends are at-most-once and a client that missed one resumes from its last seq."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.utils.timezone import localtime

from gosupport.thread_pools import serving_event_loop
from tickets.models import Message

logger = logging.getLogger(__name__)


def room_group(ticket_id: int) -> str:
    return f"chat.{ticket_id}"


def operator_group(user_id: int) -> str:
    return f"desk.{user_id}"


def user_group(user_id: int) -> str:
    """Every socket of one person, so signing out or deactivation can close them all."""
    return f"user.{user_id}"


def close_user_sockets(user_id: int) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(user_group(user_id), {"type": "force.close"})


def message_frame(message: Message) -> dict:
    return {
        "type": "message",
        "seq": message.seq,
        "author": message.author_kind,
        "text": message.text,
        "created_at": localtime(message.created_at).isoformat(),
        "attachments": [
            {"id": a.pk, "name": a.original_name, "content_type": a.content_type, "size": a.size}
            for a in (message.attachments.all() if getattr(message, "has_attachments", True) else ())
        ],
        "actions": message.actions or [],
        "internal": message.internal,
    }


def send_to_group(group: str, frame: dict) -> None:
    """Hand a frame to the layer. Inside daphne's database or HTTP threads the send is scheduled on
    the event loop without waiting for it, so that thread is free for the next message;
    elsewhere (workers, commands, WSGI) it is sent before returning."""
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "frame.out", "frame": frame}
    loop = serving_event_loop()
    if loop is None:
        async_to_sync(layer.group_send)(group, message)
        return
    loop.call_soon_threadsafe(_start_send, loop, layer, group, message)


def _start_send(loop, layer, group: str, message: dict) -> None:
    send_soon = getattr(layer, "group_send_soon", None)  # gosupport.channel_layer: no task per frame
    sent = send_soon(group, message) if send_soon else loop.create_task(layer.group_send(group, message))
    sent.add_done_callback(_log_failed_send)


def _log_failed_send(sent) -> None:
    if not sent.cancelled() and sent.exception() is not None:
        logger.warning("channel layer send failed: %s", type(sent.exception()).__name__)
