"""Every stored message reaches the open sockets of its room, whatever door wrote it."""

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from chat.realtime import close_user_sockets, message_frame, room_group, send_to_group
from tickets.services import LIVE_CHANNELS
from tickets.signals import message_stored


@receiver(message_stored, dispatch_uid="chat.broadcast_message")
def broadcast_message(sender, message, **kwargs):
    if message.ticket.channel not in LIVE_CHANNELS:
        return  # sockets join live conversations only (chat_session_visible): nobody listens
    send_to_group(room_group(message.ticket_id), message_frame(message))


@receiver(user_logged_out, dispatch_uid="chat.close_sockets_on_logout")
def close_sockets_on_logout(sender, user, **kwargs):
    if user is not None:
        close_user_sockets(user.pk)


@receiver(post_save, sender=get_user_model(), dispatch_uid="chat.close_sockets_on_deactivation")
def close_sockets_on_deactivation(sender, instance, created, **kwargs):
    if not created and not instance.is_active:
        transaction.on_commit(lambda: close_user_sockets(instance.pk))
