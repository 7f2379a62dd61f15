"""Appeals' part in citizens' data rights: export, erasure, retention, restriction.

Registered with gosupport's privacy registry from TicketsConfig.ready() (see
gosupport/privacy.py for the contract)."""

from datetime import datetime
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.signals import pre_save

from gosupport.audit import audit_record
from gosupport.models import AuditAction, Notification, User
from gosupport.privacy import PrivacyProvider, personal_data_processing_check
from tickets.models import Attachment, Message, Rating, Ticket, TicketEvent
from tickets.selectors import CITIZEN_EVENT_KINDS

PURGE_BATCH = 200


def _tickets_of(user: User) -> QuerySet[Ticket]:
    """The citizen's appeals, and those filed without an account from their e-mail or phone."""
    match = Q(citizen=user)
    if user.email:
        match |= Q(citizen__isnull=True, contact_email__iexact=user.email)
    if user.phone:
        match |= Q(citizen__isnull=True, contact_phone=str(user.phone))
    return Ticket.objects.filter(match)


# --- export


def tickets_export(user: User) -> list[dict[str, Any]]:
    tickets = _tickets_of(user).select_related("category").prefetch_related("events", "attachments")
    return [_ticket_data(ticket) for ticket in tickets.order_by("created_at")]


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _ticket_data(ticket: Ticket) -> dict[str, Any]:
    rating = Rating.objects.filter(ticket=ticket).first()
    return {
        "number": ticket.number,
        "channel": ticket.channel,
        "category": ticket.category.slug,
        "status": ticket.status,
        "created_at": _iso(ticket.created_at),
        "closed_at": _iso(ticket.closed_at),
        "subject": ticket.subject,
        "text": ticket.text,
        "contact_email": ticket.contact_email,
        "contact_phone": ticket.contact_phone,
        "rating": ticket.initial_rating,
        "resolution": ticket.resolution,
        "rejection_reasons": ticket.rejection_reasons,
        "messages": [_message_data(m) for m in ticket.messages.filter(internal=False).order_by("seq")],
        "events": [_event_data(e) for e in ticket.events.all() if e.kind in CITIZEN_EVENT_KINDS],
        "csat": {"score": rating.score, "comment": rating.comment} if rating else None,
    }


def _message_data(message: Message) -> dict[str, Any]:
    return {
        "seq": message.seq,
        "author": message.author_kind,
        "text": message.text,
        "created_at": _iso(message.created_at),
        "attachments": [
            {"name": a.original_name, "type": a.content_type, "size": a.size} for a in message.attachments.all()
        ],
    }


def _event_data(event: TicketEvent) -> dict[str, Any]:
    return {
        "at": _iso(event.at),
        "kind": event.kind,
        "from": event.from_status,
        "to": event.to_status,
        "comment": event.comment,
    }


# --- erasure


def tickets_erase(user: User) -> None:
    """Blank every free text and contact of the citizen's appeals and delete their files.

    Operators' replies are blanked too: they quote the citizen and address them by name.
    The appeals themselves stay (numbers, statuses, deadlines) for the centre's statistics."""
    tickets = _tickets_of(user)
    ticket_ids = list(tickets.values_list("pk", flat=True))
    numbers = list(tickets.values_list("number", flat=True))
    in_tickets = Q(ticket_id__in=ticket_ids)
    Ticket.objects.filter(pk__in=ticket_ids).update(
        subject="", text="", contact_email="", contact_phone="", resolution="", rejection_reasons=""
    )
    Message.objects.filter(in_tickets | Q(author=user)).update(text="", actions=[])
    TicketEvent.objects.filter(in_tickets).update(comment="", data={})
    Rating.objects.filter(in_tickets).update(comment="")
    _attachments_delete(Attachment.objects.filter(in_tickets | Q(uploaded_by=user)))
    Notification.objects.filter(reference__in=numbers).delete()


def _attachments_delete(attachments: QuerySet[Attachment]) -> None:
    names = [name for name in attachments.values_list("file", flat=True) if name]
    attachments.delete()
    transaction.on_commit(lambda: _storage_delete(names))


def _storage_delete(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


# --- retention


def tickets_purge_expired(cutoff: datetime) -> int:
    """Delete appeals closed before `cutoff`, with their messages, files and history."""
    purged = 0
    while True:
        with transaction.atomic():
            batch = list(
                Ticket.objects.select_for_update(skip_locked=True)
                .filter(closed_at__lt=cutoff)
                .order_by("closed_at")[:PURGE_BATCH]
            )
            for ticket in batch:
                audit_record(actor=None, action=AuditAction.PURGE, obj=ticket, fields=["ticket"], ip=None)
            Notification.objects.filter(reference__in=[t.number for t in batch]).delete()
            _attachments_delete(Attachment.objects.filter(ticket__in=batch))
            Ticket.objects.filter(pk__in=[t.pk for t in batch]).delete()
        purged += len(batch)
        if len(batch) < PURGE_BATCH:
            return purged


provider = PrivacyProvider(
    name="tickets", export=tickets_export, erase=tickets_erase, purge_expired=tickets_purge_expired
)


# --- restriction


def _refuse_new_ticket_when_restricted(sender, instance: Ticket, **kwargs) -> None:
    if instance._state.adding and instance.citizen_id is not None:
        personal_data_processing_check(user=User(pk=instance.citizen_id))


def privacy_signals_connect() -> None:
    """A new appeal (any channel, chats included) of a restricted citizen is refused."""
    pre_save.connect(_refuse_new_ticket_when_restricted, sender=Ticket, dispatch_uid="privacy-refuse-new-ticket")
