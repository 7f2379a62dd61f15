"""Bookings in the citizens' data rights (export, erasure, retention) and the centre's load
figures (queue now, busy hours)."""

from datetime import timedelta

from appointments import services
from appointments.models import Booking, BookingStatus
from appointments.privacy import bookings_erase, bookings_export, bookings_purge_expired
from appointments.selectors import centre_busy_hours, centre_queue_now
from gosupport.models import Notification
from gosupport.privacy import privacy_providers
from tests.appointments.conftest import msk

TUESDAY_10 = msk(2027, 3, 2, 10, 0)


def _book(citizen, centre, service, now, start=TUESDAY_10, comment="Паспорт сына"):
    return services.booking_create(
        citizen=citizen, centre=centre, service=service, start=start, comment=comment, now=now
    )


def test_appointments_registers_a_privacy_provider():
    assert "appointments" in {provider.name for provider in privacy_providers()}


def test_export_holds_the_citizens_bookings_only(citizen_a, citizen_b, centre, passport, now):
    booking = _book(citizen_a, centre, passport, now)
    _book(citizen_b, centre, passport, now)

    exported = bookings_export(citizen_a)

    assert [item["code"] for item in exported] == [booking.code]
    assert exported[0]["comment"] == "Паспорт сына"
    assert exported[0]["history"][0]["kind"] == "created"


def test_erasure_blanks_comments_frees_upcoming_windows_and_drops_messages(citizen_a, centre, passport, now):
    import time_machine

    booking = _book(citizen_a, centre, passport, now)
    with time_machine.travel(now, tick=False):
        bookings_erase(citizen_a)

    booking.refresh_from_db()
    assert booking.comment == ""
    assert booking.status == BookingStatus.CANCELLED
    assert not Notification.objects.filter(reference__startswith=f"booking:{booking.code}:").exists()


def test_retention_purges_finished_visits_but_never_active_ones(citizen_a, centre, passport, centre_operator, now):
    served = _book(citizen_a, centre, passport, now)
    upcoming = _book(citizen_a, centre, passport, now, start=msk(2027, 3, 3, 10))
    services.booking_check_in(booking=served, staff=centre_operator, now=TUESDAY_10)
    services.booking_mark_served(booking=served, staff=centre_operator, now=TUESDAY_10 + timedelta(minutes=30))

    purged = bookings_purge_expired(msk(2030, 1, 1))

    assert purged == 1
    assert list(Booking.objects.values_list("code", flat=True)) == [upcoming.code]


def test_queue_now_counts_waiting_people_and_the_recent_average_wait(
    citizen_a, citizen_b, centre, passport, centre_operator, now
):
    first = _book(citizen_a, centre, passport, now)
    second = _book(citizen_b, centre, passport, now)
    services.booking_check_in(booking=first, staff=centre_operator, now=TUESDAY_10 - timedelta(minutes=10))
    services.booking_check_in(booking=second, staff=centre_operator, now=TUESDAY_10 - timedelta(minutes=5))
    assert centre_queue_now(centre, now=TUESDAY_10).waiting == 2

    services.booking_mark_served(booking=first, staff=centre_operator, now=TUESDAY_10 + timedelta(minutes=30))
    queue = centre_queue_now(centre, now=TUESDAY_10 + timedelta(minutes=31))

    assert queue.waiting == 1
    assert queue.average_wait_minutes == 10  # 40 minutes at the centre for a 30-minute service


def test_busy_hours_average_visits_by_weekday_and_hour(citizen_a, citizen_b, centre, passport, now):
    _book(citizen_a, centre, passport, now)
    _book(citizen_b, centre, passport, now)

    busy = centre_busy_hours(centre, now=msk(2027, 3, 10, 9), weeks=2)

    tuesday = dict(busy.rows[1][1])
    assert busy.hours[0] == 9 and busy.hours[-1] == 17
    assert tuesday[10] == 1.0  # two visits over two weeks
    assert busy.peak == 1.0
