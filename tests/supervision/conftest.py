"""A small hand-made history whose every report figure is worked out by hand.

All times are Moscow time on 2 March 2026 (T = 10:00), the report runs "as of"
3 March 12:00. Six appeals fall in the period, one before it (it makes #1 a repeat
contact) and one after it (outside the volume):

 #  channel queue/category  assignee  created  1st due  answered  res. due  closed   other
 1  form    A / A           olga      T        T+1h     T+30m     T+2h      T+1h     rated 5
 2  form    A / A           olga      T+2h     T+3h     T+3h30m   T+4h      T+5h     escalated once
 3  chat    A / A           —         T+1h     T+1h05m  —         T+2h      T+1h02m  the bot closed it, rated 4
 4  chat    B / B           oleg      T+3h     T+3h05m  T+3h01m   T+4h      open
 5  email   A / B           oleg      T+4h     +1 day   —         +2 days   open
 6  form    B / B           —         T+5h     T+6h     T+5h10m   T+7h      open, waiting for documents since T+6h
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from chat.supervision.report import Period
from tickets.models import Channel, Rating, Status, Ticket

MSK = ZoneInfo("Europe/Moscow")
T = datetime(2026, 3, 2, 10, 0, tzinfo=MSK)
AS_OF = datetime(2026, 3, 3, 12, 0, tzinfo=MSK)
PERIOD = Period.of_days(T.date(), T.date())
H, M = timedelta(hours=1), timedelta(minutes=1)


@dataclass
class History:
    tickets: dict[int, Ticket]
    queue_a: object
    queue_b: object
    olga: object
    oleg: object


def _ticket(number: str, **fields) -> Ticket:
    fields.setdefault("status", Status.COMPLETED if fields.get("closed_at") else Status.IN_PROGRESS)
    fields.setdefault("text", "Hand-made history")
    return Ticket.objects.create(number=number, **fields)


@pytest.fixture
def history(account_category, applications_category, operator_of_queue, operator_of_other_queue, citizen_a, citizen_b):
    a, b, olga, oleg = account_category, applications_category, operator_of_queue, operator_of_other_queue
    tickets = {
        1: _ticket(
            "0000-0001",
            channel=Channel.FORM,
            category=a,
            queue=a,
            assignee=olga,
            citizen=citizen_a,
            created_at=T,
            first_response_due=T + H,
            first_responded_at=T + 30 * M,
            resolution_due=T + 2 * H,
            closed_at=T + H,
        ),
        2: _ticket(
            "0000-0002",
            channel=Channel.FORM,
            category=a,
            queue=a,
            assignee=olga,
            citizen=citizen_a,
            created_at=T + 2 * H,
            first_response_due=T + 3 * H,
            first_responded_at=T + 3 * H + 30 * M,
            resolution_due=T + 4 * H,
            closed_at=T + 5 * H,
            escalation_level=1,
            first_response_breached=True,
        ),
        3: _ticket(
            "0000-0003",
            channel=Channel.CHAT,
            category=a,
            queue=a,
            citizen=citizen_b,
            created_at=T + H,
            first_response_due=T + H + 5 * M,
            resolution_due=T + 2 * H,
            closed_at=T + H + 2 * M,
        ),
        4: _ticket(
            "0000-0004",
            channel=Channel.CHAT,
            category=b,
            queue=b,
            assignee=oleg,
            citizen=citizen_b,
            created_at=T + 3 * H,
            first_response_due=T + 3 * H + 5 * M,
            first_responded_at=T + 3 * H + M,
            resolution_due=T + 4 * H,
            resolution_breached=True,
        ),
        5: _ticket(
            "0000-0005",
            channel=Channel.EMAIL,
            category=b,
            queue=a,
            assignee=oleg,
            citizen=citizen_a,
            status=Status.ACCEPTED,
            created_at=T + 4 * H,
            first_response_due=T + 4 * H + timedelta(days=1),
            resolution_due=T + 4 * H + timedelta(days=2),
        ),
        6: _ticket(
            "0000-0006",
            channel=Channel.FORM,
            category=b,
            queue=b,
            status=Status.WAITING_DOCUMENTS,
            created_at=T + 5 * H,
            first_response_due=T + 6 * H,
            first_responded_at=T + 5 * H + 10 * M,
            resolution_due=T + 7 * H,
            sla_paused_at=T + 6 * H,
            sla_warned=True,
        ),
    }
    _ticket(
        "0000-0000",
        channel=Channel.FORM,
        category=a,
        queue=a,
        citizen=citizen_a,
        created_at=T - timedelta(days=3),
        closed_at=T - timedelta(days=2),
    )
    _ticket("0000-0009", channel=Channel.FORM, category=a, queue=a, citizen=citizen_b, created_at=T + timedelta(days=1))
    Rating.objects.create(ticket=tickets[1], score=5, operator=olga, created_at=T + 2 * H)
    Rating.objects.create(ticket=tickets[3], score=4, created_at=T + H + 3 * M, comment="Бот помог")
    return History(tickets=tickets, queue_a=a, queue_b=b, olga=olga, oleg=oleg)
