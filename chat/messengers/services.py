"""The messenger side of the chat flow, the same for every messenger.

A messenger chat is first linked to the citizen's portal account (the citizen opens a
one-hour sign-in link the bot sends and confirms); then each message goes into the chat
flow exactly as from the portal chat: the first one opens a conversation (an appeal on
the social channel with a chat session), the next ones go through
`chat.services.chat_message_send`, so the bot answers and hands over to an operator. Every
update is handled once (by its update id); replies and notices go out after the commit."""

import hashlib
import secrets
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chat.messengers.base import IncomingMessage
from chat.models import ChatSession, MessengerLink, MessengerUpdate, Phase
from chat.services import MAX_TEXT_LENGTH, chat_handoff, chat_message_send, default_chat_category
from gosupport.models import User
from tickets.models import AuthorKind, Channel, Message, Ticket
from tickets.services import TransitionForbidden, ticket_create

LINK_LIFETIME = timedelta(hours=1)
CLIENT_ID_NAMESPACE = uuid.UUID("6f1c7b8e-3f43-4b8e-9a57-0c1f3e0b9d21")
OPERATOR_COMMANDS = {"/operator", "/оператор"}


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _say(messenger: str, chat_id: str, text: str) -> None:
    """Send a notice to the chat once the transaction has committed."""
    from chat.messengers.tasks import send_messenger_text

    transaction.on_commit(lambda: send_messenger_text.delay(messenger, chat_id, text))


# --- updates in


def messenger_update_receive(*, messenger: str, incoming: IncomingMessage) -> str:
    """Handle one update once; returns what became of it ("duplicate", "ignored", "link_sent",
    "message", "handoff", "refused")."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                MessengerUpdate.objects.create(
                    messenger=messenger, update_id=incoming.update_id, received_at=timezone.now()
                )
        except IntegrityError:
            return "duplicate"
        if not incoming.chat_id:
            return "ignored"
        link, _created = MessengerLink.objects.select_for_update().get_or_create(
            messenger=messenger, chat_id=incoming.chat_id, defaults={"created_at": timezone.now()}
        )
        return _handle(link, incoming)


def _handle(link: MessengerLink, incoming: IncomingMessage) -> str:
    if not incoming.text:
        _say(link.messenger, link.chat_id, _("Only text messages are accepted here. Send files through the portal."))
        return "ignored"
    citizen = _linked_citizen(link)
    if citizen is None:
        _send_link(link, keep=incoming.text)
        return "link_sent"
    if incoming.text.split()[0].lower() in OPERATOR_COMMANDS:
        return _ask_for_operator(link)
    if incoming.text.startswith("/"):
        _say(link.messenger, link.chat_id, _("Write your question, or send /operator to talk to a person."))
        return "ignored"
    try:
        _converse(
            link,
            citizen,
            incoming.text,
            client_id=uuid.uuid5(CLIENT_ID_NAMESPACE, f"{link.messenger}:{incoming.update_id}"),
        )
    except (ValidationError, TransitionForbidden) as error:
        _say(link.messenger, link.chat_id, " ".join(getattr(error, "messages", [str(error)])))
        return "refused"
    return "message"


def _linked_citizen(link: MessengerLink) -> User | None:
    user = link.user
    if user is None or not user.is_active or not user.is_citizen:
        return None
    return user


def _send_link(link: MessengerLink, *, keep: str) -> None:
    token = secrets.token_urlsafe(24)
    link.link_token_hash = _token_hash(token)
    link.link_token_expires_at = timezone.now() + LINK_LIFETIME
    if not keep.startswith("/"):
        link.pending_text = keep[:MAX_TEXT_LENGTH]
    link.save(update_fields=["link_token_hash", "link_token_expires_at", "pending_text"])
    url = settings.SITE_URL.rstrip("/") + reverse("messengers:telegram_link", args=[token])
    text = _(
        "To write to the contact centre here, sign in to the portal and confirm this chat: %(url)s "
        "(the link works for an hour). Your question will be kept until then."
    ) % {"url": url}
    _say(link.messenger, link.chat_id, text)


def _open_session(link: MessengerLink) -> ChatSession | None:
    ticket = link.ticket
    if ticket is None or not ticket.is_open:
        return None
    session = ChatSession.objects.filter(ticket=ticket).first()
    return session if session is not None and session.phase != Phase.CLOSED else None


def _converse(link: MessengerLink, citizen: User, text: str, *, client_id: uuid.UUID) -> Message | None:
    """The citizen's message into the conversation, opening one when none is running."""
    text = text[:MAX_TEXT_LENGTH]
    if _open_session(link) is None:
        _open_conversation(link, citizen, text)
        return None
    message, _created = chat_message_send(ticket=link.ticket, author=citizen, text=text, client_id=client_id)
    return message


def _open_conversation(link: MessengerLink, citizen: User, text: str) -> Ticket:
    """Like the portal's chat_start, on the social channel: the first question is the appeal's text."""
    from chat.bot import bot_respond

    ticket = ticket_create(
        channel=Channel.SOCIAL,
        category=default_chat_category(),
        text=text,
        citizen=citizen,
        contact_email=citizen.email,
    )
    ChatSession.objects.create(ticket=ticket)
    link.ticket = ticket
    link.save(update_fields=["ticket"])
    bot_respond(ticket=ticket, text=text)
    return ticket


def _ask_for_operator(link: MessengerLink) -> str:
    if _open_session(link) is None:
        _say(link.messenger, link.chat_id, _("Write your question first; then an operator can take it."))
        return "ignored"
    chat_handoff(ticket=link.ticket, actor=link.user)
    _say(link.messenger, link.chat_id, _("An operator will answer you here as soon as one is free."))
    return "handoff"


# --- linking to the account


def messenger_link_find(*, token: str) -> MessengerLink | None:
    """The chat waiting for this sign-in link, if the link is still valid."""
    if not token:
        return None
    return MessengerLink.objects.filter(
        link_token_hash=_token_hash(token), link_token_expires_at__gt=timezone.now()
    ).first()


def messenger_link_confirm(*, token: str, user: User) -> MessengerLink:
    """Link the messenger chat to the signed-in citizen; the kept question then opens the conversation."""
    if not user.is_authenticated or not user.is_active or not user.is_citizen:
        raise PermissionDenied
    with transaction.atomic():
        # Find and lock in one query: a second confirmation of the same link waits, then no
        # longer finds the token and cannot re-link the chat to another account.
        link = (
            MessengerLink.objects.select_for_update()
            .filter(link_token_hash=_token_hash(token) if token else None, link_token_expires_at__gt=timezone.now())
            .first()
        )
        if link is None:
            raise ValidationError(
                _("This link is not valid or has expired. Send any message to the bot for a new one.")
            )
        link.user, link.linked_at = user, timezone.now()
        link.link_token_hash, link.link_token_expires_at = "", None
        pending, link.pending_text = link.pending_text, ""
        link.save(update_fields=["user", "linked_at", "link_token_hash", "link_token_expires_at", "pending_text"])
        _say(link.messenger, link.chat_id, _("Your account is linked. Write your question here."))
        if pending:
            _converse(link, user, pending, client_id=uuid.uuid4())
    return link


# --- replies out


def messenger_outgoing_text(*, message: Message) -> str:
    """What a stored message looks like in a messenger: its text, its links, the way to a person."""
    lines = [message.text] if message.text else []
    site = settings.SITE_URL.rstrip("/")
    for action in message.actions or []:
        if action.get("type") == "link" and action.get("url"):
            url = action["url"] if action["url"].startswith("http") else site + action["url"]
            lines.append(f"• {action.get('title', '')}: {url}")
        elif action.get("type") == "handoff":
            lines.append(_("Send /operator to talk to a person."))
    return "\n".join(lines)


def messenger_reply_prepare(*, message: Message) -> None:
    """An operator's or the bot's public message in a messenger conversation goes to that chat."""
    if message.internal or message.author_kind not in (AuthorKind.OPERATOR, AuthorKind.BOT, AuthorKind.SYSTEM):
        return
    link = MessengerLink.objects.filter(ticket_id=message.ticket_id).first()
    if link is None:
        return
    text = messenger_outgoing_text(message=message)
    if text:
        from chat.messengers.tasks import send_messenger_text

        send_messenger_text.delay(link.messenger, link.chat_id, text)
