"""Every write to an appeal goes through these functions."""

import functools
import secrets
from contextlib import contextmanager
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gosupport.calendar import WorkingCalendar
from gosupport.models import Category, Notification, User
from gosupport.notifications import contact_notifications, notifications_deliver_after_commit, notify_contact
from gosupport.privacy import personal_data_processing_check
from gosupport.rows import rows_insert, server_bound_fetchone
from tickets import sla
from tickets.attachments import CheckedFile, check_room, check_uploads
from tickets.control import ticket_control_check
from tickets.models import (
    OPEN_STATUSES,
    Attachment,
    AuthorKind,
    Channel,
    EventKind,
    Message,
    Priority,
    Rating,
    SlaPolicy,
    Status,
    Ticket,
    TicketEvent,
)
from tickets.policies import sla_policies_active
from tickets.signals import message_stored

TEXT_MIN_LENGTH = 20
TEXT_MAX_LENGTH = 500

TRANSITIONS: dict[str, set[str]] = {
    Status.ACCEPTED: {Status.IN_PROGRESS, Status.REJECTED},
    Status.IN_PROGRESS: {Status.WAITING_DOCUMENTS, Status.COMPLETED, Status.REJECTED},
    Status.WAITING_DOCUMENTS: {Status.IN_PROGRESS, Status.REJECTED},
    Status.COMPLETED: set(),
    Status.REJECTED: set(),
}


class TransitionForbidden(Exception):
    """The workflow does not allow this move (the API answers 409)."""


class AlreadyRated(TransitionForbidden):
    """The citizen has already rated this appeal (the API answers 409)."""


def generate_ticket_number() -> str:
    """Eight digits in two groups: ASCII, easy to dictate over the phone."""
    digits = f"{secrets.randbelow(10**8):08d}"
    return f"{digits[:4]}-{digits[4:]}"


def _category_chain(category: Category) -> list[int]:
    chain, node = [], category
    while node is not None:
        chain.append(node.pk)
        node = node.parent
    return chain


def _policy_for(*, channel: str, category: Category, priority: str) -> SlaPolicy | None:
    return sla.choose_policy(
        sla_policies_active(),
        channel=channel,
        category_ids=_category_chain(category),
        priority=priority,
        is_complaint=category.is_complaint,
    )


def _calendar_for(policy: SlaPolicy | None) -> WorkingCalendar:
    return WorkingCalendar.from_model(policy.calendar if policy else None)


def _validate_new_ticket(
    *, channel: str, category: Category | None, text: str, contact_email: str, contact_phone: str, rating: int | None
) -> None:
    errors = {}
    if category is None or not category.is_active:
        errors["category"] = _("Choose a category.")
    length = len(text.strip())
    if channel == Channel.FORM and not TEXT_MIN_LENGTH <= length <= TEXT_MAX_LENGTH:
        errors["text"] = _("Describe the problem in %(min)s to %(max)s characters (now %(n)s).") % {
            "min": TEXT_MIN_LENGTH,
            "max": TEXT_MAX_LENGTH,
            "n": length,
        }
    elif not length:
        errors["text"] = _("The text must not be empty.")
    if channel == Channel.FORM and not (contact_email or contact_phone):
        errors["contact_email"] = _("Give an e-mail or a phone number so we can answer you.")
    if rating is not None and not 1 <= rating <= 5:
        errors["rating"] = _("The rating is a number from 1 to 5.")
    if errors:
        raise ValidationError(errors)


@contextmanager
def _files_removed_on_failure():
    """Files written inside a transaction that fails must not stay on disk."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        for name in written:
            default_storage.delete(name)
        raise


def _store_attachments(
    *,
    ticket: Ticket,
    files: list[CheckedFile],
    message: Message | None,
    uploaded_by,
    now: datetime,
    written: list[str],
    is_result_document: bool = False,
) -> list[Attachment]:
    stored = []
    for checked in files:
        attachment = Attachment(
            ticket=ticket,
            message=message,
            original_name=checked.name,
            content_type=checked.content_type,
            size=checked.size,
            uploaded_by=uploaded_by,
            created_at=now,
            is_result_document=is_result_document,
        )
        attachment.file.save(f"upload.{checked.extension}", checked.upload, save=False)
        written.append(attachment.file.name)
        attachment.save()
        stored.append(attachment)
    return stored


NUMBER_ATTEMPTS = 10


class _NumberMaybeTaken(Exception):
    """A new appeal's insert failed: perhaps its random number was drawn before."""

    def __init__(self, number: str):
        super().__init__(number)
        self.number = number


def _insert_ticket(ticket: Ticket, rows_for, *, in_callers_transaction: bool) -> list:
    """Draw a random number and insert the appeal with `rows_for(ticket)` (its first message,
    history, notices: some name the number) in one statement; returns those rows. Inside a
    caller's transaction a savepoint lets a taken number be drawn again; otherwise (the API,
    the portal form) ticket_create retries its whole transaction instead, so the hot path
    spends no round trips on a savepoint."""
    # The insert sends no pre_save signals: the restriction guard (tickets.privacy) is applied
    # here, and it covers the notices to the same citizen (gosupport.privacy withholds those).
    personal_data_processing_check(user=ticket.citizen)
    for _attempt in range(NUMBER_ATTEMPTS):
        ticket.number = generate_ticket_number()
        rows = rows_for(ticket)
        if not in_callers_transaction:
            try:
                rows_insert(ticket, *rows, link="ticket")
            except IntegrityError as error:
                raise _NumberMaybeTaken(ticket.number) from error
            return rows
        try:
            with transaction.atomic():
                rows_insert(ticket, *rows, link="ticket")
            return rows
        except IntegrityError:
            if not Ticket.objects.filter(number=ticket.number).exists():
                raise
    raise RuntimeError("could not allocate a ticket number")


def _append_message(
    *, ticket: Ticket, author, author_kind: str, text: str, internal: bool, now: datetime, client_id=None, actions=None
) -> Message:
    """Store a message with the next gap-free seq. Taking the seq locks the ticket's row
    until commit and refreshes `ticket.last_seq` and `ticket.status`."""
    ticket.last_seq, ticket.status, ticket.assignee_id = _next_seq(ticket.pk)
    return _store_message(
        ticket=ticket,
        author=author,
        author_kind=author_kind,
        text=text,
        internal=internal,
        now=now,
        client_id=client_id,
        actions=actions,
    )


def _store_message(
    *, ticket: Ticket, author, author_kind: str, text: str, internal: bool, now: datetime, client_id=None, actions=None
) -> Message:
    """Store a message under `ticket.last_seq`, already taken for it."""
    message = Message.objects.create(
        ticket=ticket,
        seq=ticket.last_seq,
        author=author,
        author_kind=author_kind,
        text=text,
        internal=internal,
        client_id=client_id,
        actions=actions or [],
        created_at=now,
    )
    message.has_attachments = False
    transaction.on_commit(lambda: message_stored.send(sender=Message, message=message))
    return message


def _next_seq(ticket_id: int) -> tuple[int, str, int | None]:
    """One statement for the row lock and the next seq (a chat message is on the hot path)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Ticket._meta.db_table} SET last_seq = last_seq + 1 WHERE id = %s "
            "RETURNING last_seq, status, assignee_id",
            [ticket_id],
        )
        return cursor.fetchone()


def _record_event(
    *,
    ticket: Ticket,
    kind: str,
    actor=None,
    now: datetime,
    from_status: str = "",
    to_status: str = "",
    comment: str = "",
    data: dict | None = None,
) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket,
        kind=kind,
        actor=actor,
        at=now,
        from_status=from_status,
        to_status=to_status,
        comment=comment,
        data=data or {},
    )


def ticket_event_record(
    *, ticket: Ticket, kind: str, actor: User | None, comment: str = "", data: dict | None = None
) -> TicketEvent:
    """History written by other apps' services (a call back booked or made), in their transaction."""
    if kind not in EventKind.values:
        raise ValueError(f"unknown event kind {kind!r}")
    return _record_event(ticket=ticket, kind=kind, actor=actor, now=timezone.now(), comment=comment, data=data)


def _apply_sla(ticket: Ticket, policy: SlaPolicy | None) -> None:
    ticket.sla_policy = policy
    if policy is None:
        return
    calendar = _calendar_for(policy)
    deadlines = sla.compute_deadlines(policy, ticket.created_at, calendar)
    ticket.first_response_due = deadlines.first_response_due
    ticket.resolution_due = deadlines.resolution_due
    ticket.next_sla_check = sla.next_check(ticket, policy, now=ticket.created_at, calendar=calendar)


def _notify_citizen(ticket: Ticket, *, subject: str, body: str) -> None:
    email, phone = _citizen_contacts(ticket)
    notify_contact(email=email, phone=phone, subject=subject, body=body, user=ticket.citizen, reference=ticket.number)


def _citizen_contacts(ticket: Ticket) -> tuple[str, str]:
    """Where the citizen hears about the appeal: the contacts it gave, else their profile's."""
    citizen = ticket.citizen
    email = ticket.contact_email or (citizen.email if citizen else "")
    phone = ticket.contact_phone or (str(citizen.phone) if citizen and citizen.phone else "")
    return email, phone


def _local_time(moment: datetime) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def ticket_create(
    *,
    channel: str,
    category: Category | None,
    text: str,
    citizen: User | None = None,
    contact_email: str = "",
    contact_phone: str = "",
    rating: int | None = None,
    files=(),
    subject: str = "",
    priority: str = Priority.SIMPLE,
    actor: User | None = None,
) -> Ticket:
    """Register a new appeal: SLA deadlines, first message, files, history, routing, notice."""
    _validate_new_ticket(
        channel=channel,
        category=category,
        text=text,
        contact_email=contact_email,
        contact_phone=contact_phone,
        rating=rating,
    )
    checked_files = check_uploads(list(files))
    in_callers_transaction = connection.in_atomic_block
    for _attempt in range(NUMBER_ATTEMPTS):
        try:
            return _ticket_insert(
                in_callers_transaction=in_callers_transaction,
                files=checked_files,
                actor=actor,
                ticket=Ticket(
                    channel=channel,
                    category=category,
                    queue=category,
                    priority=priority,
                    citizen=citizen,
                    subject=subject[:255],
                    text=text.strip(),
                    contact_email=contact_email,
                    contact_phone=contact_phone,
                    initial_rating=rating,
                    created_at=timezone.now(),
                    last_seq=1,  # the first message's: a new row needs no seq taken under a lock
                ),
            )
        except _NumberMaybeTaken as failure:
            if not Ticket.objects.filter(number=failure.number).exists():
                raise failure.__cause__ from None
    raise RuntimeError("could not allocate a ticket number")


def _ticket_insert(*, ticket: Ticket, files: list[CheckedFile], actor: User | None, in_callers_transaction: bool):
    author, now = actor or ticket.citizen, ticket.created_at
    author_kind = AuthorKind.OPERATOR if actor and actor.is_staff_member else AuthorKind.CITIZEN
    message = Message(
        ticket=ticket, seq=1, author=author, author_kind=author_kind, text=ticket.text, internal=False, created_at=now
    )
    created = TicketEvent(ticket=ticket, kind=EventKind.CREATED, actor=author, at=now, to_status=Status.ACCEPTED)
    with _files_removed_on_failure() as written, transaction.atomic():
        _apply_sla(ticket, _policy_for(channel=ticket.channel, category=ticket.category, priority=ticket.priority))
        rows = _insert_ticket(
            ticket,
            lambda numbered: [message, created, *_acceptance_notices(numbered)],
            in_callers_transaction=in_callers_transaction,
        )
        message.has_attachments = False
        transaction.on_commit(lambda: message_stored.send(sender=Message, message=message))
        notifications_deliver_after_commit(rows[2:])
        _store_attachments(ticket=ticket, files=files, message=message, uploaded_by=author, now=now, written=written)
        if ticket.channel not in LIVE_CHANNELS:
            from tickets.routing import ticket_route

            ticket_route(ticket=ticket)
    return ticket


# Live conversations: the bot answers first and the chat is routed when it is handed off;
# the citizen reads every reply as it comes, so no e-mail or SMS repeats it.
LIVE_CHANNELS = (Channel.CHAT, Channel.SOCIAL)


def _acceptance_notices(ticket: Ticket) -> list[Notification]:
    """The citizen's notice of a new written appeal: its number and when the answer is due."""
    if ticket.channel in LIVE_CHANNELS:
        return []
    body = _("Your appeal No. %(number)s is registered.") % {"number": ticket.number}
    if ticket.resolution_due:
        body += " " + _("We will answer by %(due)s.") % {"due": _local_time(ticket.resolution_due)}
    email, phone = _citizen_contacts(ticket)
    return contact_notifications(
        email=email,
        phone=phone,
        subject=_("Appeal %(number)s accepted") % {"number": ticket.number},
        body=body,
        user=ticket.citizen,
        reference=ticket.number,
    )


def _status_notice(ticket: Ticket) -> str:
    text = _("The status of your appeal No. %(number)s is now “%(status)s”.") % {
        "number": ticket.number,
        "status": ticket.get_status_display(),
    }
    if ticket.status == Status.WAITING_DOCUMENTS:
        text += " " + _("Please add the requested documents to the appeal.")
    return text


def _validate_closing(
    to_status: str, *, resolution: str, rejection_reasons: str, regulation_references: str, appeal_instructions: str
) -> None:
    if to_status != Status.REJECTED:
        return
    errors = {}
    if not rejection_reasons.strip():
        errors["rejection_reasons"] = _("Give the reasons for the rejection.")
    if not regulation_references.strip():
        errors["regulation_references"] = _("Give the regulation references.")
    if not appeal_instructions.strip():
        errors["appeal_instructions"] = _("Explain how the decision can be appealed.")
    if errors:
        raise ValidationError(errors)


def _shift_sla_for(ticket: Ticket, to_status: str, now: datetime) -> None:
    """Waiting for documents stops the clock; coming back grants the time that was left."""
    policy = ticket.sla_policy
    if to_status == Status.WAITING_DOCUMENTS:
        ticket.sla_paused_at = now
    elif ticket.sla_paused_at is not None:
        if policy and ticket.resolution_due:
            ticket.resolution_due = sla.resumed_deadline(
                policy, ticket.resolution_due, ticket.sla_paused_at, now, _calendar_for(policy)
            )
        ticket.sla_paused_at = None
    ticket.next_sla_check = sla.next_check(ticket, policy, now=now)


def ticket_transition(
    *,
    ticket: Ticket,
    to_status: str,
    actor: User | None,
    comment: str = "",
    resolution: str = "",
    rejection_reasons: str = "",
    regulation_references: str = "",
    appeal_instructions: str = "",
    result_files=(),
) -> Ticket:
    """The one place a status changes: checks the workflow, writes history, notifies.
    `result_files` (only when completing) are stored as the appeal's result documents."""
    _validate_closing(
        to_status,
        resolution=resolution,
        rejection_reasons=rejection_reasons,
        regulation_references=regulation_references,
        appeal_instructions=appeal_instructions,
    )
    checked_results = _check_result_files(ticket, to_status, list(result_files))
    now = timezone.now()
    with _files_removed_on_failure() as written, transaction.atomic():
        ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
        from_status = ticket.status
        _ensure_allowed(ticket, to_status)
        if to_status not in OPEN_STATUSES:
            ticket_control_check(ticket=ticket, actor=actor)
        ticket.status = to_status
        if to_status not in OPEN_STATUSES:
            ticket.closed_at = now
            ticket.resolution = resolution
            ticket.rejection_reasons = rejection_reasons
            ticket.regulation_references = regulation_references
            ticket.appeal_instructions = appeal_instructions
        if actor is not None and actor.is_staff_member and ticket.first_responded_at is None:
            ticket.first_responded_at = now
        _shift_sla_for(ticket, to_status, now)
        ticket.save()
        _store_attachments(
            ticket=ticket,
            files=checked_results,
            message=None,
            uploaded_by=actor,
            now=now,
            written=written,
            is_result_document=True,
        )
        _record_event(
            ticket=ticket,
            kind=EventKind.STATUS,
            actor=actor,
            now=now,
            from_status=from_status,
            to_status=to_status,
            comment=comment,
            data={"result_documents": len(checked_results)} if checked_results else None,
        )
        _notify_citizen(
            ticket,
            subject=_("Appeal %(number)s: %(status)s")
            % {"number": ticket.number, "status": ticket.get_status_display()},
            body=_status_notice(ticket),
        )
    return ticket


def _ensure_allowed(ticket: Ticket, to_status: str) -> None:
    if to_status in TRANSITIONS.get(ticket.status, set()):
        return
    raise TransitionForbidden(
        _("An appeal cannot move from “%(from)s” to “%(to)s”.")
        % {
            "from": ticket.get_status_display(),
            "to": Status(to_status).label if to_status in Status.values else to_status,
        }
    )


def _check_result_files(ticket: Ticket, to_status: str, files: list) -> list[CheckedFile]:
    """Result documents go with a completion only; they have their own size budget."""
    if not files:
        return []
    if to_status != Status.COMPLETED:
        raise ValidationError({"result_files": _("A result document can only be attached when completing.")})
    stored = sum(ticket.attachments.filter(is_result_document=True).values_list("size", flat=True))
    try:
        return check_uploads(files, already_stored_bytes=stored)
    except ValidationError as error:
        raise ValidationError({"result_files": error.message_dict.get("files", error.messages)}) from error


def message_add(
    *,
    ticket: Ticket,
    author: User | None,
    text: str,
    internal: bool = False,
    files=(),
    author_kind: str | None = None,
    client_id=None,
    actions=None,
    attachment_ids=(),
) -> Message:
    """Add to an appeal's thread. A citizen's files in *Waiting for documents* resume the work.
    `attachment_ids` are files uploaded beforehand with `attachment_upload` (live chat)."""
    author_kind = author_kind or _author_kind_of(author)
    if internal and author_kind != AuthorKind.OPERATOR:
        raise ValidationError({"internal": _("Only staff can write private notes.")})
    files = list(files)
    if not text.strip() and not files and not attachment_ids:
        raise ValidationError({"text": _("Write a message or attach a file.")})
    stored_bytes = sum(ticket.attachments.values_list("size", flat=True)) if files else 0
    checked_files = check_uploads(files, already_stored_bytes=stored_bytes)
    now = timezone.now()
    if _one_statement_will_do(author_kind=author_kind, internal=internal, files=files, attachment_ids=attachment_ids):
        return _append_message_in_one_statement(
            ticket=ticket,
            author=author,
            author_kind=author_kind,
            text=text.strip(),
            internal=internal,
            now=now,
            client_id=client_id,
            actions=actions,
        )
    with _files_removed_on_failure() as written, transaction.atomic():
        message = _append_message(
            ticket=ticket,
            author=author,
            author_kind=author_kind,
            text=text.strip(),
            internal=internal,
            now=now,
            client_id=client_id,
            actions=actions,
        )
        if author_kind == AuthorKind.CITIZEN and ticket.status not in OPEN_STATUSES:
            raise TransitionForbidden(_("This appeal is closed. Please file a new one."))
        if checked_files:
            check_room(checked_files, already_stored_bytes=_stored_bytes(ticket.attachments.all()))
        message.has_attachments = bool(checked_files or attachment_ids)
        if message.has_attachments or (author_kind == AuthorKind.OPERATOR and not internal):
            locked = Ticket.objects.get(pk=ticket.pk)  # the row is already locked by the seq
            _store_attachments(
                ticket=locked, files=checked_files, message=message, uploaded_by=author, now=now, written=written
            )
            linked = _link_uploaded(ticket=locked, message=message, attachment_ids=attachment_ids, uploader=author)
            _after_message(locked, message, files_added=bool(checked_files) or linked, now=now)
    return message


def _one_statement_will_do(*, author_kind: str, internal: bool, files, attachment_ids) -> bool:
    """A citizen's or the bot's text, or a private note, outside any transaction on
    PostgreSQL: nothing else changes with it, so the seq, the closed-appeal check and the
    insert can be one statement (the live chat's hot path: one round trip, not four)."""
    if files or attachment_ids or connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    return author_kind != AuthorKind.OPERATOR or internal


_STORED_COLUMNS = ("author", "author_kind", "text", "internal", "client_id", "actions", "created_at")


def _append_message_in_one_statement(
    *, ticket: Ticket, author, author_kind: str, text: str, internal: bool, now: datetime, client_id, actions
) -> Message:
    """Same rules as `_append_message` plus the closed check, as one atomic statement: a
    duplicate client_id fails the whole statement, so no seq is used up."""
    message = Message(
        ticket=ticket,
        author=author,
        author_kind=author_kind,
        text=text,
        internal=internal,
        client_id=client_id,
        actions=actions or [],
        created_at=now,
    )
    fields = [Message._meta.get_field(name) for name in _STORED_COLUMNS]
    values = [field.get_db_prep_save(getattr(message, field.attname), connection) for field in fields]
    citizen_writes = author_kind == AuthorKind.CITIZEN
    row = server_bound_fetchone(_append_statement(), [ticket.pk, *OPEN_STATUSES, citizen_writes, *values])
    if row is None:
        raise TransitionForbidden(_("This appeal is closed. Please file a new one."))
    message.pk, message.seq, ticket.status, ticket.assignee_id = row
    ticket.last_seq = message.seq
    message._state.adding, message._state.db = False, connection.alias
    message.has_attachments = False
    transaction.on_commit(lambda: message_stored.send(sender=Message, message=message))
    return message


@functools.cache
def _append_statement() -> str:
    """Take the next seq of an open appeal (or any appeal, when staff or the bot write) and
    store the message with it; the values are cast because server-bound parameters in a
    SELECT list have no type of their own."""
    fields = [Message._meta.get_field(name) for name in _STORED_COLUMNS]
    open_marks = ", ".join(["%s"] * len(OPEN_STATUSES))
    marks = ", ".join(f"%s::{field.cast_db_type(connection)}" for field in fields)
    return f"""
        WITH taken AS (
            UPDATE {Ticket._meta.db_table} SET last_seq = last_seq + 1
            WHERE id = %s AND (status IN ({open_marks}) OR NOT %s)
            RETURNING id, last_seq, status, assignee_id)
        INSERT INTO {Message._meta.db_table} (ticket_id, seq, {", ".join(f.column for f in fields)})
        SELECT id, last_seq, {marks} FROM taken
        RETURNING id, seq, (SELECT status FROM taken), (SELECT assignee_id FROM taken)"""


def _link_uploaded(*, ticket: Ticket, message: Message, attachment_ids, uploader) -> bool:
    """Attach files the same person uploaded to this ticket and has not used yet."""
    ids = set(attachment_ids)
    if not ids:
        return False
    if not all(isinstance(pk, int) and not isinstance(pk, bool) for pk in ids):
        raise ValidationError({"attachments": _("Attachments are referred to by their numeric ids.")})
    free = Attachment.objects.filter(pk__in=ids, ticket=ticket, message__isnull=True, uploaded_by=uploader)
    if free.count() != len(ids):
        raise ValidationError({"attachments": _("Some of these files are unknown or already sent.")})
    free.update(message=message)
    return True


def _stored_bytes(attachments) -> int:
    return sum(attachments.values_list("size", flat=True))


def attachment_upload(*, ticket: Ticket, uploader: User, file) -> Attachment:
    """Store a file for a message that is sent later (the chat uploads over HTTP first)."""
    if not uploader.is_staff_member and not ticket.is_open:
        raise TransitionForbidden(_("This appeal is closed. Please file a new one."))
    pending = ticket.attachments.filter(message__isnull=True, uploaded_by=uploader)
    checked = check_uploads([file], already_stored_bytes=_stored_bytes(pending))
    now = timezone.now()
    with _files_removed_on_failure() as written, transaction.atomic():
        Ticket.objects.select_for_update().only("pk").get(pk=ticket.pk)  # uploads to one appeal queue here
        check_room(checked, already_stored_bytes=_stored_bytes(pending))
        return _store_attachments(
            ticket=ticket, files=checked, message=None, uploaded_by=uploader, now=now, written=written
        )[0]


def ticket_categorise(*, ticket: Ticket, category: Category, actor: User | None, comment: str = "") -> Ticket:
    """Correct the category (and so the queue) of an appeal that nobody works on yet, without routing it."""
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.category_id == category.pk or locked.assignee_id is not None:
            return locked
        data = {"from_queue": locked.queue.slug, "to_queue": category.slug}
        locked.category = locked.queue = category
        locked.save(update_fields=["category", "queue", "updated_at"])
        _record_event(
            ticket=locked, kind=EventKind.TRANSFERRED, actor=actor, now=timezone.now(), comment=comment, data=data
        )
    return locked


def _author_kind_of(author: User | None) -> str:
    if author is None:
        return AuthorKind.SYSTEM
    return AuthorKind.OPERATOR if author.is_staff_member else AuthorKind.CITIZEN


def _after_message(ticket: Ticket, message: Message, *, files_added: bool, now: datetime) -> None:
    if message.author_kind == AuthorKind.OPERATOR and not message.internal:
        if ticket.first_responded_at is None:
            ticket.first_responded_at = now
            ticket.next_sla_check = sla.next_check(ticket, ticket.sla_policy, now=now)
            ticket.save(update_fields=["first_responded_at", "next_sla_check", "updated_at"])
        if ticket.channel not in LIVE_CHANNELS + (Channel.EMAIL,):  # e-mail replies go out in the thread
            _notify_citizen(
                ticket,
                subject=_("New reply on appeal %(number)s") % {"number": ticket.number},
                body=_("An operator answered your appeal No. %(number)s.") % {"number": ticket.number},
            )
    if message.author_kind == AuthorKind.CITIZEN and files_added:
        _record_event(ticket=ticket, kind=EventKind.DOCUMENTS_ADDED, actor=message.author, now=now)
        if ticket.status == Status.WAITING_DOCUMENTS:
            ticket_transition(
                ticket=ticket,
                to_status=Status.IN_PROGRESS,
                actor=message.author,
                comment=_("The citizen added documents."),
            )


RATING_COMMENT_MAX_LENGTH = 1000


def ticket_rate(*, ticket: Ticket, citizen: User, score: int, comment: str = "") -> Rating:
    """The citizen's one rating of an appeal. A written appeal is rated once it is closed;
    a chat as soon as somebody (an operator or the bot) has answered in it."""
    _validate_rating(score, comment)
    if citizen is None or ticket.citizen_id != citizen.pk:
        raise PermissionDenied(_("Only the citizen who filed the appeal can rate it."))
    now = timezone.now()
    try:
        with transaction.atomic():
            locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
            _ensure_ratable(locked)
            rating = Rating.objects.create(
                ticket=locked, score=score, comment=comment.strip(), operator=locked.assignee, created_at=now
            )
            _record_event(ticket=locked, kind=EventKind.RATED, actor=citizen, now=now, data={"score": score})
    except IntegrityError as error:
        raise AlreadyRated(_("You have already rated this appeal.")) from error
    return rating


def _validate_rating(score, comment: str) -> None:
    errors = {}
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        errors["score"] = _("The rating is a number from 1 to 5.")
    if len(comment) > RATING_COMMENT_MAX_LENGTH:
        errors["comment"] = _("The comment may take up to %(max)s characters.") % {"max": RATING_COMMENT_MAX_LENGTH}
    if errors:
        raise ValidationError(errors)


def _ensure_ratable(ticket: Ticket) -> None:
    if Rating.objects.filter(ticket=ticket).exists():
        raise AlreadyRated(_("You have already rated this appeal."))
    if ticket.channel == Channel.CHAT:
        answered = ticket.messages.filter(author_kind__in=(AuthorKind.OPERATOR, AuthorKind.BOT), internal=False)
        if not answered.exists():
            raise TransitionForbidden(_("The chat can be rated once somebody has answered you."))
    elif ticket.is_open:
        raise TransitionForbidden(_("The appeal can be rated once it is closed."))
