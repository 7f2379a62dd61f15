"""Supervisors edit centres in the admin; bookings there are read-only and change only
through actions that call the booking services."""

from appointments import services
from appointments.models import BookingEventKind, BookingStatus
from tests.appointments.conftest import msk

TUESDAY_10 = msk(2027, 3, 2, 10, 0)


def test_supervisor_opens_centres_services_and_bookings(client, supervisor, centre, citizen_a, passport, now):
    booking = services.booking_create(citizen=citizen_a, centre=centre, service=passport, start=TUESDAY_10, now=now)
    client.force_login(supervisor)

    for url in (
        "/admin/appointments/servicecentre/",
        f"/admin/appointments/servicecentre/{centre.pk}/change/",
        "/admin/appointments/service/",
        "/admin/appointments/booking/",
        f"/admin/appointments/booking/{booking.pk}/change/",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/appointments/booking/add/").status_code == 403


def test_admin_cancel_action_goes_through_the_service(client, supervisor, centre, citizen_a, passport, now):
    booking = services.booking_create(citizen=citizen_a, centre=centre, service=passport, start=TUESDAY_10, now=now)
    client.force_login(supervisor)

    client.post(
        "/admin/appointments/booking/",
        {"action": "cancel_bookings", "_selected_action": [booking.pk]},
    )

    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.events.get(kind=BookingEventKind.CANCELLED).actor == supervisor


def test_operators_cannot_open_the_appointments_admin(client, operator_of_queue):
    client.force_login(operator_of_queue)

    assert client.get("/admin/appointments/booking/").status_code in (302, 403)
