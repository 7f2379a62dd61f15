"""WebSocket doors of the live chat: authenticate, validate a frame, call a service, answer."""

import asyncio
import functools
import logging

from channels.consumer import get_handler_name
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.http import Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

from chat import presence, selectors, services
from chat.db import service_call as database_sync_to_async
from chat.realtime import message_frame, operator_group, room_group, user_group
from chat.throttle import TokenBucket
from gosupport.twofactor import second_factor_passed_in_session, second_factor_required
from tickets.services import TransitionForbidden

logger = logging.getLogger(__name__)

CLOSE_UNAUTHORISED = 4401
CLOSE_NOT_FOUND = 4404


def _second_factor_satisfied(user, session) -> bool:
    if not second_factor_required(user):
        return True
    return session is not None and second_factor_passed_in_session(user=user, session=session)


def _text_or_empty(value) -> str:
    return value if isinstance(value, str) else ""


async def _dispatch_in_arrival_order(sources, dispatch) -> None:
    """Hand what each source yields to `dispatch`, one at a time, in the order it arrived.
    Channels' own loop makes a new task and an `asyncio.wait` for every frame in or out
    (about 7 % of daphne's CPU under chat load); here one reader task per source takes
    turns through a lock (FIFO, and no memory per socket beyond the two tasks). The first
    reader to fail, or a dispatch that raises (StopConsumer on disconnect), stops the loop
    with its error."""
    turn = asyncio.Lock()
    stopped = False

    async def read(source):
        nonlocal stopped
        try:
            while True:
                message = await source()
                async with turn:
                    if stopped:  # the other reader stopped the loop while this one waited its turn
                        return
                    await dispatch(message)
        except BaseException:
            stopped = True
            raise

    readers = [asyncio.ensure_future(read(source)) for source in sources]
    try:
        done, _running = await asyncio.wait(readers, return_when=asyncio.FIRST_EXCEPTION)
        for reader in done:  # a reader that saw the stop on its turn ends without an error
            if not reader.cancelled() and reader.exception() is not None:
                raise reader.exception()
    finally:
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)


class FrameConsumer(AsyncJsonWebsocketConsumer):
    """Dispatches each JSON frame to `handlers[type]`; every bad frame gets an error frame."""

    handlers: dict = {}

    async def __call__(self, scope, receive, send):
        """The ASGI application: the socket's events and the channel layer's messages, dispatched in turn."""
        self.scope, self.base_send = scope, send
        self.channel_layer = get_channel_layer(self.channel_layer_alias)
        self.channel_name = await self.channel_layer.new_channel()
        self.channel_receive = functools.partial(self.channel_layer.receive, self.channel_name)
        try:
            await _dispatch_in_arrival_order((receive, self.channel_receive), self.dispatch)
        except StopConsumer:
            pass
        finally:
            await self.release()

    async def release(self):
        """Let go of what the socket holds in the layer, however it ended: a disconnect, an
        error or daphne cancelling it. Runs once more after a disconnect; that is harmless."""
        try:
            await self.leave_groups()
        except Exception:
            logger.warning("a closing socket could not leave its channel-layer groups", exc_info=True)

    @cached_property
    def bucket(self) -> TokenBucket:
        return TokenBucket(rate=settings.CHAT_FRAMES_PER_SECOND, burst=settings.CHAT_FRAMES_BURST)

    async def dispatch(self, message):
        """Channels' own dispatch first closes old database connections on its shared thread,
        for every frame in and out: about a third of the process's CPU under load. Service
        calls keep their connections fresh on their own threads (chat/db.py)."""
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def receive_json(self, content, **kwargs):
        if not self.bucket.allow():
            await self.send_error("throttled", _("Too many messages at once. Please wait a moment."))
            return
        handler = self.handlers.get(content.get("type")) if isinstance(content, dict) else None
        if handler is None:
            await self.send_error("unknown_type", _("Unknown frame type."))
            return
        try:
            await handler(self, content)
        except ValidationError as error:
            await self.send_error("invalid", "; ".join(error.messages))
        except TransitionForbidden as error:
            await self.send_error("conflict", str(error))
        except PermissionDenied as error:
            await self.send_error("forbidden", str(error) or _("You may not do this."))

    async def decode_json(self, text_data):
        try:
            return await super().decode_json(text_data)
        except ValueError:
            return None

    async def authenticated(self) -> bool:
        """Signed in and active; staff on a session socket must have passed the second factor
        (a token is only issued after it)."""
        if self.user is None or not self.user.is_authenticated or not self.user.is_active:
            return False
        if self.scope.get("auth") == "token":
            return True
        return await database_sync_to_async(_second_factor_satisfied)(self.user, self.scope.get("session"))

    async def join_user_group(self):
        self.user_group = user_group(self.user.pk)
        await self.channel_layer.group_add(self.user_group, self.channel_name)

    async def leave_groups(self):
        for name in ("group", "user_group"):
            if hasattr(self, name):
                await self.channel_layer.group_discard(getattr(self, name), self.channel_name)

    async def force_close(self, event):
        await self.close(code=CLOSE_UNAUTHORISED)

    async def send_error(self, code: str, detail: str):
        await self.send_json({"type": "error", "code": code, "detail": detail})


class ChatConsumer(FrameConsumer):
    """`/ws/chat/{number}/` for the chat's citizen and the staff allowed to see it."""

    async def connect(self):
        self.user = self.scope.get("user")
        if not await self.authenticated():
            await self.close(code=CLOSE_UNAUTHORISED)
            return
        try:
            self.ticket = await database_sync_to_async(selectors.chat_room_for_socket)(
                user=self.user, number=self.scope["url_route"]["kwargs"]["number"]
            )
        except Http404:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group = room_group(self.ticket.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.join_user_group()
        await self.accept()

    async def frame_out(self, event):
        frame = event["frame"]
        if frame.get("internal") and not self.user.is_staff_member:
            return
        await self.send_json(frame)

    async def on_message(self, content):
        text, attachments = content.get("text", ""), content.get("attachments") or []
        if not isinstance(text, str) or not isinstance(attachments, list) or not (text.strip() or attachments):
            raise ValidationError(_("A message needs text or attachments."))
        message, _created = await database_sync_to_async(services.chat_message_send)(
            ticket=self.ticket,
            author=self.user,
            text=text,
            client_id=content.get("client_id"),
            attachment_ids=attachments,
        )
        await self.send_json({"type": "ack", "client_id": str(message.client_id), "seq": message.seq})

    async def on_resume(self, content):
        after = content.get("after_seq")
        if not isinstance(after, int) or after < 0:
            raise ValidationError(_("after_seq must be a non-negative number."))
        messages = await database_sync_to_async(services.chat_messages_after)(
            ticket=self.ticket, user=self.user, after_seq=after
        )
        for message in messages:
            await self.send_json(await database_sync_to_async(message_frame)(message))

    async def on_typing(self, content):
        await database_sync_to_async(services.chat_typing)(ticket=self.ticket, user=self.user)

    async def on_read(self, content):
        seq = content.get("seq")
        if not isinstance(seq, int):
            raise ValidationError(_("seq must be a number."))
        await database_sync_to_async(services.chat_read)(ticket=self.ticket, user=self.user, seq=seq)

    async def on_handoff(self, content):
        await database_sync_to_async(services.chat_handoff)(
            ticket=self.ticket, actor=self.user, offer_alternatives=True
        )

    async def on_rate(self, content):
        await database_sync_to_async(services.chat_rate)(
            ticket=self.ticket,
            citizen=self.user,
            score=content.get("score"),
            comment=_text_or_empty(content.get("comment")),
        )
        await self.send_json({"type": "rated", "score": content.get("score")})

    async def on_helped(self, content):
        await database_sync_to_async(services.chat_resolved_by_bot)(ticket=self.ticket, citizen=self.user)

    handlers = {
        "rate": on_rate,
        "helped": on_helped,
        "message": on_message,
        "resume": on_resume,
        "typing": on_typing,
        "read": on_read,
        "handoff": on_handoff,
    }


class OperatorDeskConsumer(FrameConsumer):
    """`/ws/operator/`: offers and assignments for one operator; presence, accept, transfer, close.
    While open it keeps the operator's desk seen (chat.presence), from the server side."""

    heartbeat = None

    async def connect(self):
        self.user = self.scope.get("user")
        if not await self.authenticated() or not self.user.is_staff_member:
            await self.close(code=CLOSE_UNAUTHORISED)
            return
        self.group = operator_group(self.user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.join_user_group()
        # Stamped before the accept: whoever sees the desk open also sees it seen.
        await database_sync_to_async(presence.operator_desk_seen)(operator=self.user)
        await self.accept()
        self.heartbeat = asyncio.ensure_future(self.keep_desk_seen())

    async def keep_desk_seen(self):
        while True:
            await asyncio.sleep(settings.CHAT_DESK_HEARTBEAT_SECONDS)
            try:
                await database_sync_to_async(presence.operator_desk_seen)(operator=self.user)
            except DatabaseError:
                logger.warning("desk heartbeat of operator %s not stored", self.user.pk)

    async def release(self):
        if self.heartbeat is not None:
            self.heartbeat.cancel()
        await super().release()

    async def disconnect(self, code):
        if self.heartbeat is not None:
            self.heartbeat.cancel()
            # The grace before going offline counts from the moment the desk closed.
            await database_sync_to_async(presence.operator_desk_seen)(operator=self.user)

    async def frame_out(self, event):
        await self.send_json(event["frame"])

    async def _ticket(self, content):
        number = content.get("ticket")
        if not isinstance(number, str):
            raise ValidationError(_("Name the ticket."))
        try:
            session = await database_sync_to_async(selectors.chat_session_visible)(user=self.user, number=number)
        except Http404:
            raise ValidationError(_("There is no such chat.")) from None
        return session.ticket

    async def on_presence(self, content):
        await database_sync_to_async(services.operator_presence_set)(
            operator=self.user, presence=content.get("status"), from_desk=True
        )

    async def on_accept(self, content):
        ticket = await self._ticket(content)
        await database_sync_to_async(services.chat_accept)(ticket=ticket, operator=self.user)

    async def on_transfer(self, content):
        ticket = await self._ticket(content)
        queue = content.get("queue")
        if not isinstance(queue, str):
            raise ValidationError(_("Name the queue."))
        await database_sync_to_async(services.chat_transfer)(ticket=ticket, queue=queue, operator=self.user)

    async def on_close(self, content):
        ticket = await self._ticket(content)
        resolution = content.get("resolution")
        if not isinstance(resolution, str) or not resolution.strip():
            raise ValidationError(_("Describe the result before closing."))
        await database_sync_to_async(services.chat_close)(ticket=ticket, operator=self.user, resolution=resolution)

    handlers = {"presence": on_presence, "accept": on_accept, "transfer": on_transfer, "close": on_close}
