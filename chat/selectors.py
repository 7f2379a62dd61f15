"""Reads for the chat pages, already scoped to what the caller may see."""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from chat.models import OPEN_CALLBACK_STATUSES, CallbackRequest, CallbackStatus, ChatSession, Phase
from chat.waiting import queue_standing, wait_in_words_minutes
from gosupport.models import Category, OperatorProfile, User
from tickets.models import OPEN_STATUSES, Message, Ticket
from tickets.selectors import access_ticket, messages_visible_to, tickets_visible_to

EARLIER_APPEALS_SHOWN = 10
DESK_CHATS_WITHOUT_PROFILE = 10


@dataclass(frozen=True)
class ChatView:
    """One chat as a page shows it: the session, the thread the reader may see, and
    the sequence number up to which that thread is complete."""

    session: ChatSession
    thread: list[Message]
    complete_to_seq: int

    @property
    def ticket(self) -> Ticket:
        return self.session.ticket

    @cached_property
    def _standing(self) -> tuple[int | None, int | None]:
        if self.session.phase != Phase.QUEUED or self.session.queued_at is None:
            return None, None
        return queue_standing(self.session)

    @property
    def queue_position(self) -> int | None:
        return self._standing[0]

    @property
    def wait_seconds(self) -> int | None:
        """The expected wait while queued (chat.waiting); None when it cannot be estimated."""
        return self._standing[1]

    @property
    def wait_minutes(self) -> int | None:
        """Whole minutes for "about N min"; None for "less than a minute" (or no estimate)."""
        return wait_in_words_minutes(self.wait_seconds)


def chat_session_visible(*, user: User, number: str) -> ChatSession:
    """The chat with that number if the user may see it; an appeal from another channel is 404."""
    ticket = access_ticket(user, number)
    try:
        session = ChatSession.objects.get(ticket=ticket)
    except ChatSession.DoesNotExist:
        raise Http404 from None
    session.ticket = ticket  # already read with its category, queue and assignee
    return session


# What a chat socket keeps of its room for its whole life: thousands of idle sockets hold
# one each, so no related rows; a service that needs more reads it on demand.
SOCKET_TICKET_FIELDS = (
    "id",
    "number",
    "channel",
    "status",
    "last_seq",
    "assignee_id",
    "citizen_id",
    "category_id",
    "queue_id",
    "line",
)


def chat_room_for_socket(*, user: User, number: str) -> Ticket:
    """The chat's ticket if the user may see it (as chat_session_visible), read lean."""
    visible = tickets_visible_to(user).select_related(None).only(*SOCKET_TICKET_FIELDS)
    try:
        return visible.get(number=number, chat__isnull=False)
    except Ticket.DoesNotExist:
        raise Http404 from None


def chat_view(*, user: User, session: ChatSession) -> ChatView:
    # Read the last seq before the thread: the thread then holds at least everything up to it.
    complete_to_seq = Ticket.objects.filter(pk=session.ticket_id).values_list("last_seq", flat=True).get()
    thread = list(messages_visible_to(user, session.ticket))
    return ChatView(session=session, thread=thread, complete_to_seq=complete_to_seq)


def desk_chats(*, operator: User) -> list[ChatSession]:
    """The chats an operator is answering now, oldest first, at most their capacity."""
    profile = OperatorProfile.objects.filter(user=operator).first()
    limit = profile.capacity if profile else DESK_CHATS_WITHOUT_PROFILE
    # Routing may assign a chat before its session leaves the bot: the assignee is what counts.
    sessions = (
        ChatSession.objects.filter(ticket__assignee=operator, ticket__status__in=OPEN_STATUSES)
        .exclude(phase=Phase.CLOSED)
        .select_related("ticket__citizen", "ticket__assignee", "ticket__category", "ticket__queue")
        .order_by("ticket__created_at", "pk")
    )
    return list(sessions[:limit])


def desk_offers(*, operator: User, now=None) -> QuerySet[ChatSession]:
    """Chats offered to this operator whose offer has not run out yet."""
    now = now or timezone.now()
    return (
        ChatSession.objects.filter(phase=Phase.QUEUED, offered_to=operator, offer_expires_at__gt=now)
        .select_related("ticket")
        .order_by("offer_expires_at")
    )


def operator_profile_of(user: User) -> OperatorProfile | None:
    return OperatorProfile.objects.filter(user=user).first()


def transfer_queues() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("ordering", "title")


def citizen_earlier_appeals(*, user: User, ticket: Ticket) -> list[Ticket]:
    """The citizen's other appeals, newest first; `may_open` says whether the reader may open each."""
    if ticket.citizen_id is None:
        return []
    earlier = list(
        Ticket.objects.filter(citizen_id=ticket.citizen_id)
        .exclude(pk=ticket.pk)
        .select_related("category")
        .order_by("-created_at")[:EARLIER_APPEALS_SHOWN]
    )
    visible = set(tickets_visible_to(user).filter(pk__in=[t.pk for t in earlier]).values_list("pk", flat=True))
    for appeal in earlier:
        appeal.may_open = appeal.pk in visible
    return earlier


def callback_open_of(*, ticket: Ticket, citizen: User) -> CallbackRequest | None:
    """The citizen's booked (or due) call back about this appeal, if any."""
    return (
        CallbackRequest.objects.filter(ticket=ticket, citizen=citizen, status__in=OPEN_CALLBACK_STATUSES)
        .select_related("ticket", "citizen")
        .first()
    )


def _callbacks_visible_to(user: User) -> QuerySet[CallbackRequest]:
    return CallbackRequest.objects.filter(ticket__in=tickets_visible_to(user).order_by().values("pk")).select_related(
        "ticket__queue", "citizen"
    )


def callbacks_due_for(*, user: User) -> QuerySet[CallbackRequest]:
    """Due call backs of the appeals this staff member may see, the longest waiting first."""
    if not user.is_staff_member:
        return CallbackRequest.objects.none()
    return _callbacks_visible_to(user).filter(status=CallbackStatus.DUE).order_by("scheduled_at", "pk")


def callback_for_staff(*, user: User, pk: int) -> CallbackRequest:
    """A call back of an appeal this staff member may see (in any status), else 404."""
    callback = _callbacks_visible_to(user).filter(pk=pk).first() if user.is_staff_member else None
    if callback is None:
        raise Http404
    return callback
