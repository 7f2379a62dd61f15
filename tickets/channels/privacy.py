"""The channels' part in citizens' data rights: e-mail records, calls, letters, quarantine.

The appeals themselves are exported, erased and purged by tickets.privacy; this provider
covers what the channels keep beside them (registered as "channels")."""

from datetime import datetime
from typing import Any

from django.db.models import Q

from gosupport.models import User
from gosupport.privacy import PrivacyProvider
from tickets.channels.models import MailRecord, PhoneCall, PostalLetter, QuarantinedMail
from tickets.privacy import _tickets_of


def _mail_of(user: User):
    match = Q(ticket__in=_tickets_of(user))
    if user.email:
        match |= Q(address__iexact=user.email)
    return MailRecord.objects.filter(match)


def channels_export(user: User) -> dict[str, Any]:
    tickets = _tickets_of(user)
    return {
        "emails": [
            {
                "direction": record.direction,
                "address": record.address,
                "subject": record.subject,
                "at": record.created_at.isoformat(),
                "appeal": record.ticket.number if record.ticket_id else None,
            }
            for record in _mail_of(user).select_related("ticket").order_by("created_at")
        ],
        "phone_calls": [
            {
                "appeal": call.ticket.number,
                "caller_name": call.caller_name,
                "identity_checked_by": call.identity_method,
                "question": call.question,
                "answer": call.answer,
                "result": call.outcome,
                "at": call.created_at.isoformat(),
            }
            for call in PhoneCall.objects.filter(ticket__in=tickets).select_related("ticket")
        ],
        "letters": [
            {
                "appeal": letter.ticket.number,
                "sender": letter.sender_name,
                "address": letter.sender_address,
                "received_on": letter.received_on.isoformat(),
                "answer_sent": letter.answer_method,
                "answer_sent_on": letter.answer_sent_on.isoformat() if letter.answer_sent_on else None,
            }
            for letter in PostalLetter.objects.filter(ticket__in=tickets).select_related("ticket")
        ],
    }


def channels_erase(user: User) -> None:
    tickets = _tickets_of(user)
    _mail_of(user).update(address="", subject="", references="", in_reply_to="")
    PhoneCall.objects.filter(ticket__in=tickets).update(caller_name="", question="", answer="")
    PostalLetter.objects.filter(ticket__in=tickets).update(sender_name="", sender_address="", answer_reference="")


def channels_purge_expired(cutoff: datetime) -> int:
    """Quarantined mail older than the retention term; the rest goes with its appeal."""
    deleted, _ = QuarantinedMail.objects.filter(received_at__lt=cutoff).delete()
    deleted_mail, _ = MailRecord.objects.filter(ticket__isnull=True, created_at__lt=cutoff).delete()
    return deleted + deleted_mail


provider = PrivacyProvider(
    name="channels", export=channels_export, erase=channels_erase, purge_expired=channels_purge_expired
)
