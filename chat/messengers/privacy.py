"""Messenger chats in citizens' data rights (registered as "messengers").

A link holds the messenger's chat id of the citizen and, until they sign in, their first
question; the conversations themselves are appeals (tickets.privacy)."""

from datetime import datetime

from django.db.models import Q

from chat.models import MessengerLink, MessengerUpdate
from gosupport.models import User
from gosupport.privacy import PrivacyProvider


def messengers_export(user: User) -> list[dict]:
    return [
        {
            "messenger": link.messenger,
            "chat_id": link.chat_id,
            "linked_at": link.linked_at.isoformat() if link.linked_at else None,
        }
        for link in MessengerLink.objects.filter(user=user).order_by("created_at")
    ]


def messengers_erase(user: User) -> None:
    """The chat is unlinked and forgotten: a new message from it starts over with sign-in."""
    MessengerLink.objects.filter(user=user).delete()


def messengers_purge_expired(cutoff: datetime) -> int:
    """Chats never linked, and update ids, older than the retention term."""
    unlinked, _ = MessengerLink.objects.filter(Q(user__isnull=True) & Q(created_at__lt=cutoff)).delete()
    updates, _ = MessengerUpdate.objects.filter(received_at__lt=cutoff).delete()
    return unlinked + updates


provider = PrivacyProvider(
    name="messengers", export=messengers_export, erase=messengers_erase, purge_expired=messengers_purge_expired
)
