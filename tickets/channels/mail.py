"""The e-mail channel: a received mail becomes an appeal or joins the one it answers;
an operator's reply goes back as e-mail in the same thread.

Every door (the IMAP poll, `manage.py ingest_mail`, a test) calls `mail_ingest` with the
raw bytes; nothing readable is lost and nothing unreadable is dropped."""

import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from gosupport.models import Category, Role, User
from tickets.attachments import check_uploads
from tickets.channels.mailparse import LOOP_HEADER, MailFile, ParsedMail, Unreadable, parse_mail
from tickets.channels.models import MailDirection, MailOutcome, MailRecord, QuarantinedMail
from tickets.models import AuthorKind, Channel, Message, Ticket
from tickets.services import TransitionForbidden, message_add, ticket_create

logger = logging.getLogger(__name__)

TICKET_NUMBER_RE = re.compile(r"(?<![\d-])(\d{4}-\d{4})(?![\d-])")
MAX_REFERENCES = 10
MAX_SEND_ATTEMPTS = 8
# An attempt holds its reply this long: past the send task's hard time limit (60 s) the
# holder is surely dead, and the lease may be taken again.
REPLY_LEASE = timedelta(seconds=90)
# A reply whose attempt is this late lost its Celery message; the sweep hands it over again.
REPLY_SWEEP_GRACE = timedelta(minutes=1)
REPLY_SWEEP_LIMIT = 500


@dataclass(frozen=True)
class IngestResult:
    outcome: str  # a MailOutcome, "duplicate" or "quarantined"
    ticket: Ticket | None = None
    reason: str = ""


# --- settings read where used


def own_addresses() -> frozenset[str]:
    """Addresses of the centre itself: mail from them is our own mail coming back."""
    configured = getattr(settings, "SUPPORT_EMAIL", "") or parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    return frozenset(address.strip().lower() for address in configured.split(",") if address.strip())


def default_mail_category() -> Category:
    slug = getattr(settings, "MAIL_DEFAULT_CATEGORY", "general")
    category = Category.objects.filter(slug=slug, is_active=True).first()
    category = category or Category.objects.filter(is_active=True, parent__isnull=True).first()
    if category is None:
        raise ValidationError({"category": _("No categories are configured for e-mail appeals.")})
    return category


# --- ingest


def mail_ingest(*, raw: bytes, source: str = "stdin") -> IngestResult:
    """Turn one received message into an appeal, a reply on one, an ignored machine mail or
    a quarantined one. Safe to call twice with the same mail (deduplicated by Message-ID)."""
    try:
        parsed = parse_mail(raw, own_addresses=own_addresses())
    except Unreadable as unreadable:
        return _quarantine(raw, str(unreadable), source)
    if MailRecord.objects.filter(mail_id=parsed.message_id).exists():
        return IngestResult("duplicate", _ticket_of(parsed.message_id))
    try:
        return _ingest_parsed(parsed)
    except IntegrityError:
        return IngestResult("duplicate", _ticket_of(parsed.message_id))
    except ValidationError as error:
        return _quarantine(raw, "; ".join(error.messages)[:255], source)
    except Exception as error:  # a bug must not lose the mail, nor stop the poll at this message
        logger.exception("e-mail could not be filed")
        return _quarantine(raw, f"could not be filed: {type(error).__name__}", source)


def _ticket_of(message_id: str) -> Ticket | None:
    record = MailRecord.objects.filter(mail_id=message_id).select_related("ticket").first()
    return record.ticket if record else None


def _quarantine(raw: bytes, reason: str, source: str) -> IngestResult:
    QuarantinedMail.objects.create(raw=raw, reason=reason[:255], source=source[:16], received_at=timezone.now())
    logger.warning("unreadable e-mail kept in quarantine: %s", reason)
    return IngestResult("quarantined", reason=reason)


def _ingest_parsed(parsed: ParsedMail) -> IngestResult:
    now = timezone.now()
    with transaction.atomic():
        # The record comes first: a second copy of this mail arriving at the same moment stops here.
        record = MailRecord.objects.create(
            direction=MailDirection.INBOUND,
            mail_id=parsed.message_id,
            address=parsed.sender,
            subject=parsed.subject[:255],
            in_reply_to=parsed.in_reply_to,
            references=" ".join(parsed.references[-MAX_REFERENCES:]),
            outcome=MailOutcome.PENDING,
            created_at=now,
        )
        kind = parsed.machine_kind or _flood_kind(parsed.sender, now)
        if kind:
            record.outcome = kind
            record.save(update_fields=["outcome"])
            return IngestResult(kind)
        ticket, message, outcome = _file_mail(parsed)
        record.ticket, record.message, record.outcome = ticket, message, outcome
        record.save(update_fields=["ticket", "message", "outcome"])
    return IngestResult(outcome, ticket)


def _flood_kind(sender: str, now) -> str:
    """A sender opening appeals faster than a person could is a loop we did not recognise."""
    limit = getattr(settings, "MAIL_MAX_NEW_APPEALS_PER_HOUR", 20)
    recent = MailRecord.objects.filter(
        address=sender, outcome=MailOutcome.CREATED, created_at__gte=now - timedelta(hours=1)
    ).count()
    return MailOutcome.LOOP if recent >= limit else ""


def _file_mail(parsed: ParsedMail) -> tuple[Ticket, Message | None, str]:
    citizen = _citizen_with(parsed.sender)
    ticket = _answered_ticket(parsed)
    if ticket is not None:
        try:
            return ticket, _append(ticket, parsed, citizen), MailOutcome.APPENDED
        except TransitionForbidden:
            pass  # the appeal is closed: the mail starts a new one
    ticket = _create(parsed, citizen)
    return ticket, ticket.messages.order_by("seq").first(), MailOutcome.CREATED


def _citizen_with(address: str) -> User | None:
    return User.objects.filter(email__iexact=address, role=Role.CITIZEN, is_active=True).first()


def _answered_ticket(parsed: ParsedMail) -> Ticket | None:
    """The appeal this mail answers, by the reply headers or the number in the subject, and
    only if the sender is the appeal's own correspondent (a quoted number proves nothing)."""
    ids = [i for i in (parsed.in_reply_to, *reversed(parsed.references)) if i]
    record = (
        MailRecord.objects.filter(mail_id__in=ids, ticket__isnull=False).order_by("-created_at").first()
        if ids
        else None
    )
    ticket = record.ticket if record else None
    if ticket is None:
        numbers = TICKET_NUMBER_RE.findall(parsed.subject)
        ticket = Ticket.objects.filter(number__in=numbers).select_related("citizen").first() if numbers else None
    return ticket if ticket is not None and _is_correspondent(ticket, parsed.sender) else None


def _is_correspondent(ticket: Ticket, sender: str) -> bool:
    citizen_email = ticket.citizen.email if ticket.citizen_id else ""
    return sender in {ticket.contact_email.lower(), citizen_email.lower()} - {""}


def _append(ticket: Ticket, parsed: ParsedMail, citizen: User | None) -> Message:
    stored = sum(ticket.attachments.values_list("size", flat=True))
    accepted, refused = _sort_files(parsed.files, already_stored=stored)
    text = parsed.text or ("" if accepted else _("(The e-mail had no text.)"))
    author = citizen if citizen is not None and ticket.citizen_id == citizen.pk else None
    message = message_add(ticket=ticket, author=author, author_kind=AuthorKind.CITIZEN, text=text, files=accepted)
    _note_refused(ticket, refused)
    return message


def _create(parsed: ParsedMail, citizen: User | None) -> Ticket:
    accepted, refused = _sort_files(parsed.files, already_stored=0)
    text = parsed.text or parsed.subject or _("(The e-mail had no text.)")
    ticket = ticket_create(
        channel=Channel.EMAIL,
        category=default_mail_category(),
        text=text,
        citizen=citizen,
        contact_email=parsed.sender,
        subject=parsed.subject,
        files=accepted,
    )
    _note_refused(ticket, refused)
    return ticket


def _sort_files(files: tuple[MailFile, ...], *, already_stored: int) -> tuple[list[ContentFile], list[str]]:
    """Attachments under the appeal's file rules, one by one: a .docx or an oversized file is
    left out (and named to the operator and the citizen) without losing the rest of the mail."""
    accepted, refused, total = [], [], already_stored
    for mail_file in files:
        upload = ContentFile(mail_file.data, name=mail_file.name)
        try:
            checked = check_uploads([upload], already_stored_bytes=total)
        except ValidationError as error:
            refused.append(" ".join(error.messages))
            continue
        accepted.append(upload)
        total += checked[0].size
    return accepted, refused


def _note_refused(ticket: Ticket, refused: list[str]) -> None:
    if refused:
        text = _("Some files of the e-mail were not accepted:") + "\n" + "\n".join(refused)
        message_add(ticket=ticket, author=None, author_kind=AuthorKind.SYSTEM, text=text)


# --- replies out


def mail_reply_prepare(*, message: Message) -> MailRecord | None:
    """Queue an operator's public reply on an e-mail appeal as a mail in the same thread."""
    ticket = message.ticket
    if message.internal or message.author_kind != AuthorKind.OPERATOR or ticket.channel != Channel.EMAIL:
        return None
    recipient = ticket.contact_email or (ticket.citizen.email if ticket.citizen_id else "")
    if not recipient:
        return None
    with transaction.atomic():
        record, created = MailRecord.objects.get_or_create(message=message, defaults=_reply_fields(ticket, recipient))
        if created:
            transaction.on_commit(lambda: _enqueue_reply(record.pk))
    return record


def _reply_fields(ticket: Ticket, recipient: str) -> dict:
    last_in = ticket.mail_records.filter(direction=MailDirection.INBOUND).order_by("-created_at").first()
    references = f"{last_in.references} {last_in.mail_id}".split() if last_in else []
    base = last_in.subject if last_in and last_in.subject else ticket.subject
    return {
        "direction": MailDirection.OUTBOUND,
        "ticket": ticket,
        "mail_id": make_msgid(domain=_own_domain()),
        "address": recipient,
        "subject": _reply_subject(base, ticket.number)[:255],
        "in_reply_to": last_in.mail_id if last_in else "",
        "references": " ".join(references[-MAX_REFERENCES:]),
        "outcome": MailOutcome.PENDING,
        "created_at": timezone.now(),
    }


def _own_domain() -> str:
    address = next(iter(sorted(own_addresses())), "support@gosupport.local")
    return address.rpartition("@")[2] or "gosupport.local"


def _reply_subject(base: str, number: str) -> str:
    base = re.sub(r"^\s*((re|fwd?|ответ|отв)\s*:\s*)+", "", base or "", flags=re.IGNORECASE).strip()
    subject = _("Re: %(subject)s") % {"subject": base} if base else _("Your appeal")
    return subject if number in subject else f"{subject} [{number}]"


def _enqueue_reply(record_id: int) -> None:
    from tickets.channels.tasks import deliver_mail_reply

    try:
        deliver_mail_reply.delay(record_id)
    except Exception:
        logger.warning("e-mail reply %s not handed to Celery", record_id)


class ReplyNotSent(Exception):
    """No mail went out on this attempt; the reply stays pending and is due again in `retry_in` seconds."""

    def __init__(self, reason: str, *, retry_in: int):
        super().__init__(reason)
        self.retry_in = retry_in


def mail_reply_deliver(*, record_id: int) -> bool:
    """Send a pending reply under a lease, so a second copy of the task started while the
    first is still talking to the SMTP server does not send it again.

    True when sent; False when there is nothing to do (sent already, or given up on);
    ReplyNotSent when a retry is due: the send failed, or another attempt holds the lease.
    A sender killed after the server took the mail but before SENT was recorded leaves its
    lease to expire, and the retry sends again: at least once, because a citizen who gets
    an answer twice (same Message-ID, same thread) is better off than one who never gets it."""
    now = timezone.now()
    claimed = (
        _reply_claimable(now).filter(pk=record_id).update(attempts=F("attempts") + 1, claimed_until=now + REPLY_LEASE)
    )
    if not claimed:
        return _reply_busy(record_id, now)
    record = MailRecord.objects.select_related("ticket").get(pk=record_id)
    try:
        _reply_email(record).send()
    except Exception as error:
        _reply_failed(record, error)
    MailRecord.objects.filter(pk=record.pk).update(
        outcome=MailOutcome.SENT, sent_at=timezone.now(), last_error="", claimed_until=None
    )
    return True


def _reply_claimable(now) -> QuerySet:
    """Pending replies no attempt holds and whose next attempt is due."""
    pending = MailRecord.objects.filter(direction=MailDirection.OUTBOUND, outcome=MailOutcome.PENDING)
    return pending.filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))


def _reply_busy(record_id: int, now) -> bool:
    held_until = (
        MailRecord.objects.filter(pk=record_id, outcome=MailOutcome.PENDING)
        .values_list("claimed_until", flat=True)
        .first()
    )
    if held_until is None:
        return False
    raise ReplyNotSent("held by another attempt", retry_in=max(int((held_until - now).total_seconds()) + 1, 1))


def _reply_failed(record: MailRecord, error: Exception) -> None:
    give_up = record.attempts >= MAX_SEND_ATTEMPTS
    retry_in = min(10 * 2 ** (record.attempts - 1), 3600)
    MailRecord.objects.filter(pk=record.pk).update(
        last_error=f"{type(error).__name__}: {error}"[:1000],
        outcome=MailOutcome.FAILED if give_up else MailOutcome.PENDING,
        claimed_until=None if give_up else timezone.now() + timedelta(seconds=retry_in),
    )
    raise ReplyNotSent(str(error), retry_in=retry_in) from error


def mail_replies_resend_overdue(*, now=None) -> int:
    """The sweep: hand again to Celery every pending reply whose attempt is over a minute late,
    because its task was lost (a broker down at enqueue, a worker killed mid-send)."""
    now = now or timezone.now()
    late = Q(claimed_until__isnull=True, created_at__lte=now - REPLY_SWEEP_GRACE) | Q(
        claimed_until__lte=now - REPLY_SWEEP_GRACE
    )
    overdue = list(
        _reply_claimable(now).filter(late).order_by("created_at").values_list("pk", flat=True)[:REPLY_SWEEP_LIMIT]
    )
    for record_id in overdue:
        _enqueue_reply(record_id)
    return len(overdue)


def _reply_email(record: MailRecord) -> EmailMessage:
    ticket = record.ticket
    text = Message.objects.filter(mail_record=record).values_list("text", flat=True).first() or ""
    footer = _("Appeal No. %(number)s. Reply to this e-mail to add to your appeal.") % {"number": ticket.number}
    headers = {"Message-ID": record.mail_id, LOOP_HEADER: "1", "X-Gosupport-Ticket": ticket.number}
    if record.in_reply_to:
        headers["In-Reply-To"] = record.in_reply_to
    if record.references:
        headers["References"] = record.references
    return EmailMessage(subject=record.subject, body=f"{text}\n\n-- \n{footer}\n", to=[record.address], headers=headers)


def quarantined_mail_retry(*, mail: QuarantinedMail) -> IngestResult:
    """A supervisor tries an unreadable mail again (e.g. after a category was configured);
    the quarantined copy goes away only when the mail was taken this time."""
    with transaction.atomic():
        result = mail_ingest(raw=bytes(mail.raw), source=mail.source)
        if result.outcome != "quarantined":
            mail.delete()
        else:
            # The retry kept its own quarantined copy; one is enough.
            QuarantinedMail.objects.filter(pk__gt=mail.pk, raw=mail.raw).delete()
    return result
