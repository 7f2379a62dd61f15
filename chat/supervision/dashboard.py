"""What the supervisor's live dashboard shows, read in a few indexed queries."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Avg, Count, Min, Q
from django.utils import timezone

from chat.models import ChatSession, Phase
from chat.supervision.report import DayPoint, Period, ReportRow, report_counts, report_trend_by_hour
from gosupport.models import Category, OperatorProfile, Presence
from tickets.models import OPEN_STATUSES, Rating, Ticket

TREND_DAYS = 30
CHARTS_CACHE_SECONDS = 300
ATTENTION_SHOWN = 10


@dataclass
class QueueLine:
    queue_id: int
    title: str
    waiting: int
    in_work: int
    breached: int
    at_risk: int


@dataclass
class OperatorLine:
    user_id: int
    name: str
    presence: str
    presence_label: str
    load: int
    capacity: int

    @property
    def busy(self) -> bool:
        return self.presence == Presence.ONLINE and self.load >= self.capacity


@dataclass
class Dashboard:
    now: datetime
    queues: list[QueueLine]
    chats_waiting: int
    longest_wait: timedelta | None
    operators: list[OperatorLine]
    today: ReportRow
    today_by_channel: list[ReportRow]
    csat_today_average: float | None
    csat_today_count: int
    attention: list[Ticket]
    trend: list[DayPoint] = field(default_factory=list)
    load_by_hour: list[int] = field(default_factory=list)

    @property
    def longest_wait_minutes(self) -> int | None:
        return int(self.longest_wait.total_seconds() // 60) if self.longest_wait is not None else None

    @property
    def breached(self) -> int:
        return sum(line.breached for line in self.queues)

    @property
    def at_risk(self) -> int:
        return sum(line.at_risk for line in self.queues)

    @property
    def online(self) -> int:
        return sum(1 for o in self.operators if o.presence == Presence.ONLINE and not o.busy)

    @property
    def busy(self) -> int:
        return sum(1 for o in self.operators if o.busy)

    @property
    def away(self) -> int:
        return sum(1 for o in self.operators if o.presence == Presence.AWAY)


def breached_now(now: datetime) -> Q:
    """Flagged by the sweep, or overdue already (the sweep may not have passed yet); a
    paused resolution clock is not overdue."""
    return (
        Q(first_response_breached=True)
        | Q(resolution_breached=True)
        | Q(first_responded_at__isnull=True, first_response_due__lt=now)
        | Q(sla_paused_at__isnull=True, resolution_due__lt=now)
    )


def at_risk_now(now: datetime) -> Q:
    """Warned by the sweep (its share of the time is used) and not breached yet."""
    return Q(sla_warned=True) & ~breached_now(now)


def open_work(now: datetime) -> tuple[list[QueueLine], dict[int, int]]:
    """Queue lines and each operator's open load from one pass over the open appeals."""
    pairs = (
        Ticket.objects.filter(status__in=OPEN_STATUSES)
        .order_by()
        .values("queue_id", "assignee_id")
        .annotate(
            n=Count("id"), breached=Count("id", filter=breached_now(now)), at_risk=Count("id", filter=at_risk_now(now))
        )
    )
    lines: dict[int, QueueLine] = {}
    loads: dict[int, int] = defaultdict(int)
    for pair in pairs:
        line = lines.setdefault(pair["queue_id"], QueueLine(pair["queue_id"], "", 0, 0, 0, 0))
        line.breached += pair["breached"]
        line.at_risk += pair["at_risk"]
        if pair["assignee_id"] is None:
            line.waiting += pair["n"]
        else:
            line.in_work += pair["n"]
            loads[pair["assignee_id"]] += pair["n"]
    titles = dict(Category.objects.filter(pk__in=lines).values_list("pk", "title"))
    for line in lines.values():
        line.title = titles.get(line.queue_id, "")
    return sorted(lines.values(), key=lambda line: (-line.waiting, line.title)), loads


def chats_waiting(now: datetime) -> tuple[int, timedelta | None]:
    waiting = ChatSession.objects.filter(phase=Phase.QUEUED).aggregate(n=Count("id"), oldest=Min("queued_at"))
    return waiting["n"], (now - waiting["oldest"]) if waiting["oldest"] else None


def _operator_name(user) -> str:
    full_name = user.full_name()
    return f"{full_name} ({user.get_username()})" if full_name else user.get_username()


def operator_lines(loads: dict[int, int]) -> list[OperatorLine]:
    """Who is online or away, with their open load (from `open_work`)."""
    profiles = (
        OperatorProfile.objects.filter(user__is_active=True)
        .exclude(presence=Presence.OFFLINE)
        .select_related("user")
        .order_by("presence", "user__username")
    )
    return [
        OperatorLine(
            user_id=profile.user_id,
            name=_operator_name(profile.user),
            presence=profile.presence,
            presence_label=profile.get_presence_display(),
            load=loads.get(profile.user_id, 0),
            capacity=profile.capacity,
        )
        for profile in profiles
    ]


def csat_of_day(start: datetime, now: datetime) -> tuple[float | None, int]:
    given = Rating.objects.filter(created_at__gte=start, created_at__lte=now).aggregate(avg=Avg("score"), n=Count("id"))
    average = given["avg"]
    return (round(float(average), 2) if average is not None else None), given["n"]


def needing_attention(now: datetime) -> list[Ticket]:
    """The open appeals past or near their deadline, the most urgent first."""
    urgent = Ticket.objects.filter(status__in=OPEN_STATUSES).filter(breached_now(now) | at_risk_now(now))
    return list(urgent.select_related("queue", "assignee").order_by("resolution_due", "pk")[:ATTENTION_SHOWN])


def today_period(now: datetime) -> Period:
    today = timezone.localtime(now).date()
    return Period.of_days(today, today)


def recent_period(now: datetime) -> Period:
    today = timezone.localtime(now).date()
    return Period.of_days(today - timedelta(days=TREND_DAYS - 1), today)


def dashboard_snapshot(*, now: datetime | None = None, with_charts: bool = True) -> Dashboard:
    now = now or timezone.now()
    today = today_period(now)
    waiting, longest = chats_waiting(now)
    queues, loads = open_work(now)
    csat_average, csat_count = csat_of_day(today.start, now)
    dashboard = Dashboard(
        now=now,
        queues=queues,
        chats_waiting=waiting,
        longest_wait=longest,
        operators=operator_lines(loads),
        today=report_counts(period=today, dimension=None, as_of=now)[0],
        today_by_channel=report_counts(period=today, dimension="channel", as_of=now),
        csat_today_average=csat_average,
        csat_today_count=csat_count,
        attention=needing_attention(now),
    )
    if with_charts:
        dashboard.trend, dashboard.load_by_hour = recent_charts(now)
    return dashboard


def recent_charts(now: datetime) -> tuple[list[DayPoint], list[int]]:
    """The 30-day charts read every appeal of a month; they change slowly, so each
    process reads them at most every CHARTS_CACHE_SECONDS while the tiles stay live."""
    key = f"supervision:charts:{timezone.localdate(now).isoformat()}"
    charts = cache.get(key)
    if charts is None:
        charts = report_trend_by_hour(period=recent_period(now), as_of=now)
        cache.set(key, charts, CHARTS_CACHE_SECONDS)
    return charts
