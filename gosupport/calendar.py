"""Business time: working hours over Russian public holidays, transfer days (a
working Saturday) and the supervisor's own exceptions."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays

from gosupport.models import BusinessCalendar

MAX_DAYS_SCANNED = 3660


@dataclass(frozen=True)
class WorkingCalendar:
    """An immutable view of a BusinessCalendar; pure functions of time hang off it."""

    timezone: str = "Europe/Moscow"
    work_start: time = time(9, 0)
    work_end: time = time(18, 0)
    country: str = "RU"
    exceptions: dict[date, bool] = field(default_factory=dict)

    @classmethod
    def from_model(cls, calendar: BusinessCalendar | None) -> "WorkingCalendar":
        if calendar is None:
            calendar = BusinessCalendar.objects.filter(is_default=True).first()
        if calendar is None:
            return cls()
        return cls(
            timezone=calendar.timezone,
            work_start=calendar.work_start,
            work_end=calendar.work_end,
            country=calendar.country,
            exceptions=dict(calendar.exceptions.values_list("date", "is_working")),
        )

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def _public_holidays(self) -> holidays.HolidayBase:
        return holidays.country_holidays(self.country)

    def is_working_day(self, day: date) -> bool:
        if day in self.exceptions:
            return self.exceptions[day]
        public = self._public_holidays
        if day in public:
            return False
        if day in getattr(public, "weekend_workdays", ()):
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
