"""Business time: working hours over Russian public holidays, transfer days (a
working Saturday) and the supervisor's own exceptions."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from gosupport.models import BusinessCalendar, CalendarException
from gosupport.process_cache import ProcessCache

MAX_DAYS_SCANNED = 3660


@dataclass(frozen=True)
class WorkingCalendar:
    """An immutable view of a BusinessCalendar; pure functions of time hang off it."""

    timezone: str = "Europe/Moscow"
    work_start: time = time(9, 0)
    work_end: time = time(18, 0)
    country: str = "RU"
    exceptions: dict[date, bool] = field(default_factory=dict)
    # Per year: (public holidays, weekend days declared working); filled on first use.
    _holiday_years: dict[int, tuple[frozenset[date], frozenset[date]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @classmethod
    def from_model(cls, calendar: BusinessCalendar | None) -> "WorkingCalendar":
        """The calendar (None: the default one), shared by the process while it is current."""
        key = calendar.pk if calendar is not None else None
        cached = _calendars.get(key)
        if cached is not None and (calendar is None or cached.matches(calendar)):
            return cached
        row = calendar if calendar is not None else BusinessCalendar.objects.filter(is_default=True).first()
        built = cls._of(row)
        _calendars.put(key, built)
        if row is not None:
            _calendars.put(row.pk, built)
        return built

    @classmethod
    def _of(cls, calendar: BusinessCalendar | None) -> "WorkingCalendar":
        if calendar is None:
            return cls()
        return cls(
            timezone=calendar.timezone,
            work_start=calendar.work_start,
            work_end=calendar.work_end,
            country=calendar.country,
            exceptions=dict(calendar.exceptions.values_list("date", "is_working")),
        )

    def matches(self, calendar: BusinessCalendar) -> bool:
        """Whether a calendar row (perhaps changed in memory) still reads as this view."""
        return (self.timezone, self.work_start, self.work_end, self.country) == (
            calendar.timezone,
            calendar.work_start,
            calendar.work_end,
            calendar.country,
        )

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def _holidays_of(self, year: int) -> tuple[frozenset[date], frozenset[date]]:
        known = self._holiday_years.get(year)
        if known is None:
            # The neighbouring years too: a holiday of one year may be observed in the next.
            public = holidays.country_holidays(self.country, years=(year - 1, year, year + 1))
            known = (frozenset(public), frozenset(getattr(public, "weekend_workdays", ())))
            self._holiday_years[year] = known
        return known

    def is_working_day(self, day: date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        public, weekend_workdays = self._holidays_of(day.year)
        if day in public:
            return False
        if day in weekend_workdays:
            return True
        return day.weekday() < 5

    def working_hours(self, day: date) -> tuple[datetime, datetime]:
        return (
            datetime.combine(day, self.work_start, tzinfo=self.tz),
            datetime.combine(day, self.work_end, tzinfo=self.tz),
        )

    def is_open(self, moment: datetime) -> bool:
        local = moment.astimezone(self.tz)
        start, end = self.working_hours(local.date())
        return self.is_working_day(local.date()) and start <= local < end

    def _working_intervals(self, start: datetime):
        """Working intervals from `start` on, clipped to start."""
        day = start.astimezone(self.tz).date()
        for _ in range(MAX_DAYS_SCANNED):
            if self.is_working_day(day):
                open_at, close_at = self.working_hours(day)
                if close_at > start:
                    yield max(open_at, start), close_at
            day += timedelta(days=1)
        raise ValueError("no working time within ten years")

    def add_business_seconds(self, start: datetime, seconds: float) -> datetime:
        """The moment when `seconds` of working time have passed after `start`."""
        remaining = timedelta(seconds=seconds)
        for open_at, close_at in self._working_intervals(start):
            available = close_at - open_at
            if remaining <= available:
                return open_at + remaining
            remaining -= available
        raise AssertionError("unreachable")

    def business_seconds_between(self, start: datetime, end: datetime) -> float:
        if end <= start:
            return 0.0
        total = timedelta()
        for open_at, close_at in self._working_intervals(start):
            if open_at >= end:
                break
            total += min(close_at, end) - open_at
        return total.total_seconds()


_calendars = ProcessCache("CALENDAR_CACHE_SECONDS")


def calendars_forget() -> None:
    """Drop this process's copies of the business calendars (tests, after a bulk change)."""
    _calendars.clear()


@receiver(post_save, sender=BusinessCalendar, dispatch_uid="calendar-cache-calendar-saved")
@receiver(post_delete, sender=BusinessCalendar, dispatch_uid="calendar-cache-calendar-deleted")
@receiver(post_save, sender=CalendarException, dispatch_uid="calendar-cache-exception-saved")
@receiver(post_delete, sender=CalendarException, dispatch_uid="calendar-cache-exception-deleted")
def _calendar_changed(sender, **kwargs) -> None:
    calendars_forget()
    # Meanwhile another request may have read the committed, old rows again.
    transaction.on_commit(calendars_forget)
