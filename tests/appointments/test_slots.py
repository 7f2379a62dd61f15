"""Slot arithmetic: weekly hours, special days, public holidays and transfer days, windows,
service lengths, and what is already booked."""

from datetime import date, time, timedelta

import pytest

from appointments.models import Booking, BookingStatus, SpecialDay
from appointments.slots import (
    CentreSchedule,
    Occupancy,
    day_slots,
    first_free_slot,
    free_slots,
    nearest_free_slots,
)
from gosupport.calendar import WorkingCalendar
from gosupport.models import BusinessCalendar, CalendarException
from tests.appointments.conftest import msk
from tests.appointments.factories import ServiceCentreFactory
from tests.factories import UserFactory

MONDAY = date(2027, 3, 1)
SATURDAY = date(2027, 3, 6)
SUNDAY = date(2027, 3, 7)
WOMENS_DAY = date(2027, 3, 8)  # a Monday, public holiday
TRANSFER_SATURDAY = date(2027, 2, 20)  # a working Saturday by the 2027 calendar


def _book(centre, service, start, window_no=1, status=BookingStatus.CONFIRMED):
    citizen = UserFactory()
    return Booking.objects.create(
        code=f"T{Booking.objects.count():07d}",
        citizen=citizen,
        centre=centre,
        service=service,
        window_no=window_no,
        start=start,
        end=start + timedelta(minutes=service.duration_minutes),
        status=status,
        created_at=start - timedelta(days=3),
    )


def test_weekday_gives_slots_from_opening_at_the_service_length(centre, passport, snils, now):
    passport_slots = free_slots(centre=centre, service=passport, day=MONDAY, now=now)
    snils_slots = free_slots(centre=centre, service=snils, day=MONDAY, now=now)

    assert len(passport_slots) == 18
    assert passport_slots[0].start == msk(2027, 3, 1, 9, 0)
    assert passport_slots[-1].end == msk(2027, 3, 1, 18, 0)
    assert len(snils_slots) == 36
    assert {slot.free for slot in passport_slots} == {2}


def test_a_service_longer_than_what_is_left_of_the_day_gets_no_last_slot(centre, passport, now):
    passport.duration_minutes = 40
    slots = free_slots(centre=centre, service=passport, day=MONDAY, now=now)

    assert len(slots) == 13  # 9:00 + 13 × 40 min = 17:40; 17:40–18:20 does not fit
    assert slots[-1].end <= msk(2027, 3, 1, 18, 0)


def test_saturday_hours_and_a_closed_sunday(centre, passport, now):
    saturday = free_slots(centre=centre, service=passport, day=SATURDAY, now=now)

    assert [s.start.time() for s in saturday[:2]] == [time(10, 0), time(10, 30)]
    assert len(saturday) == 8
    assert free_slots(centre=centre, service=passport, day=SUNDAY, now=now) == []


def test_public_holiday_closes_the_centre(centre, passport, now):
    assert free_slots(centre=centre, service=passport, day=WOMENS_DAY, now=now) == []


def test_transfer_saturday_works_weekday_hours_at_a_centre_closed_on_saturdays(one_window_centre, passport):
    slots = free_slots(centre=one_window_centre, service=passport, day=TRANSFER_SATURDAY, now=msk(2027, 2, 19, 8))

    assert slots[0].start == msk(2027, 2, 20, 9, 0)
    assert len(slots) == 18


def test_supervisor_calendar_exceptions_close_and_open_days(centre, passport, now):
    calendar = BusinessCalendar.objects.filter(is_default=True).first() or BusinessCalendar.objects.create(
        name="Moscow", is_default=True
    )
    CalendarException.objects.create(calendar=calendar, date=MONDAY + timedelta(days=1), is_working=False)
    CalendarException.objects.create(calendar=calendar, date=SUNDAY, is_working=True)

    assert free_slots(centre=centre, service=passport, day=MONDAY + timedelta(days=1), now=now) == []
    assert len(free_slots(centre=centre, service=passport, day=SUNDAY, now=now)) == 18


def test_special_day_overrides_usual_hours_and_holidays(centre, passport, now):
    SpecialDay.objects.create(centre=centre, date=MONDAY, opens=time(9), closes=time(13), note="Short day")
    SpecialDay.objects.create(centre=centre, date=MONDAY + timedelta(days=2), note="Repairs")
    SpecialDay.objects.create(centre=centre, date=WOMENS_DAY, opens=time(10), closes=time(12), note="Open")

    assert len(free_slots(centre=centre, service=passport, day=MONDAY, now=now)) == 8
    assert free_slots(centre=centre, service=passport, day=MONDAY + timedelta(days=2), now=now) == []
    assert len(free_slots(centre=centre, service=passport, day=WOMENS_DAY, now=now)) == 4


def test_bookings_take_windows_for_every_slot_they_overlap(centre, passport, snils, now):
    _book(centre, passport, msk(2027, 3, 1, 10, 0), window_no=1)
    _book(centre, passport, msk(2027, 3, 1, 10, 0), window_no=2, status=BookingStatus.CANCELLED)

    by_start = {s.start.time(): s.free for s in free_slots(centre=centre, service=snils, day=MONDAY, now=now)}
    assert by_start[time(9, 45)] == 2
    assert by_start[time(10, 0)] == 1
    assert by_start[time(10, 15)] == 1
    assert by_start[time(10, 30)] == 2


def test_a_full_slot_shows_no_free_window(centre, passport, now):
    _book(centre, passport, msk(2027, 3, 1, 11, 0), window_no=1)
    _book(centre, passport, msk(2027, 3, 1, 11, 0), window_no=2)

    slot = next(s for s in free_slots(centre=centre, service=passport, day=MONDAY, now=now) if s.start.hour == 11)
    assert slot.free == 0


def test_past_slots_of_today_are_left_out(centre, passport):
    slots = free_slots(centre=centre, service=passport, day=MONDAY, now=msk(2027, 3, 1, 12, 10))

    assert slots[0].start == msk(2027, 3, 1, 12, 30)


def test_ten_windows_give_ten_free_places(passport, now):
    big = ServiceCentreFactory(windows=10, services=[passport])

    assert {s.free for s in free_slots(centre=big, service=passport, day=MONDAY, now=now)} == {10}


def test_first_free_slot_skips_full_and_closed_days(one_window_centre, passport):
    now = msk(2027, 3, 5, 8)  # Friday morning
    for hour in range(9, 18):
        for minute in (0, 30):
            _book(one_window_centre, passport, msk(2027, 3, 5, hour, minute))

    slot = first_free_slot(centre=one_window_centre, service=passport, now=now)

    assert slot.start == msk(2027, 3, 9, 9, 0)  # Sat, Sun closed; Monday 8 March a holiday


def test_first_free_slot_is_none_when_the_centre_never_opens(passport, now):
    closed = ServiceCentreFactory(hours={}, services=[passport])

    assert first_free_slot(centre=closed, service=passport, now=now) is None


def test_nearest_free_slots_are_the_closest_in_time(one_window_centre, passport, now):
    taken = msk(2027, 3, 2, 12, 0)
    _book(one_window_centre, passport, taken)

    nearest = nearest_free_slots(centre=one_window_centre, service=passport, around=taken, now=now, limit=2)

    assert [s.start for s in nearest] == [msk(2027, 3, 2, 11, 30), msk(2027, 3, 2, 12, 30)]


# --- the pure parts


def test_occupancy_treats_touching_bookings_as_not_overlapping():
    occupancy = Occupancy([(1, msk(2027, 3, 1, 10), msk(2027, 3, 1, 10, 30))])

    assert not occupancy.is_busy(1, msk(2027, 3, 1, 9, 30), msk(2027, 3, 1, 10))
    assert occupancy.is_busy(1, msk(2027, 3, 1, 9, 45), msk(2027, 3, 1, 10, 15))
    assert occupancy.is_busy(1, msk(2027, 3, 1, 10, 15), msk(2027, 3, 1, 10, 20))
    assert not occupancy.is_busy(1, msk(2027, 3, 1, 10, 30), msk(2027, 3, 1, 11))
    assert not occupancy.is_busy(2, msk(2027, 3, 1, 10), msk(2027, 3, 1, 10, 30))
    assert occupancy.free_windows(3, msk(2027, 3, 1, 10), msk(2027, 3, 1, 10, 30)) == [2, 3]


@pytest.mark.parametrize(
    ("day", "expected"),
    [(MONDAY, 18), (WOMENS_DAY, 0), (SUNDAY, 0), (TRANSFER_SATURDAY, 18)],
)
def test_day_slots_without_a_database(day, expected):
    schedule = CentreSchedule(
        timezone="Europe/Moscow", weekly={n: (time(9), time(18)) for n in range(5)}, calendar=WorkingCalendar()
    )
    slots = day_slots(schedule=schedule, day=day, duration=timedelta(minutes=30), windows=3, occupancy=Occupancy([]))
    assert len(slots) == expected


def test_centre_time_zone_sets_the_slot_times(passport):
    vladivostok = ServiceCentreFactory(timezone="Asia/Vladivostok", services=[passport])

    slots = free_slots(centre=vladivostok, service=passport, day=MONDAY, now=msk(2027, 2, 28, 8))

    assert slots[0].start.isoformat() == "2027-03-01T09:00:00+10:00"
