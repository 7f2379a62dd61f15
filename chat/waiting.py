"""The place and the expected wait of a queued chat, estimated from the queue's own history.

The estimate, said to the citizen as "less than a minute" or "about N min":

- base: the median handoff-to-accept time of the chats of this queue accepted within the
  last CHAT_WAIT_HISTORY_HOURS (each acceptance stores how long its chat had waited);
  with no such history, the first-reply time of the chat's SLA policy, or
  CHAT_WAIT_FALLBACK_SECONDS when it has none;
- position p: the chats queued before this one, plus one;
- the online operators of the queue and line, of whom f are under capacity.

The f free operators take the first f chats in about one base time, the next f in
another, and so on: wait = base × ceil(p / max(f, 1)). When every online operator is
busy that is one chat per base time. With nobody online there is no honest figure: the
estimate is None, the status frame carries no `wait_seconds`, and the citizen is offered a
call back or the written appeal instead (chat.services.chat_handoff)."""

import math
import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from chat.models import ChatSession, Phase
from tickets.models import Ticket
from tickets.routing import operators_for, operators_online_for

HISTORY_SAMPLES = 500
BROADCAST_LIMIT = 200


@dataclass(frozen=True)
class QueueLoad:
    base_seconds: int
    free_operators: int
    online_operators: int


def wait_estimate(*, position: int, load: QueueLoad) -> int | None:
    """Seconds until an operator accepts the chat at `position`; None when nobody is online."""
    if load.online_operators <= 0:
        return None
    rounds = math.ceil(max(position, 1) / max(load.free_operators, 1))
    return load.base_seconds * rounds


def median_wait_seconds(*, queue_id: int, now: datetime) -> int | None:
    since = now - timedelta(hours=settings.CHAT_WAIT_HISTORY_HOURS)
    samples = list(
        ChatSession.objects.filter(ticket__queue_id=queue_id, accepted_at__gte=since, waited_seconds__isnull=False)
        .order_by("-accepted_at")
        .values_list("waited_seconds", flat=True)[:HISTORY_SAMPLES]
    )
    return round(statistics.median(samples)) if samples else None


def first_reply_seconds(ticket: Ticket) -> int:
    policy = ticket.sla_policy
    return policy.first_response_seconds if policy is not None else settings.CHAT_WAIT_FALLBACK_SECONDS


def operator_counts(ticket: Ticket) -> tuple[int, int]:
    """(under capacity, online) operators of the ticket's queue and line."""
    online = operators_online_for(ticket).count()
    return (operators_for(ticket).count() if online else 0), online


def queue_load(*, ticket: Ticket, now: datetime) -> QueueLoad:
    base = median_wait_seconds(queue_id=ticket.queue_id, now=now)
    free, online = operator_counts(ticket)
    return QueueLoad(
        base_seconds=base if base is not None else first_reply_seconds(ticket),
        free_operators=free,
        online_operators=online,
    )


def queue_position(session: ChatSession) -> int:
    """Chats of the same queue queued before this one (earlier, or at the same moment and older), plus one."""
    ahead = Q(queued_at__lt=session.queued_at) | Q(queued_at=session.queued_at, pk__lt=session.pk)
    return ChatSession.objects.filter(ahead, phase=Phase.QUEUED, ticket__queue=session.ticket.queue_id).count() + 1


def queue_standing(session: ChatSession, *, now: datetime | None = None) -> tuple[int, int | None]:
    """(position, expected wait in seconds or None) of a queued chat."""
    position = queue_position(session)
    load = queue_load(ticket=session.ticket, now=now or timezone.now())
    return position, wait_estimate(position=position, load=load)


def queued_status_frame(*, position: int, wait_seconds: int | None) -> dict:
    frame = {"type": "status", "status": Phase.QUEUED, "position": position}
    if wait_seconds is not None:
        frame["wait_seconds"] = wait_seconds
    return frame


def queue_standings(*, queue_id: int, now: datetime | None = None) -> list[tuple[ChatSession, dict]]:
    """Every chat waiting in a queue (the first BROADCAST_LIMIT) with its fresh status frame,
    computed with one history read and one operator count per line."""
    now = now or timezone.now()
    sessions = list(
        ChatSession.objects.filter(phase=Phase.QUEUED, ticket__queue_id=queue_id, queued_at__isnull=False)
        .select_related("ticket__sla_policy")
        .order_by("queued_at", "pk")[:BROADCAST_LIMIT]
    )
    if not sessions:
        return []
    history = median_wait_seconds(queue_id=queue_id, now=now)
    counts: dict[int, tuple[int, int]] = {}
    standings = []
    for position, session in enumerate(sessions, start=1):
        ticket = session.ticket
        if ticket.line not in counts:
            counts[ticket.line] = operator_counts(ticket)
        free, online = counts[ticket.line]
        base = history if history is not None else first_reply_seconds(ticket)
        load = QueueLoad(base_seconds=base, free_operators=free, online_operators=online)
        wait = wait_estimate(position=position, load=load)
        standings.append((session, queued_status_frame(position=position, wait_seconds=wait)))
    return standings


def wait_in_words_minutes(wait_seconds: int | None) -> int | None:
    """Whole minutes to say "about N min" (None: say "less than a minute" or nothing)."""
    if wait_seconds is None or wait_seconds < 60:
        return None
    return max(1, math.floor(wait_seconds / 60 + 0.5))  # half up, as the page's script rounds
