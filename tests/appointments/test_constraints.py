"""The unique constraint over (centre, window, start) of active bookings holds on every backend."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from appointments.models import Booking, BookingStatus
from tests.appointments.conftest import msk
from tests.factories import UserFactory

START = msk(2027, 3, 2, 10, 0)


def _row(centre, service, code, **extra):
    return Booking(
        code=code,
        citizen=UserFactory(),
        centre=centre,
        service=service,
        window_no=1,
        start=START,
        end=START + timedelta(minutes=30),
        created_at=START - timedelta(days=1),
        **extra,
    )


def test_two_active_bookings_of_one_window_and_start_are_refused(one_window_centre, passport):
    _row(one_window_centre, passport, "AAAA2222").save()

    with pytest.raises(IntegrityError), transaction.atomic():
        _row(one_window_centre, passport, "BBBB3333", status=BookingStatus.CONFIRMED).save()
    assert Booking.objects.count() == 1


def test_a_cancelled_booking_does_not_hold_its_window(one_window_centre, passport):
    _row(one_window_centre, passport, "AAAA2222", status=BookingStatus.CANCELLED).save()
    _row(one_window_centre, passport, "BBBB3333").save()

    assert Booking.objects.count() == 2
