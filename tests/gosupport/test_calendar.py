from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from gosupport.calendar import WorkingCalendar
from gosupport.models import BusinessCalendar, CalendarException

MOSCOW = ZoneInfo("Europe/Moscow")
HOUR = 3600


def moscow(*args) -> datetime:
    return datetime(*args, tzinfo=MOSCOW)


@pytest.fixture
def calendar():
    return WorkingCalendar()


def test_friday_evening_plus_two_hours_lands_on_monday_morning(calendar):
    assert calendar.add_business_seconds(moscow(2025, 6, 20, 17), 2 * HOUR) == moscow(2025, 6, 23, 10)


def test_time_outside_working_hours_starts_counting_at_the_next_opening(calendar):
    assert calendar.add_business_seconds(moscow(2025, 6, 17, 22), HOUR) == moscow(2025, 6, 18, 10)
    assert calendar.add_business_seconds(moscow(2025, 6, 21, 12), 0) == moscow(2025, 6, 23, 9)


def test_new_year_holidays_are_skipped(calendar):
    assert not calendar.is_working_day(date(2026, 1, 9))
    assert calendar.add_business_seconds(moscow(2025, 12, 30, 17), 2 * HOUR) == moscow(2026, 1, 12, 10)


def test_may_holidays_and_the_transferred_day_off_on_2025_05_02(calendar):
    assert not calendar.is_working_day(date(2025, 5, 2))
    assert calendar.add_business_seconds(moscow(2025, 4, 30, 17), 2 * HOUR) == moscow(2025, 5, 5, 10)


def test_saturday_2025_11_01_was_a_working_day_and_monday_after_was_not(calendar):
    assert calendar.is_working_day(date(2025, 11, 1))
    assert calendar.add_business_seconds(moscow(2025, 10, 31, 17), 2 * HOUR) == moscow(2025, 11, 1, 10)
    assert calendar.add_business_seconds(moscow(2025, 11, 1, 17), 2 * HOUR) == moscow(2025, 11, 5, 10)


def test_a_transfer_day_is_known_before_anything_else_of_its_year_was_asked(calendar):
    assert WorkingCalendar().is_working_day(date(2025, 11, 1))


def test_business_seconds_between_count_only_working_hours(calendar):
    assert calendar.business_seconds_between(moscow(2025, 6, 20, 17), moscow(2025, 6, 23, 10)) == 2 * HOUR
    assert calendar.business_seconds_between(moscow(2025, 6, 23, 10), moscow(2025, 6, 20, 17)) == 0


def test_moments_in_other_time_zones_are_read_in_the_calendars_zone(calendar):
    assert calendar.add_business_seconds(datetime(2025, 6, 20, 14, tzinfo=UTC), 2 * HOUR) == moscow(2025, 6, 23, 10)
    assert calendar.is_open(datetime(2025, 6, 23, 6, 30, tzinfo=UTC))
    assert not calendar.is_open(datetime(2025, 6, 23, 15, 0, tzinfo=UTC))


@pytest.mark.django_db
def test_supervisor_exceptions_override_the_public_calendar():
    model = BusinessCalendar.objects.create(name="Test", work_start=time(9), work_end=time(18))
    CalendarException.objects.create(calendar=model, date=date(2025, 6, 23), is_working=False, note="Training")
    CalendarException.objects.create(calendar=model, date=date(2025, 6, 21), is_working=True, note="Campaign")
    CalendarException.objects.create(calendar=model, date=date(2025, 5, 2), is_working=True, note="On duty")
    calendar = WorkingCalendar.from_model(model)
    assert calendar.add_business_seconds(moscow(2025, 6, 20, 17), 2 * HOUR) == moscow(2025, 6, 21, 10)
    assert calendar.add_business_seconds(moscow(2025, 6, 21, 17), 2 * HOUR) == moscow(2025, 6, 24, 10)
    assert calendar.is_working_day(date(2025, 5, 2))


@pytest.mark.django_db
def test_without_a_calendar_the_default_one_is_used():
    BusinessCalendar.objects.update(is_default=False)
    BusinessCalendar.objects.create(name="Short day", work_start=time(10), work_end=time(16), is_default=True)
    calendar = WorkingCalendar.from_model(None)
    assert calendar.working_hours(date(2025, 6, 23))[1] == moscow(2025, 6, 23, 16)
