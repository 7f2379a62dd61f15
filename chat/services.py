"""The live chat's domain: opening a chat, sending, resuming, handoff and offers."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from chat.models import ChatSession, Phase
from chat.realtime import operator_group, room_group, send_to_group
from chat.waiting import queue_standing, queue_standings, queued_status_frame
from gosupport.models import Category, OperatorProfile, User
from knowledgebase.text import detect_language
from tickets.models import AuthorKind, Channel, Message, Status, Ticket
from tickets.routing import free_operator_id, operators_for
from tickets.services import TransitionForbidden, message_add, ticket_create

MAX_TEXT_LENGTH = 4000


def default_chat_category() -> Category:
    slug = getattr(settings, "CHAT_DEFAULT_CATEGORY", "general")
    category = Category.objects.filter(slug=slug).first() or Category.objects.filter(is_active=True).first()
    if category is None:
        raise ValidationError({"category": _("The chat is not available: no categories are configured.")})
    return category


def chat_open(*, citizen: User, text: str = "", category: Category | None = None) -> Ticket:
    """A chat is an appeal on the chat channel from its first moment."""
    opening = text.strip() or _("Chat started")
    ticket = ticket_create(
        channel=Channel.CHAT,
        category=category or default_chat_category(),
        text=opening,
        citizen=citizen,
        contact_email=citizen.email,
    )
    ChatSession.objects.create(ticket=ticket)
    return ticket


def _parse_client_id(client_id) -> uuid.UUID:
    try:
        return uuid.UUID(str(client_id))
    except (TypeError, ValueError):
        raise ValidationError({"client_id": _("client_id must be a UUID.")}) from None


def chat_message_send(*, ticket: Ticket, author: User, text: str, client_id, attachment_ids=()) -> tuple[Message, bool]:
    """Store a chat message once per client_id; returns (message, created)."""
    client_uuid = _parse_client_id(client_id)
    if len(text) > MAX_TEXT_LENGTH:
        raise ValidationError({"text": _("A message may have at most %(n)s characters.") % {"n": MAX_TEXT_LENGTH}})
    try:
        message = message_add(
            ticket=ticket, author=author, text=text, client_id=client_uuid, attachment_ids=attachment_ids
        )
    except IntegrityError:
        return Message.objects.get(ticket=ticket, client_id=client_uuid), False
    if message.author_kind == AuthorKind.CITIZEN and message.text:
        from chat.bot import bot_respond

        bot_respond(ticket=ticket, text=text)
    return message, True


def chat_messages_after(*, ticket: Ticket, user: User, after_seq: int) -> list[Message]:
    messages = ticket.messages.filter(seq__gt=after_seq).prefetch_related("attachments").order_by("seq")
    if not user.is_staff_member:
        messages = messages.filter(internal=False)
    return list(messages)


def chat_typing(*, ticket: Ticket, user: User) -> None:
    author = AuthorKind.OPERATOR if user.is_staff_member else AuthorKind.CITIZEN
    send_to_group(room_group(ticket.pk), {"type": "typing", "author": author})


def chat_read(*, ticket: Ticket, user: User, seq: int) -> None:
    field = "operator_read_seq" if user.is_staff_member else "citizen_read_seq"
    if seq > ticket.last_seq:
        # A socket's ticket is loaded once: the other side's replies since then are not in it.
        ticket.last_seq = Ticket.objects.filter(pk=ticket.pk).values_list("last_seq", flat=True).get()
    seq = min(max(seq, 0), ticket.last_seq)
    ChatSession.objects.filter(ticket=ticket, **{f"{field}__lt": seq}).update(**{field: seq})
    author = AuthorKind.OPERATOR if user.is_staff_member else AuthorKind.CITIZEN
    send_to_group(room_group(ticket.pk), {"type": "read", "author": author, "seq": seq})


def status_frame(session: ChatSession) -> dict:
    """`{"type":"status","status":…}`, with `position` and `wait_seconds` (when it can be
    estimated, chat.waiting) while queued and `operator` once assigned."""
    if session.phase == Phase.QUEUED and session.queued_at:
        position, wait_seconds = queue_standing(session)
        return queued_status_frame(position=position, wait_seconds=wait_seconds)
    frame = {"type": "status", "status": session.phase}
    assignee = session.ticket.assignee
    if session.phase == Phase.ASSIGNED and assignee is not None:
        frame["operator"] = {"id": assignee.pk, "name": assignee.first_name}
    return frame


def chat_handoff(*, ticket: Ticket, actor: User | None, offer_alternatives: bool = False) -> ChatSession:
    """Put the chat in the queue of its category and offer it to a free operator. With
    `offer_alternatives` (the citizen asked for a person), when nobody will come soon the
    bot offers the written appeal and a call back (chat.bot.waiting_alternatives)."""
    now = timezone.now()
    with transaction.atomic():
        session = ChatSession.objects.select_for_update().select_related("ticket").get(ticket=ticket)
        if session.phase != Phase.BOT:
            return session
        session.phase, session.queued_at = Phase.QUEUED, now
        session.save(update_fields=["phase", "queued_at"])
        _offer_next(session, now=now)
        if offer_alternatives:
            _alternatives_offer(session)
        transaction.on_commit(lambda: send_to_group(room_group(ticket.pk), status_frame(session)))
    return session


def _alternatives_offer(session: ChatSession) -> None:
    from chat.bot import last_question, operators_working_now, waiting_alternatives

    ticket = session.ticket
    with override(detect_language(last_question(ticket), "ru")):
        working = operators_working_now()
        wait_seconds = queue_standing(session)[1] if working else None
        offer = waiting_alternatives(ticket=ticket, working=working, wait_seconds=wait_seconds)
        if offer is not None:
            message_add(ticket=ticket, author=None, author_kind=AuthorKind.BOT, text=offer.text, actions=offer.actions)


def _offer_next(session: ChatSession, *, now) -> int | None:
    """Offer the chat to whom routing would give it now, passing over the operator it was offered to."""
    skip = [session.offered_to_id] if session.offered_to_id else []
    operator_id = free_operator_id(session.ticket, skip=skip)
    session.offered_to_id = operator_id
    session.offer_expires_at = now + timedelta(seconds=settings.CHAT_OFFER_SECONDS) if operator_id else None
    session.save(update_fields=["offered_to", "offer_expires_at"])
    if operator_id is not None:
        frame = {"type": "offer", "ticket": session.ticket.number, "expires_at": session.offer_expires_at.isoformat()}
        transaction.on_commit(lambda: send_to_group(operator_group(operator_id), frame))
    return operator_id


def _locked_session(ticket: Ticket) -> ChatSession:
    return ChatSession.objects.select_for_update().select_related("ticket").get(ticket=ticket)


def _broadcast_status(session: ChatSession) -> None:
    frame = status_frame(session)
    transaction.on_commit(lambda: send_to_group(room_group(session.ticket_id), frame))


def _queue_left(session: ChatSession) -> None:
    """A queued chat is leaving its queue: after the commit, the chats behind it learn their new place and wait."""
    if session.phase == Phase.QUEUED:
        queue_id = session.ticket.queue_id
        transaction.on_commit(lambda: queue_statuses_broadcast(queue_id=queue_id))


def queue_statuses_broadcast(*, queue_id: int) -> None:
    for session, frame in queue_standings(queue_id=queue_id):
        send_to_group(room_group(session.ticket_id), frame)


def chat_accept(*, ticket: Ticket, operator: User) -> ChatSession:
    """An operator takes a queued chat: it must still be waiting and they must be free."""
    from tickets.routing import ticket_assign
    from tickets.services import ticket_transition

    with transaction.atomic():
        session = _locked_session(ticket)
        if session.phase not in (Phase.BOT, Phase.QUEUED):
            raise TransitionForbidden(_("This chat has already been taken."))
        if not operators_for(session.ticket).filter(user=operator).exists():
            raise TransitionForbidden(
                _("You cannot take this chat now: it is not in your queues or you are at capacity.")
            )
        ticket_assign(ticket=session.ticket, operator=operator, actor=operator, comment=_("Chat accepted."))
        if session.ticket.status == Status.ACCEPTED:
            ticket_transition(ticket=session.ticket, to_status=Status.IN_PROGRESS, actor=operator)
        session.ticket.refresh_from_db()
        _queue_left(session)
        now = timezone.now()
        session.accepted_at = now
        session.waited_seconds = int((now - session.queued_at).total_seconds()) if session.queued_at else None
        session.phase, session.offered_to, session.offer_expires_at = Phase.ASSIGNED, None, None
        session.save(update_fields=["phase", "offered_to", "offer_expires_at", "accepted_at", "waited_seconds"])
        _broadcast_status(session)
        frame = {"type": "assigned", "ticket": ticket.number}
        transaction.on_commit(lambda: send_to_group(operator_group(operator.pk), frame))
    return session


class ChatControlDenied(PermissionDenied):
    """The person may see the chat but not transfer or close it."""


def chat_may_control(*, ticket: Ticket, user: User) -> bool:
    """Its operator, a senior operator of its queue and line, or a supervisor transfers and closes a chat."""
    if not (user.is_active and user.is_staff_member):
        return False
    if user.is_supervisor or ticket.assignee_id == user.pk:
        return True
    profile = OperatorProfile.objects.filter(user=user, is_senior=True, line__gte=ticket.line).first()
    if profile is None:
        return False
    return profile.all_queues or profile.skills.filter(pk=ticket.queue_id).exists()


def chat_control_check(*, ticket: Ticket, user: User) -> None:
    """The one check behind every door that transfers or closes a chat (desk socket, desk and
    workspace pages, REST, admin): tickets' transfer and closing call it through tickets.control."""
    if not chat_may_control(ticket=ticket, user=user):
        raise ChatControlDenied(
            _(
                "Only the operator answering this chat, a senior operator of its queue or a supervisor "
                "can transfer or close it."
            )
        )


def chat_transfer(*, ticket: Ticket, queue: str, operator: User) -> ChatSession:
    """Hand a chat to another queue (a category slug) or to the second line ("second_line")."""
    from tickets.routing import ticket_transfer

    target, line = _transfer_target(ticket, queue)
    with transaction.atomic():
        session = _locked_session(ticket)
        if session.phase == Phase.CLOSED:
            raise TransitionForbidden(_("This chat is closed."))
        chat_control_check(ticket=session.ticket, user=operator)
        _queue_left(session)
        ticket_transfer(ticket=session.ticket, queue=target, line=line, actor=operator)
        session.ticket.refresh_from_db()
        session.phase, session.queued_at, session.offered_to = Phase.QUEUED, timezone.now(), None
        session.save(update_fields=["phase", "queued_at", "offered_to"])
        _offer_next(session, now=timezone.now())
        _broadcast_status(session)
    return session


def _transfer_target(ticket: Ticket, queue: str) -> tuple[Category, int]:
    if queue == "second_line":
        return ticket.queue, 2
    category = Category.objects.filter(slug=queue, is_active=True).first()
    if category is None:
        raise ValidationError({"queue": _("There is no such queue.")})
    return category, ticket.line


def chat_close(*, ticket: Ticket, operator: User, resolution: str) -> ChatSession:
    from tickets.services import ticket_transition

    with transaction.atomic():
        session = _locked_session(ticket)
        if session.phase == Phase.CLOSED:
            return session
        chat_control_check(ticket=session.ticket, user=operator)
        _queue_left(session)
        if session.ticket.status == Status.ACCEPTED:
            ticket_transition(ticket=session.ticket, to_status=Status.IN_PROGRESS, actor=operator)
        ticket_transition(ticket=session.ticket, to_status=Status.COMPLETED, actor=operator, resolution=resolution)
        session.phase, session.offered_to = Phase.CLOSED, None
        session.save(update_fields=["phase", "offered_to"])
        _broadcast_status(session)
    return session


def operator_presence_set(*, operator: User, presence: str, from_desk: bool = False) -> None:
    """Presence drives routing: going online picks up waiting chats at once; going away or
    offline passes the chats offered to the operator on. Chosen on the desk socket, it counts
    as the desk being seen and lapses when the desk is gone (chat.presence); chosen anywhere
    else (the page form, a supervisor) it stays until changed, for operators who work written
    appeals in the workspace without a desk open."""
    from gosupport.models import Presence

    if presence not in Presence.values:
        raise ValidationError({"status": _("Presence is online, away or offline.")})
    now = timezone.now()
    with transaction.atomic():
        OperatorProfile.objects.filter(user=operator).update(
            presence=presence, presence_changed_at=now, desk_seen_at=now if from_desk else None
        )
        if presence != Presence.ONLINE:
            offers_release(operator_ids=[operator.pk], now=now)
    chat_offers_sweep(now=now)


def offers_release(*, operator_ids: list[int], now) -> int:
    """Offers pending to these operators run out now; the offers sweep passes them on."""
    if not operator_ids:
        return 0
    return ChatSession.objects.filter(phase=Phase.QUEUED, offered_to__in=operator_ids, offer_expires_at__gt=now).update(
        offer_expires_at=now
    )


def chat_offers_sweep(*, now=None) -> int:
    """Offer waiting chats whose offer is missing or expired to the next free operator."""
    from django.db.models import Q

    now = now or timezone.now()
    due = (
        ChatSession.objects.filter(phase=Phase.QUEUED)
        .filter(Q(offered_to__isnull=True) | Q(offer_expires_at__lte=now))
        .order_by("queued_at")
        .values_list("pk", flat=True)[:200]
    )
    offered = 0
    for session_id in list(due):
        with transaction.atomic():
            session = (
                ChatSession.objects.select_for_update(skip_locked=True)
                .select_related("ticket")
                .filter(pk=session_id, phase=Phase.QUEUED)
                .first()
            )
            if session is not None and _offer_next(session, now=now) is not None:
                offered += 1
    return offered


def chat_rate(*, ticket: Ticket, citizen: User, score, comment: str = ""):
    from tickets.services import ticket_rate

    return ticket_rate(ticket=ticket, citizen=citizen, score=score, comment=comment or "")


def chat_resolved_by_bot(*, ticket: Ticket, citizen: User) -> ChatSession:
    """ "That helped": the bot's answer was enough; the chat closes without a person (deflection)."""
    from tickets.services import ticket_transition

    with transaction.atomic():
        session = _locked_session(ticket)
        if session.phase != Phase.BOT:
            raise TransitionForbidden(_("An operator is already handling this chat."))
        if ticket.citizen_id != citizen.pk:
            raise TransitionForbidden(_("Only the citizen can close the chat this way."))
        ticket_transition(ticket=session.ticket, to_status=Status.IN_PROGRESS, actor=None)
        ticket_transition(
            ticket=session.ticket,
            to_status=Status.COMPLETED,
            actor=None,
            resolution=_("The citizen found the answer with the bot's help."),
        )
        session.phase = Phase.CLOSED
        session.save(update_fields=["phase"])
        _broadcast_status(session)
    return session


def chat_start(*, citizen: User, text: str = "", category: Category | None = None) -> Ticket:
    """Open a chat from the chat page: the first question, when there is one, gets the bot's answer at once."""
    from chat.bot import bot_respond

    ticket = chat_open(citizen=citizen, text=text, category=category)
    if text.strip():
        bot_respond(ticket=ticket, text=text.strip())
    return ticket
