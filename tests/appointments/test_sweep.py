"""The bookings sweep: reminders 24 h and 2 h before, each sent once even when two sweeps
run; none for cancelled visits or where the booking message already covered it; no-shows."""

from datetime import timedelta

from appointments import services
from appointments.models import BookingStatus
from appointments.tasks import bookings_sweep_task
from gosupport.models import Notification
from tests.appointments.conftest import msk

TUESDAY_10 = msk(2027, 3, 2, 10, 0)


def _book(citizen, centre, service, now):
    return services.booking_create(citizen=citizen, centre=centre, service=service, start=TUESDAY_10, now=now)


def _reminders(booking, kind):
    return Notification.objects.filter(reference=f"booking:{booking.code}:{kind}")


def test_24_hour_reminder_is_sent_once_even_when_two_sweeps_run(citizen_a, centre, passport, now):
    booking = _book(citizen_a, centre, passport, now)
    at = TUESDAY_10 - timedelta(hours=23)

    first = services.bookings_sweep(now=at)
    second = services.bookings_sweep(now=at + timedelta(minutes=1))

    assert (first["reminders"], second["reminders"]) == (1, 0)
    assert _reminders(booking, "reminder_24h").count() == 2  # e-mail and SMS
    assert not _reminders(booking, "reminder_2h").exists()


def test_2_hour_reminder_follows(citizen_a, centre, passport, now):
    booking = _book(citizen_a, centre, passport, now)
    services.bookings_sweep(now=TUESDAY_10 - timedelta(hours=23))

    services.bookings_sweep(now=TUESDAY_10 - timedelta(hours=1, minutes=50))

    assert _reminders(booking, "reminder_2h").count() == 2


def test_nothing_is_due_early(citizen_a, centre, passport, now):
    _book(citizen_a, centre, passport, now)

    assert services.bookings_sweep(now=TUESDAY_10 - timedelta(hours=25))["reminders"] == 0


def test_a_booking_made_the_day_before_gets_no_tomorrow_reminder(citizen_a, centre, passport):
    booking = _book(citizen_a, centre, passport, TUESDAY_10 - timedelta(hours=5))

    services.bookings_sweep(now=TUESDAY_10 - timedelta(hours=4))

    assert not _reminders(booking, "reminder_24h").exists()


def test_cancelled_visits_get_no_reminder(citizen_a, centre, passport, now):
    booking = _book(citizen_a, centre, passport, now)
    services.booking_cancel(booking=booking, actor=citizen_a, now=now)

    assert services.bookings_sweep(now=TUESDAY_10 - timedelta(hours=1))["reminders"] == 0


def test_forgotten_visits_become_no_shows_once(citizen_a, centre, passport, now):
    booking = _book(citizen_a, centre, passport, now)

    assert services.bookings_sweep(now=TUESDAY_10 + timedelta(minutes=50))["no_shows"] == 0
    assert services.bookings_sweep(now=TUESDAY_10 + timedelta(hours=2))["no_shows"] == 1
    assert services.bookings_sweep(now=TUESDAY_10 + timedelta(hours=3))["no_shows"] == 0
    booking.refresh_from_db()
    assert booking.status == BookingStatus.NO_SHOW


def test_the_celery_task_runs_the_sweep(citizen_a, centre, passport, now):
    import time_machine

    _book(citizen_a, centre, passport, now)
    with time_machine.travel(TUESDAY_10 - timedelta(hours=20), tick=False):
        assert bookings_sweep_task.delay().get() == {"reminders": 1, "no_shows": 0}
