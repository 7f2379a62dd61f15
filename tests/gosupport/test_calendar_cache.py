"""Each process keeps the business calendars it read, and never longer than they are current."""

from datetime import date, time

import pytest

from gosupport import process_cache
from gosupport.calendar import WorkingCalendar
from gosupport.models import BusinessCalendar, CalendarException

pytestmark = pytest.mark.django_db

TUESDAY = date(2025, 6, 24)


@pytest.fixture
def default_calendar():
    BusinessCalendar.objects.update(is_default=False)
    return BusinessCalendar.objects.create(name="Main", work_start=time(9), work_end=time(18), is_default=True)


def test_a_calendar_read_again_costs_no_query(default_calendar, django_assert_num_queries):
    WorkingCalendar.from_model(None)
    with django_assert_num_queries(0):
        assert WorkingCalendar.from_model(None).is_working_day(TUESDAY)
        assert WorkingCalendar.from_model(default_calendar).is_working_day(TUESDAY)


def test_a_new_exception_is_seen_at_once(default_calendar):
    assert WorkingCalendar.from_model(None).is_working_day(TUESDAY)
    CalendarException.objects.create(calendar=default_calendar, date=TUESDAY, is_working=False, note="Training")
    assert not WorkingCalendar.from_model(None).is_working_day(TUESDAY)
    assert not WorkingCalendar.from_model(default_calendar).is_working_day(TUESDAY)


def test_a_deleted_exception_is_forgotten_at_once(default_calendar):
    exception = CalendarException.objects.create(calendar=default_calendar, date=TUESDAY, is_working=False)
    assert not WorkingCalendar.from_model(default_calendar).is_working_day(TUESDAY)
    exception.delete()
    assert WorkingCalendar.from_model(default_calendar).is_working_day(TUESDAY)


def test_changed_working_hours_are_seen_at_once(default_calendar):
    assert WorkingCalendar.from_model(None).work_end == time(18)
    default_calendar.work_end = time(16)
    assert WorkingCalendar.from_model(default_calendar).work_end == time(16)  # not saved yet
    default_calendar.save()
    assert WorkingCalendar.from_model(None).work_end == time(16)


def test_another_default_calendar_is_seen_at_once(default_calendar):
    WorkingCalendar.from_model(None)
    default_calendar.is_default = False
    default_calendar.save()
    BusinessCalendar.objects.create(name="Short day", work_start=time(10), work_end=time(15), is_default=True)
    assert WorkingCalendar.from_model(None).work_start == time(10)


def test_a_change_made_by_another_process_is_read_after_the_cache_time(default_calendar, monkeypatch, settings):
    settings.CALENDAR_CACHE_SECONDS = 5
    now = [1000.0]
    monkeypatch.setattr(process_cache.clock, "monotonic", lambda: now[0])
    assert WorkingCalendar.from_model(None).work_end == time(18)
    # A queryset update sends no signal, like a change made in another process.
    BusinessCalendar.objects.filter(pk=default_calendar.pk).update(work_end=time(17))
    now[0] += 4
    assert WorkingCalendar.from_model(None).work_end == time(18)
    now[0] += 2
    assert WorkingCalendar.from_model(None).work_end == time(17)


def test_without_a_default_calendar_the_built_in_hours_are_used():
    BusinessCalendar.objects.update(is_default=False)
    assert WorkingCalendar.from_model(None) == WorkingCalendar()


def test_holidays_of_every_year_asked_are_known():
    calendar = WorkingCalendar()
    assert not calendar.is_working_day(date(2025, 6, 12))  # Russia Day
    assert not calendar.is_working_day(date(2026, 1, 2))
    assert calendar.is_working_day(date(2025, 11, 1))  # a Saturday worked for 3 November
    assert not calendar.is_working_day(date(2025, 11, 3))
