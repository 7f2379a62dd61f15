"""Free slots: arithmetic over a centre's weekly hours, its special days, public holidays
and transfer days (the shared business calendar), its windows and the service's length,
minus the active bookings.

A day's slots start at opening time and follow each other at the service's length; a slot
is free in every window that no active booking overlaps. The pure part (CentreSchedule,
Occupancy, day_slots) takes no database; the loaders below feed it."""

import bisect
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property, lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import Func, IntegerField
from django.utils import timezone

from gosupport.calendar import WorkingCalendar

from .models import ACTIVE_STATUSES, Booking, Service, ServiceCentre

DEFAULT_HORIZON_DAYS = 60


def booking_horizon_days() -> int:
    return getattr(settings, "APPOINTMENTS_BOOKING_HORIZON_DAYS", DEFAULT_HORIZON_DAYS)


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    free: int


@lru_cache(maxsize=16)
def country_holidays(country: str, language: str | None = None) -> holidays.HolidayBase:
    """The `holidays` library's calendar (names in `language` where it has them)."""
    try:
        return holidays.country_holidays(country, language=language)
    except NotImplementedError:
        return holidays.country_holidays(country)


@dataclass(frozen=True)
class CentreSchedule:
    """When a centre is open on a given day, in its own time zone."""

    timezone: str
    weekly: Mapping[int, tuple[time, time]]
    special: Mapping[date, tuple[time, time] | None] = field(default_factory=dict)
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def hours(self, day: date) -> tuple[time, time] | None:
        """Special days first, then the calendar's exceptions, public holidays and transfer
        days, then the usual weekly hours. None means closed."""
        if day in self.special:
            return self.special[day]
        exceptions = self.calendar.exceptions
        if day in exceptions:
            return self._working_day_hours(day) if exceptions[day] else None
        public = country_holidays(self.calendar.country)
        if day in public:
            return None
        if day in getattr(public, "weekend_workdays", ()):
            return self._working_day_hours(day)
        return self.weekly.get(day.weekday())

    def _working_day_hours(self, day: date) -> tuple[time, time] | None:
        """A day declared working: its own weekday's hours, else the first working weekday's
        (a transfer Saturday at a centre closed on Saturdays works like a weekday)."""
        if day.weekday() in self.weekly:
            return self.weekly[day.weekday()]
        weekdays = [self.weekly[n] for n in range(5) if n in self.weekly]
        return weekdays[0] if weekdays else None

    def opening(self, day: date) -> tuple[datetime, datetime] | None:
        hours = self.hours(day)
        if hours is None:
            return None
        opens, closes = hours
        return datetime.combine(day, opens, tzinfo=self.tz), datetime.combine(day, closes, tzinfo=self.tz)

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz)
        opening = self.opening(local.date())
        return opening is not None and opening[0] <= local < opening[1]


class Occupancy:
    """Active bookings by window, for "which windows are busy between a and b" by bisection.
    Bookings of one window never overlap (the database enforces it), so sorting by start
    sorts the ends too. Times are kept as POSIX seconds: comparing integers is far cheaper
    than comparing aware datetimes of different zones, and a month has thousands of them."""

    def __init__(self, intervals: Iterable[tuple[int, datetime | int, datetime | int]]):
        by_window: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for window_no, start, end in intervals:
            if not isinstance(start, int):
                start, end = _seconds(start), _seconds(end)
            by_window[window_no].append((start, end))
        self._starts: dict[int, list[int]] = {}
        self._ends: dict[int, list[int]] = {}
        for window_no, spans in by_window.items():
            spans.sort()
            self._starts[window_no] = [s for s, _e in spans]
            self._ends[window_no] = [e for _s, e in spans]

    @classmethod
    def from_sorted(cls, rows: Iterable[tuple[int, list[int], list[int]]]) -> "Occupancy":
        """From (window, starts, ends) already sorted by start, as PostgreSQL aggregates them."""
        occupancy = cls(())
        for window_no, starts, ends in rows:
            occupancy._starts[window_no], occupancy._ends[window_no] = list(starts), list(ends)
        return occupancy

    def _busy(self, window_no: int, start: int, end: int) -> bool:
        ends = self._ends.get(window_no)
        if not ends:
            return False
        first_ending_later = bisect.bisect_right(ends, start)
        return first_ending_later < len(ends) and self._starts[window_no][first_ending_later] < end

    def is_busy(self, window_no: int, start: datetime, end: datetime) -> bool:
        return self._busy(window_no, _seconds(start), _seconds(end))

    def free_windows(self, windows: int, start: datetime, end: datetime) -> list[int]:
        start_s, end_s = _seconds(start), _seconds(end)
        return [n for n in range(1, windows + 1) if not self._busy(n, start_s, end_s)]

    def free_count(self, windows: int, start: datetime | int, end: datetime | int) -> int:
        start_s, end_s = _seconds(start), _seconds(end)
        return windows - sum(1 for n in self._ends if n <= windows and self._busy(n, start_s, end_s))


def _seconds(moment: datetime | int) -> int:
    return moment if isinstance(moment, int) else int(moment.timestamp())


def day_slots(
    *,
    schedule: CentreSchedule,
    day: date,
    duration: timedelta,
    windows: int,
    occupancy: Occupancy,
    not_before: datetime | None = None,
) -> list[Slot]:
    """Every slot of the day from opening on, at the service's length; past ones left out."""
    opening = schedule.opening(day)
    if opening is None:
        return []
    open_at, close_at = opening
    step = int(duration.total_seconds())
    first_s, close_s = int(open_at.timestamp()), int(close_at.timestamp())
    floor_s = int(not_before.timestamp()) if not_before is not None else first_s
    slots = []
    for start_s in range(first_s, close_s - step + 1, step):
        if start_s >= floor_s:
            start = open_at + timedelta(seconds=start_s - first_s)
            free = occupancy.free_count(windows, start_s, start_s + step)
            slots.append(Slot(start=start, end=start + duration, free=free))
    return slots


# --- loaders


def schedule_of(centre: ServiceCentre, *, calendars: dict | None = None) -> CentreSchedule:
    """The centre's schedule; `calendars` memoises business calendars across many centres."""
    calendars = {} if calendars is None else calendars
    if centre.calendar_id not in calendars:
        calendars[centre.calendar_id] = WorkingCalendar.from_model(centre.calendar)
    weekly = {row.weekday: (row.opens, row.closes) for row in centre.hours.all()}
    special = {
        row.date: (row.opens, row.closes) if row.opens is not None else None for row in centre.special_days.all()
    }
    return CentreSchedule(
        timezone=centre.timezone, weekly=weekly, special=special, calendar=calendars[centre.calendar_id]
    )


class Epoch(Func):
    """POSIX seconds of a datetime column, computed by the database (see Occupancy)."""

    output_field = IntegerField()

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="CAST(EXTRACT(EPOCH FROM %(expressions)s) AS bigint)")

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores datetimes on SQLite as UTC text; '%%%%' survives two rounds of formatting.
        return self.as_sql(compiler, connection, template="CAST(strftime('%%%%s', %(expressions)s) AS integer)")


def occupancy_of(
    centre: ServiceCentre, since: datetime, until: datetime, *, ignore_booking_id: int | None = None
) -> Occupancy:
    bookings = Booking.objects.filter(
        centre=centre, status__in=ACTIVE_STATUSES, start__lt=until, end__gt=since
    ).exclude(pk=ignore_booking_id)
    if connection.vendor == "postgresql":
        return _occupancy_aggregated(bookings)
    if connection.vendor != "sqlite":
        return Occupancy(bookings.values_list("window_no", "start", "end"))
    # Plain integers straight from the cursor: no per-row converters for thousands of rows.
    sql, params = bookings.values_list("window_no", Epoch("start"), Epoch("end")).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return Occupancy(cursor.fetchall())


def _occupancy_aggregated(bookings) -> Occupancy:
    """One row per window with its sorted starts and ends as integer arrays: PostgreSQL
    sorts, and a month of a busy centre crosses the wire as ten rows, not thousands."""
    rows = (
        bookings.order_by()
        .values("window_no")
        .annotate(
            starts=ArrayAgg(Epoch("start"), order_by="start"),
            ends=ArrayAgg(Epoch("end"), order_by="start"),
        )
        .values_list("window_no", "starts", "ends")
    )
    return Occupancy.from_sorted(rows)


def local_today(centre: ServiceCentre, now: datetime) -> date:
    return now.astimezone(ZoneInfo(centre.timezone)).date()


def _day_bounds(schedule: CentreSchedule, first_day: date, days: int) -> tuple[datetime, datetime]:
    start = datetime.combine(first_day, time.min, tzinfo=schedule.tz)
    return start, start + timedelta(days=days)


def free_slots_by_day(
    *,
    centre: ServiceCentre,
    service: Service,
    first_day: date,
    days: int,
    now: datetime | None = None,
    ignore_booking_id: int | None = None,
) -> dict[date, list[Slot]]:
    """Slots (free or not) of `days` days from `first_day`, with one query for the bookings."""
    now = now or timezone.now()
    schedule = schedule_of(centre)
    since, until = _day_bounds(schedule, first_day, days)
    occupancy = occupancy_of(centre, since, until, ignore_booking_id=ignore_booking_id)
    duration = timedelta(minutes=service.duration_minutes)
    result = {}
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        result[day] = day_slots(
            schedule=schedule,
            day=day,
            duration=duration,
            windows=centre.windows,
            occupancy=occupancy,
            not_before=now,
        )
    return result


def free_slots(
    *,
    centre: ServiceCentre,
    service: Service,
    day: date,
    now: datetime | None = None,
    ignore_booking_id: int | None = None,
) -> list[Slot]:
    by_day = free_slots_by_day(
        centre=centre, service=service, first_day=day, days=1, now=now, ignore_booking_id=ignore_booking_id
    )
    return by_day[day]


def bookable_days(centre: ServiceCentre, now: datetime) -> tuple[date, date]:
    """The first and last day a citizen may book (today and the horizon, centre time)."""
    today = local_today(centre, now)
    return today, today + timedelta(days=booking_horizon_days())


def first_free_slot(
    *, centre: ServiceCentre, service: Service, now: datetime | None = None, week_days: int = 7
) -> Slot | None:
    """The earliest free slot within the booking horizon, looked up a week at a time."""
    now = now or timezone.now()
    first_day, last_day = bookable_days(centre, now)
    day = first_day
    while day <= last_day:
        days = min(week_days, (last_day - day).days + 1)
        for slots in free_slots_by_day(centre=centre, service=service, first_day=day, days=days, now=now).values():
            free = next((slot for slot in slots if slot.free > 0), None)
            if free is not None:
                return free
        day += timedelta(days=days)
    return None


def nearest_free_slots(
    *,
    centre: ServiceCentre,
    service: Service,
    around: datetime,
    limit: int = 3,
    now: datetime | None = None,
    span_days: int = 7,
) -> list[Slot]:
    """Free slots closest in time to `around` (before or after it), within a week either side."""
    now = now or timezone.now()
    first_day, last_day = bookable_days(centre, now)
    centre_day = around.astimezone(ZoneInfo(centre.timezone)).date()
    start_day = max(first_day, centre_day - timedelta(days=span_days))
    end_day = min(last_day, centre_day + timedelta(days=span_days))
    if end_day < start_day:
        return []
    by_day = free_slots_by_day(
        centre=centre, service=service, first_day=start_day, days=(end_day - start_day).days + 1, now=now
    )
    candidates = [slot for slots in by_day.values() for slot in slots if slot.free > 0 and slot.start != around]
    candidates.sort(key=lambda slot: (abs(slot.start - around), slot.start))
    return sorted(candidates[:limit], key=lambda slot: slot.start)
