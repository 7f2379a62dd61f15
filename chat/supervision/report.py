"""The SLA report: appeals created in a period, per channel, category, queue and operator.

Every figure is aggregated by the database: the appeals of the period are read once into
a narrow per-appeal table of flags and durations (temporary, of this connection), then
each breakdown is one GROUP BY over it, so Python only ever sees a handful of rows per
group, whatever the number of appeals. Definitions:

- volume: appeals created in the period;
- first response within SLA: of the appeals with a first-response deadline whose outcome
  is known (answered, or the deadline has passed while open), the share answered by the
  deadline;
- resolution within SLA: the same with the resolution deadline and closing (a paused
  clock, waiting for documents, is not overdue);
- median and p95 first-response time, median resolution time: from creation, in seconds,
  continuous percentiles (PostgreSQL's percentile_cont; on SQLite the same interpolation
  over rows numbered by a window function);
- escalations: appeals the SLA sweep escalated at least once;
- CSAT: the average score, and the response rate (rated ÷ rateable: closed or rated);
- bot deflection: chats completed without any answer from a person;
- repeat contacts: appeals whose citizen had filed another one in the 7 days before.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    Func,
    IntegerField,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import ExtractHour, Lag, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from gosupport.models import Category, User
from tickets.models import Channel, Status, Ticket

REPEAT_WINDOW = timedelta(days=7)
PERCENTILES = {"median": 0.5, "p95": 0.95}
DIMENSIONS = ("channel", "category", "queue", "operator")
DIMENSION_COLUMNS = {"channel": "channel", "category": "category_id", "queue": "queue_id", "operator": "assignee_id"}


class SecondsBetween(Func):
    """later − earlier in seconds (NULL when either is NULL), on PostgreSQL and SQLite."""

    output_field = FloatField()
    arity = 2

    def as_postgresql(self, compiler, connection, **extra):
        template = "EXTRACT(EPOCH FROM (%(expressions)s))::double precision"
        return self.as_sql(compiler, connection, template=template, arg_joiner=" - ", **extra)

    def as_sqlite(self, compiler, connection, **extra):
        template = "((julianday(%(expressions)s)) * 86400.0)"
        return self.as_sql(compiler, connection, template=template, arg_joiner=") - julianday(", **extra)


@dataclass(frozen=True)
class Period:
    """[start, end) in aware datetimes."""

    start: datetime
    end: datetime

    @classmethod
    def of_days(cls, first: date, last: date) -> "Period":
        """Whole local days from `first` to `last` inclusive."""
        tz = timezone.get_current_timezone()
        start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
        end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=tz)
        return cls(start=start, end=end)


@dataclass
class ReportRow:
    key: object
    label: str
    volume: int = 0
    first_response_measured: int = 0
    first_response_within: int = 0
    resolution_measured: int = 0
    resolution_within: int = 0
    first_response_median: float | None = None
    first_response_p95: float | None = None
    resolution_median: float | None = None
    escalations: int = 0
    rated: int = 0
    rateable: int = 0
    csat_average: float | None = None
    chats: int = 0
    deflected: int = 0
    repeat_contacts: int = 0

    @property
    def first_response_within_percent(self) -> float | None:
        return _percent(self.first_response_within, self.first_response_measured)

    @property
    def resolution_within_percent(self) -> float | None:
        return _percent(self.resolution_within, self.resolution_measured)

    @property
    def csat_response_rate(self) -> float | None:
        return _percent(self.rated, self.rateable)

    @property
    def deflection_percent(self) -> float | None:
        return _percent(self.deflected, self.chats)


@dataclass
class DayPoint:
    day: date
    volume: int
    first_response_within_percent: float | None
    resolution_within_percent: float | None


@dataclass
class SlaReport:
    period: Period
    as_of: datetime
    total: ReportRow
    sections: dict[str, list[ReportRow]] = field(default_factory=dict)
    trend: list[DayPoint] = field(default_factory=list)


def _percent(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def _first_response_overdue(as_of: datetime) -> Q:
    """Unanswered past the deadline; an appeal closed before it (the bot helped, the
    citizen withdrew) needed no answer and is not judged."""
    still_open_at_due = Q(closed_at__isnull=True) | Q(closed_at__gte=F("first_response_due"))
    return Q(first_responded_at__isnull=True, first_response_due__lte=as_of) & still_open_at_due


def _sla_conditions(as_of: datetime) -> dict[str, Q]:
    """What can be judged against the SLA, and what was on time."""
    first_due, resolution_due = Q(first_response_due__isnull=False), Q(resolution_due__isnull=False)
    return {
        "first_response_measured": first_due & (Q(first_responded_at__isnull=False) | _first_response_overdue(as_of)),
        "first_response_within": first_due & Q(first_responded_at__lte=F("first_response_due")),
        "resolution_measured": resolution_due
        & (Q(closed_at__isnull=False) | Q(resolution_due__lte=as_of, sla_paused_at__isnull=True)),
        "resolution_within": resolution_due & Q(closed_at__lte=F("resolution_due")),
    }


def _sla_counts(as_of: datetime) -> dict:
    counts = {name: Count("id", filter=condition) for name, condition in _sla_conditions(as_of).items()}
    return {"volume": Count("id"), **counts}


def _flag(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _plain_conditions(as_of: datetime) -> dict[str, Q]:
    """Everything counted from the appeal's own row."""
    return {
        **_sla_conditions(as_of),
        "escalations": Q(escalation_level__gt=0),
        "chats": Q(channel=Channel.CHAT),
        "deflected": Q(channel=Channel.CHAT, status=Status.COMPLETED, first_responded_at__isnull=True),
    }


def _fact_flags(as_of: datetime) -> dict:
    """Per appeal, 1 or 0 for everything the report counts (repeat contacts come after)."""
    closed, rated = Q(closed_at__isnull=False), Q(rating__isnull=False)
    return {
        **{name: _flag(condition) for name, condition in _plain_conditions(as_of).items()},
        "rated": _flag(rated),
        "rateable": _flag(rated | closed),
    }


COUNTED = (
    "first_response_measured",
    "first_response_within",
    "resolution_measured",
    "resolution_within",
    "escalations",
    "rated",
    "rateable",
    "chats",
    "deflected",
    "repeat_contacts",
)
MEASURES = ("first_response", "resolution")
PERCENTILE_FIELDS = (("first_response", "median"), ("first_response", "p95"), ("resolution", "median"))
FACTS_TABLE = "supervision_report_facts"
TOTAL = "'total'"


FACT_COLUMNS = (*DIMENSION_COLUMNS.values(), *COUNTED[:-1], "score", "day", *(f"{m}_seconds" for m in MEASURES))


def _facts_query(period: Period, as_of: datetime) -> QuerySet:
    """The period's appeals and the week before it, which only serves to find repeat contacts."""
    looked_back = Period(start=period.start - REPEAT_WINDOW, end=period.end)
    previous_contact = Window(
        Lag("created_at"), partition_by=[F("citizen_id")], order_by=[F("created_at").asc(), F("id").asc()]
    )
    return (
        tickets_created_in(looked_back)
        .annotate(
            **_fact_flags(as_of),
            score=F("rating__score"),
            day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()),
            first_response_seconds=SecondsBetween(F("first_responded_at"), F("created_at")),
            resolution_seconds=SecondsBetween(F("closed_at"), F("created_at")),
            in_period=_flag(Q(created_at__gte=period.start)),
            previous_contact_at=previous_contact,
        )
        .values(*FACT_COLUMNS, "citizen_id", "created_at", "in_period", "previous_contact_at")
    )


def _seconds_sql(later: str, earlier: str) -> str:
    if connection.vendor == "postgresql":
        return f"EXTRACT(EPOCH FROM ({later} - {earlier}))"
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


def _facts_sql(inner_sql: str) -> str:
    gap = _seconds_sql("f.created_at", "f.previous_contact_at")
    repeat = (
        f"CASE WHEN f.citizen_id IS NOT NULL AND f.previous_contact_at IS NOT NULL "
        f"AND {gap} <= {REPEAT_WINDOW.total_seconds()} THEN 1 ELSE 0 END"
    )
    columns = ", ".join(f"f.{column}" for column in FACT_COLUMNS)
    return (
        f"CREATE TEMPORARY TABLE {FACTS_TABLE} AS SELECT {columns}, {repeat} AS repeat_contacts "
        f"FROM ({inner_sql}) AS f WHERE f.in_period = 1"
    )


def tickets_created_in(period: Period) -> QuerySet[Ticket]:
    return Ticket.objects.filter(created_at__gte=period.start, created_at__lt=period.end).order_by()


class Facts:
    """One row per appeal of the period, in a temporary table of this connection: the
    appeals are read once (the repeat-contact probe is the costly part), then each
    breakdown is a GROUP BY over narrow rows."""

    def __init__(self, cursor):
        self.cursor = cursor

    def grouped(self, dimension: str | None) -> list[dict]:
        bucket = DIMENSION_COLUMNS[dimension] if dimension else TOTAL
        self.cursor.execute(_grouped_sql(bucket))
        names = [column[0] for column in self.cursor.description]
        rows = [dict(zip(names, values, strict=True)) for values in self.cursor.fetchall()]
        if connection.vendor != "postgresql":
            self._add_window_percentiles(bucket, rows)
        return rows

    def days(self) -> dict[date, dict]:
        sums = ", ".join(f"COALESCE(SUM({name}), 0)" for name in COUNTED[:4])
        self.cursor.execute(f"SELECT day, COUNT(*), {sums} FROM {FACTS_TABLE} GROUP BY day")
        names = ("volume", *COUNTED[:4])
        return {_as_date(day): dict(zip(names, values, strict=True)) for day, *values in self.cursor.fetchall()}

    def _add_window_percentiles(self, bucket: str, rows: list[dict]) -> None:
        """Percentiles without percentile_cont: number each group's values in the database
        and fetch only the (at most two) rows around each percentile's position."""
        by_bucket = {row["bucket"]: row for row in rows}
        for row in rows:
            row.update({f"{measure}_{name}": None for measure, name in PERCENTILE_FIELDS})
        for measure in MEASURES:
            self.cursor.execute(_positions_sql(bucket, f"{measure}_seconds"))
            picked: dict = {}
            for group, seconds, rn, n in self.cursor.fetchall():
                picked.setdefault(group, {"n": n})[rn - 1] = seconds
            for group, values in picked.items():
                for name, fraction in PERCENTILES.items():
                    if (measure, name) in PERCENTILE_FIELDS:
                        by_bucket[group][f"{measure}_{name}"] = _interpolate(values, fraction)


def _grouped_sql(bucket: str) -> str:
    sums = ", ".join(f"COALESCE(SUM({name}), 0) AS {name}" for name in COUNTED)
    percentiles = ""
    if connection.vendor == "postgresql":
        percentiles = "".join(
            f", percentile_cont({PERCENTILES[name]}) WITHIN GROUP (ORDER BY {measure}_seconds) AS {measure}_{name}"
            for measure, name in PERCENTILE_FIELDS
        )
    grouping = "" if bucket == TOTAL else f" GROUP BY {bucket} ORDER BY {bucket}"
    return (
        f"SELECT {bucket} AS bucket, COUNT(*) AS volume, {sums}, AVG(score) AS csat_average{percentiles} "
        f"FROM {FACTS_TABLE}{grouping}"
    )


def _positions_sql(bucket: str, column: str) -> str:
    positions = " OR ".join(
        f"(rn - 1) IN (CAST({fraction} * (n - 1) AS INTEGER), CAST({fraction} * (n - 1) AS INTEGER) + 1)"
        for fraction in PERCENTILES.values()
    )
    return (
        f"SELECT bucket, seconds, rn, n FROM (SELECT {bucket} AS bucket, {column} AS seconds, "
        f"ROW_NUMBER() OVER (PARTITION BY {bucket} ORDER BY {column}) AS rn, "
        f"COUNT(*) OVER (PARTITION BY {bucket}) AS n FROM {FACTS_TABLE} WHERE {column} IS NOT NULL) AS w "
        f"WHERE {positions} ORDER BY bucket, rn"
    )


@contextmanager
def report_facts(*, period: Period, as_of: datetime) -> Iterator[Facts]:
    """The facts table lives for the block; an error rolls its creation back."""
    sql, params = _facts_query(period, as_of).query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The planner's cost estimates for a million rows trigger JIT compiling that costs more than it saves.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(f"DROP TABLE IF EXISTS {FACTS_TABLE}")
        cursor.execute(_facts_sql(sql), params)
        yield Facts(cursor)
        cursor.execute(f"DROP TABLE {FACTS_TABLE}")


def _as_date(value) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _interpolate(values: dict, fraction: float) -> float:
    """percentile_cont's linear interpolation between the two values around the position."""
    position = fraction * (values["n"] - 1)
    lower = int(position)
    if lower + 1 >= values["n"]:
        return values[lower]
    return values[lower] + (values[lower + 1] - values[lower]) * (position - lower)


def _labels(dimension: str, keys: list) -> dict:
    if dimension == "channel":
        return {key: str(Channel(key).label) if key in Channel.values else key for key in keys}
    if dimension in ("category", "queue"):
        return dict(Category.objects.filter(pk__in=keys).values_list("pk", "title"))
    users = User.objects.filter(pk__in=keys).only("username", "first_name", "last_name", "middle_name")
    return {user.pk: user.full_name() or user.get_username() for user in users}


def _missing_label(dimension: str) -> str:
    return _("Not assigned") if dimension == "operator" else _("None")


def _as_row(values: dict, label: str) -> ReportRow:
    key = values.pop("bucket")
    row = ReportRow(key=key, label=label, **values)
    for name in ("first_response_median", "first_response_p95", "resolution_median", "csat_average"):
        value = getattr(row, name)
        setattr(row, name, round(float(value), 1) if value is not None else None)
    return row


def _labelled(dimension: str, grouped: list[dict]) -> list[ReportRow]:
    labels = _labels(dimension, [row["bucket"] for row in grouped if row["bucket"] is not None])
    return [_as_row(row, labels.get(row["bucket"]) or _missing_label(dimension)) for row in grouped]


def _section(facts: Facts, dimension: str) -> list[ReportRow]:
    return _labelled(dimension, facts.grouped(dimension))


def _total(facts: Facts) -> ReportRow:
    return _as_row(facts.grouped(None)[0], _("Total"))


def report_section(*, period: Period, dimension: str, as_of: datetime | None = None) -> list[ReportRow]:
    """One breakdown of the report: a row per channel, category, queue or operator."""
    with report_facts(period=period, as_of=as_of or timezone.now()) as facts:
        return _section(facts, dimension)


def report_total(*, period: Period, as_of: datetime | None = None) -> ReportRow:
    with report_facts(period=period, as_of=as_of or timezone.now()) as facts:
        return _total(facts)


def report_counts(*, period: Period, dimension: str | None, as_of: datetime | None = None) -> list[ReportRow]:
    """Volume, SLA shares, escalations and bot deflection in one indexed GROUP BY, without
    the facts table (so no CSAT, percentiles or repeat contacts): what the live dashboard
    refreshes. The same conditions as the full report."""
    counts = {
        name: Count("id", filter=condition) for name, condition in _plain_conditions(as_of or timezone.now()).items()
    }
    bucket = F(DIMENSION_COLUMNS[dimension]) if dimension else Value("total")
    grouped = list(
        tickets_created_in(period).annotate(bucket=bucket).values("bucket").annotate(volume=Count("id"), **counts)
    )
    if dimension is None:
        return [_as_row(row, _("Total")) for row in grouped]
    return _labelled(dimension, sorted(grouped, key=lambda row: str(row["bucket"])))


def report_total_and_sections(
    *, period: Period, dimensions: tuple[str, ...], as_of: datetime | None = None
) -> tuple[ReportRow, dict[str, list[ReportRow]]]:
    """The total and several breakdowns from one reading of the appeals."""
    with report_facts(period=period, as_of=as_of or timezone.now()) as facts:
        return _total(facts), {dimension: _section(facts, dimension) for dimension in dimensions}


def _trend(period: Period, counts_by_day: dict[date, dict]) -> list[DayPoint]:
    points = []
    for day in _local_days(period):
        counts = counts_by_day.get(day)
        if counts is None:
            points.append(DayPoint(day, 0, None, None))
            continue
        points.append(
            DayPoint(
                day=day,
                volume=counts["volume"],
                first_response_within_percent=_percent(
                    counts["first_response_within"], counts["first_response_measured"]
                ),
                resolution_within_percent=_percent(counts["resolution_within"], counts["resolution_measured"]),
            )
        )
    return points


def report_trend_by_hour(*, period: Period, as_of: datetime | None = None) -> tuple[list[DayPoint], list[int]]:
    """Volume and SLA shares per local day (days without appeals included), and appeals per
    local hour of the day, from one GROUP BY without the facts table: the dashboard's charts."""
    tz = timezone.get_current_timezone()
    cells = (
        tickets_created_in(period)
        .annotate(day=TruncDate("created_at", tzinfo=tz), hour=ExtractHour("created_at", tzinfo=tz))
        .values("day", "hour")
        .annotate(**_sla_counts(as_of or timezone.now()))
    )
    days: dict[date, dict] = {}
    hours = [0] * 24
    for cell in cells.iterator():
        day, hour = cell.pop("day"), cell.pop("hour")
        hours[hour] += cell["volume"]
        totals = days.setdefault(day, dict.fromkeys(cell, 0))
        for name, value in cell.items():
            totals[name] += value
    return _trend(period, days), hours


def _local_days(period: Period) -> list[date]:
    first = timezone.localtime(period.start).date()
    last = timezone.localtime(period.end - timedelta(microseconds=1)).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def sla_report_build(*, period: Period, as_of: datetime | None = None) -> SlaReport:
    """The whole report: the total, every breakdown and the daily trend, from one reading of the appeals."""
    if period.end <= period.start:
        raise ValueError("The period must end after it starts.")
    as_of = as_of or timezone.now()
    with report_facts(period=period, as_of=as_of) as facts:
        return SlaReport(
            period=period,
            as_of=as_of,
            total=_total(facts),
            sections={dimension: _section(facts, dimension) for dimension in DIMENSIONS},
            trend=_trend(period, facts.days()),
        )
