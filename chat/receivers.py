"""Every stored message reaches the open sockets of its room, whatever door wrote it."""

from django.dispatch import receiver

from chat.realtime import message_frame, room_group, send_to_group
from tickets.signals import message_stored


@receiver(message_stored, dispatch_uid="chat.broadcast_message")
def broadcast_message(sender, message, **kwargs):
    send_to_group(room_group(message.ticket_id), message_frame(message))
