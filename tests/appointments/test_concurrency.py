"""Two citizens never hold the same window at the same moment: the database decides.

Real concurrency needs real connections, so these run on PostgreSQL (CI) and are skipped
on SQLite, whose single writer serialises bookings anyway."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from appointments import services
from appointments.models import Booking, BookingStatus
from tests.appointments.conftest import msk
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs PostgreSQL"),
]

START = msk(2027, 3, 2, 10, 0)
NOW = msk(2027, 3, 1, 8, 0)


def _race(centre, service, citizens) -> list[object]:
    """Every citizen books START at once; returns each one's booking or exception."""
    barrier = threading.Barrier(len(citizens))
    outcomes: list[object] = [None] * len(citizens)

    def attempt(n: int) -> None:
        try:
            barrier.wait()
            outcomes[n] = services.booking_create(
                citizen=citizens[n], centre=centre, service=service, start=START, now=NOW
            )
        except Exception as error:  # the outcome under test
            outcomes[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(len(citizens))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_twenty_concurrent_bookings_of_one_window_give_exactly_one_success(one_window_centre, passport):
    citizens = [UserFactory(username=f"racer{n}") for n in range(20)]

    outcomes = _race(one_window_centre, passport, citizens)

    successes = [o for o in outcomes if isinstance(o, Booking)]
    assert len(successes) == 1
    assert all(isinstance(o, services.SlotTaken) for o in outcomes if not isinstance(o, Booking))
    assert Booking.objects.filter(centre=one_window_centre, start=START).count() == 1


def test_concurrent_bookings_fill_every_window_once(centre, passport):
    citizens = [UserFactory(username=f"racer{n}") for n in range(8)]

    outcomes = _race(centre, passport, citizens)

    booked = Booking.objects.filter(centre=centre, start=START)
    assert sorted(booked.values_list("window_no", flat=True)) == [1, 2]
    assert sum(isinstance(o, Booking) for o in outcomes) == 2


def test_database_refuses_overlapping_bookings_of_one_window(one_window_centre, passport, snils):
    citizen = UserFactory()
    common = {"citizen": citizen, "centre": one_window_centre, "window_no": 1, "created_at": NOW}
    Booking.objects.create(code="AAAA2222", service=passport, start=START, end=START + timedelta(minutes=30), **common)

    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            code="BBBB3333",
            service=snils,
            start=START + timedelta(minutes=15),
            end=START + timedelta(minutes=30),
            **common,
        )
    Booking.objects.create(
        code="CCCC4444",
        service=snils,
        start=START + timedelta(minutes=15),
        end=START + timedelta(minutes=30),
        status=BookingStatus.CANCELLED,
        **common,
    )
    assert Booking.objects.count() == 2


def test_concurrent_bookings_of_one_citizen_keep_to_the_limit_of_active_visits(centre, passport, snils):
    citizen = UserFactory(username="busy")
    for n in range(services.MAX_ACTIVE_BOOKINGS - 1):
        services.booking_create(
            citizen=citizen, centre=centre, service=passport, start=START + timedelta(hours=1 + n), now=NOW
        )
    # Both requests pass the early count before either books: the window real requests have.
    passed_early_check = threading.Barrier(2)
    real_requested_slot = services._requested_slot

    def slot_then_wait(**kwargs):
        slot = real_requested_slot(**kwargs)
        passed_early_check.wait(10)
        return slot

    with mock.patch.object(services, "_requested_slot", slot_then_wait):
        outcomes = _race(centre, passport, [citizen, citizen])

    assert sum(isinstance(o, Booking) for o in outcomes) == 1
    [refused] = [o for o in outcomes if not isinstance(o, Booking)]
    assert isinstance(refused, ValidationError) and refused.code == "too_many_bookings"
    active = Booking.objects.filter(citizen=citizen).exclude(status=BookingStatus.CANCELLED)
    assert active.count() == services.MAX_ACTIVE_BOOKINGS
