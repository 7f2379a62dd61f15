"""The appointment pages through the Django test client: finder, card, booking, My bookings,
moving and cancelling, the staff desk; permissions (404 for others' bookings) and bad input."""

from datetime import timedelta

import pytest

from appointments import services
from appointments.models import Booking, BookingStatus
from tests.appointments.conftest import msk
from tests.appointments.factories import ServiceCentreFactory

TUESDAY_10 = msk(2027, 3, 2, 10, 0)


@pytest.fixture
def booking(citizen_a, centre, passport, now):
    return services.booking_create(citizen=citizen_a, centre=centre, service=passport, start=TUESDAY_10, now=now)


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def test_finder_lists_centres_without_javascript(client, centre, frozen):
    ServiceCentreFactory(slug="spb", name="МФЦ Невский", city="Санкт-Петербург")

    response = client.get("/appointments/")

    assert response.status_code == 200
    body = response.content.decode()
    assert centre.name in body and "МФЦ Невский" in body
    assert 'id="centre-points"' in body  # the map's data; the list works without it


def test_finder_filters_by_city_and_service(client, centre, snils, frozen):
    ServiceCentreFactory(slug="spb", name="МФЦ Невский", city="Санкт-Петербург")

    body = client.get("/appointments/", {"city": "Санкт-Петербург"}).content.decode()
    by_service = client.get("/appointments/", {"service": "snils"}).content.decode()

    assert "МФЦ Невский" in body and centre.name not in body
    assert centre.name in by_service and "МФЦ Невский" not in by_service


def test_finder_bad_input_answers_400(client, centre):
    assert client.get("/appointments/", {"lat": "north"}).status_code == 400
    assert client.get("/appointments/", {"service": "no-such"}).status_code == 400


def test_finder_allows_the_configured_tile_server_only(client, centre, settings):
    settings.APPOINTMENTS_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    with_map = client.get("/appointments/")
    settings.APPOINTMENTS_MAP_TILE_URL = ""
    without_map = client.get("/appointments/")

    assert "https://tiles.example.org" in with_map["Content-Security-Policy"]
    assert "tiles.example.org" not in without_map["Content-Security-Policy"]
    assert 'id="centres-map"' not in without_map.content.decode()
    assert centre.name in without_map.content.decode()


def test_centre_card_shows_hours_holidays_and_queue(client, centre, frozen):
    response = client.get(f"/appointments/centres/{centre.pk}/")

    assert response.status_code == 200
    body = response.content.decode()
    assert centre.address in body
    assert "Международный женский день" in body  # 8 March, a change of the usual hours
    assert client.get("/appointments/centres/999999/").status_code == 404


def test_booking_page_needs_sign_in(client, centre):
    response = client.get(f"/appointments/centres/{centre.pk}/book/")

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_citizen_books_through_the_page(signed_in, citizen_a, centre, frozen):
    client = signed_in(citizen_a)
    page = client.get(f"/appointments/centres/{centre.pk}/book/", {"service": "passport", "date": "2027-03-02"})
    assert page.status_code == 200
    assert "2027-03-02T10:00:00+03:00" in page.content.decode()

    response = client.post(
        f"/appointments/centres/{centre.pk}/book/",
        {"service": "passport", "start": "2027-03-02T10:00:00+03:00", "comment": "Паспорт"},
    )

    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/appointments/my/{booking.code}/"
    detail = client.get(response["Location"]).content.decode()
    assert booking.code in detail


def test_first_available_preselects_the_earliest_time(signed_in, citizen_a, centre, frozen):
    page = signed_in(citizen_a).get(f"/appointments/centres/{centre.pk}/book/", {"service": "snils", "first": "1"})

    assert 'value="2027-03-01T09:00:00+03:00" checked' in page.content.decode()


def test_booking_page_bad_input_stores_nothing(signed_in, citizen_a, centre, frozen):
    client = signed_in(citizen_a)
    url = f"/appointments/centres/{centre.pk}/book/"

    assert client.post(url, {"service": "passport"}).status_code == 400
    assert client.post(url, {"service": "passport", "start": "soon"}).status_code == 400
    assert client.post(url, {"service": "passport", "start": "2027-03-02T10:05:00+03:00"}).status_code == 400
    assert client.post(url, {"service": "nope", "start": "2027-03-02T10:00:00+03:00"}).status_code == 404
    assert Booking.objects.count() == 0


def test_taken_time_on_the_page_offers_alternatives(
    signed_in, citizen_a, citizen_b, one_window_centre, passport, now, frozen
):
    services.booking_create(citizen=citizen_b, centre=one_window_centre, service=passport, start=TUESDAY_10, now=now)

    response = signed_in(citizen_a).post(
        f"/appointments/centres/{one_window_centre.pk}/book/",
        {"service": "passport", "start": "2027-03-02T10:00:00+03:00"},
    )

    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="alt-1"' in body
    assert Booking.objects.filter(citizen=citizen_a).count() == 0


def test_my_bookings_lists_only_own(signed_in, citizen_a, citizen_b, booking, frozen):
    assert booking.code in signed_in(citizen_a).get("/appointments/my/").content.decode()
    assert booking.code not in signed_in(citizen_b).get("/appointments/my/").content.decode()


def test_citizen_cannot_open_or_change_another_citizens_booking(signed_in, citizen_b, booking, frozen):
    client = signed_in(citizen_b)
    base = f"/appointments/my/{booking.code}"

    assert client.get(f"{base}/").status_code == 404
    assert client.get(f"{base}/qr.svg").status_code == 404
    assert client.get(f"{base}/visit.ics").status_code == 404
    assert client.get(f"{base}/reschedule/").status_code == 404
    assert client.post(f"{base}/cancel/").status_code == 404
    assert client.post(f"{base}/confirm/").status_code == 404
    assert client.post(f"{base}/reschedule/", {"start": "2027-03-03T10:00:00+03:00"}).status_code == 404
    booking.refresh_from_db()
    assert (booking.status, booking.start) == (BookingStatus.AWAITING_CONFIRMATION, TUESDAY_10)


def test_confirm_reschedule_and_cancel_on_the_pages(signed_in, citizen_a, booking, frozen):
    client = signed_in(citizen_a)
    base = f"/appointments/my/{booking.code}"

    client.post(f"{base}/confirm/")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert client.get(f"{base}/reschedule/", {"date": "2027-03-03"}).status_code == 200
    assert client.post(f"{base}/reschedule/", {"start": "nonsense"}).status_code == 400
    assert client.post(f"{base}/reschedule/", {"start": "2027-03-03T14:00:00+03:00"}).status_code == 302
    booking.refresh_from_db()
    assert booking.start == msk(2027, 3, 3, 14)
    client.post(f"{base}/cancel/")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED


def test_cancel_within_24_hours_is_refused_on_the_page(signed_in, citizen_a, booking):
    import time_machine

    with time_machine.travel(TUESDAY_10 - timedelta(hours=3), tick=False):
        response = signed_in(citizen_a).post(f"/appointments/my/{booking.code}/cancel/", follow=True)

    assert "24" in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_CONFIRMATION


def test_qr_and_calendar_file(signed_in, citizen_a, booking):
    client = signed_in(citizen_a)

    qr = client.get(f"/appointments/my/{booking.code}/qr.svg")
    ics = client.get(f"/appointments/my/{booking.code}/visit.ics")

    assert qr["Content-Type"] == "image/svg+xml" and qr.content.startswith(b"<svg")
    text = ics.content.decode()
    assert "BEGIN:VEVENT" in text and f"UID:{booking.code}@" in text and "DTSTART:20270302T070000Z" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))


def test_staff_desk_checks_in_by_code_or_scanned_qr(signed_in, centre_operator, booking):
    import time_machine

    with time_machine.travel(TUESDAY_10 - timedelta(minutes=5), tick=False):
        client = signed_in(centre_operator)
        scanned = f"http://127.0.0.1:8000/appointments/staff/?code={booking.code}"
        found = client.get("/appointments/staff/", {"code": scanned})
        assert booking.code in found.content.decode()
        client.post(f"/appointments/staff/{booking.code}/check-in/")
        client.post(f"/appointments/staff/{booking.code}/served/")

    booking.refresh_from_db()
    assert booking.status == BookingStatus.COMPLETED


def test_staff_desk_is_for_staff_and_their_centres(signed_in, citizen_a, operator_of_queue, booking, frozen):
    citizen, status_before = signed_in(citizen_a), booking.status
    assert citizen.get("/appointments/staff/").status_code == 404
    for action in ("check-in", "served", "no-show"):
        assert citizen.post(f"/appointments/staff/{booking.code}/{action}/").status_code == 404
    booking.refresh_from_db()
    assert booking.status == status_before and not booking.events.exclude(kind="created").exists()
    other = signed_in(operator_of_queue)
    found = other.get("/appointments/staff/", {"code": booking.code})
    assert found.context["booking"] is None and found.context["form"].errors
    assert other.post(f"/appointments/staff/{booking.code}/check-in/").status_code == 404
