"""The appointments REST API: the contract of API.md, permissions (404 for others' data),
bad input for every endpoint (400, nothing stored), 409 for a taken slot and the 24 h rule."""

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


# --- services and centres (public)


def test_services_list_is_public(api_client, passport, snils):
    response = api_client.get("/api/v1/services/")

    assert response.status_code == 200
    by_slug = {s["slug"]: s for s in response.json()}
    assert by_slug["passport"]["duration_minutes"] == 30
    assert set(by_slug["passport"]) >= {"id", "slug", "title", "duration_minutes"}


def test_centres_filter_by_service_city_and_words(api_client, centre, passport, snils, frozen):
    ServiceCentreFactory(slug="spb", city="Санкт-Петербург", address="Невский проспект, 1", services=[snils])

    by_service = api_client.get("/api/v1/centres/", {"service": "passport"}).json()
    by_city = api_client.get("/api/v1/centres/", {"city": "санкт-петербург"}).json()
    by_words = api_client.get("/api/v1/centres/", {"q": "невский"}).json()

    assert [c["slug"] for c in by_service] == ["tverskaya"]
    assert [c["slug"] for c in by_city] == ["spb"]
    assert [c["slug"] for c in by_words] == ["spb"]
    assert by_service[0]["hours"]["mon"] == ["09:00", "18:00"] and by_service[0]["hours"]["sun"] is None
    assert by_service[0]["distance_km"] is None


def test_centres_nearest_first_within_radius(api_client, passport, frozen):
    ServiceCentreFactory(slug="near", lat=55.7600, lon=37.6200, services=[passport])
    ServiceCentreFactory(slug="further", lat=55.8000, lon=37.6200, services=[passport])
    ServiceCentreFactory(slug="far", lat=59.9390, lon=30.3150, services=[passport])

    found = api_client.get("/api/v1/centres/", {"lat": 55.7558, "lon": 37.6173, "radius_km": 10}).json()

    assert [c["slug"] for c in found] == ["near", "further"]
    assert 0 < found[0]["distance_km"] < found[1]["distance_km"] <= 10


def test_centres_open_now_and_online_booking(api_client, passport, frozen):
    ServiceCentreFactory(slug="open", services=[passport])
    ServiceCentreFactory(slug="late", hours={0: (msk(2027, 1, 1, 12).time(), msk(2027, 1, 1, 20).time())})
    ServiceCentreFactory(slug="walk-in", online_booking=False)

    with_frozen_at_ten = api_client.get("/api/v1/centres/", {"open_now": "true"})
    online = api_client.get("/api/v1/centres/", {"online_booking": "true"}).json()

    assert with_frozen_at_ten.status_code == 200
    assert [c["slug"] for c in with_frozen_at_ten.json()] == []  # 08:00 on Monday: nobody is open yet
    assert "walk-in" not in [c["slug"] for c in online]


@pytest.mark.parametrize(
    "params",
    [
        {"service": "no-such-service"},
        {"lat": 55.7},
        {"radius_km": 5},
        {"lat": 95, "lon": 37},
        {"lat": "north", "lon": 37},
        {"open_now": "maybe"},
    ],
)
def test_centres_bad_filters_answer_400(api_client, centre, params):
    response = api_client.get("/api/v1/centres/", params)

    assert response.status_code == 400
    assert set(response.json()) & {"service", "lat", "lon", "radius_km", "open_now"}


def test_centre_card_has_queue_and_busy_hours(api_client, centre, frozen):
    response = api_client.get(f"/api/v1/centres/{centre.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["queue"] == {"waiting": 0, "average_wait_minutes": None}
    assert body["busy_hours"]["hours"][0] == 9
    assert any(change["date"] == "2027-03-08" and change["opens"] is None for change in body["hours_changes"])


def test_unknown_or_inactive_centre_is_404(api_client, centre, passport):
    hidden = ServiceCentreFactory(is_active=False, services=[passport])

    assert api_client.get("/api/v1/centres/999999/").status_code == 404
    assert api_client.get(f"/api/v1/centres/{hidden.pk}/").status_code == 404
    assert (
        api_client.get(f"/api/v1/centres/{hidden.pk}/slots/", {"service": "passport", "date": "2027-03-02"}).status_code
        == 404
    )


def test_slots_of_a_day(api_client, centre, booking, frozen):
    response = api_client.get(f"/api/v1/centres/{centre.pk}/slots/", {"service": "passport", "date": "2027-03-02"})

    assert response.status_code == 200
    slots = response.json()
    assert len(slots) == 18
    assert slots[2] == {"start": "2027-03-02T10:00:00+03:00", "end": "2027-03-02T10:30:00+03:00", "free": 1}


@pytest.mark.parametrize(
    "params",
    [
        {"date": "2027-03-02"},
        {"service": "passport"},
        {"service": "passport", "date": "02.03.2027"},
        {"service": "passport", "date": "2027-02-28"},
        {"service": "passport", "date": "2028-01-01"},
        {"service": "driving-licence", "date": "2027-03-02"},
    ],
)
def test_slots_bad_input_answers_400(api_client, centre, frozen, params):
    response = api_client.get(f"/api/v1/centres/{centre.pk}/slots/", params)

    assert response.status_code == 400
    assert set(response.json()) & {"service", "date"}


def test_first_available_slot(api_client, centre, frozen):
    response = api_client.get(f"/api/v1/centres/{centre.pk}/first-available/", {"service": "snils"})

    assert response.status_code == 200
    assert response.json()["slot"]["start"] == "2027-03-01T09:00:00+03:00"
    assert api_client.get(f"/api/v1/centres/{centre.pk}/first-available/").status_code == 400


def test_address_suggestions(api_client, centre):
    response = api_client.get("/api/v1/centres/suggest/", {"q": "твер"})

    assert response.status_code == 200
    assert response.json()["suggestions"][0].startswith("Москва, ул. Тверская")
    assert api_client.get("/api/v1/centres/suggest/", {"q": "т"}).status_code == 400


# --- bookings


def test_citizen_books_through_the_api(client_for, citizen_a, centre, frozen):
    payload = {"centre": centre.pk, "service": "passport", "start": "2027-03-02T10:00:00+03:00", "comment": "Замена"}

    response = client_for(citizen_a).post("/api/v1/bookings/", payload, format="json")

    assert response.status_code == 201
    body = response.json()
    assert set(body) >= {"code", "status", "start", "end", "centre", "service", "qr_url"}
    assert (body["status"], body["centre"], body["service"]) == ("awaiting_confirmation", centre.pk, "passport")
    assert body["end"] == "2027-03-02T10:30:00+03:00"
    assert body["qr_url"].startswith("http://testserver/api/v1/bookings/")
    qr = client_for(citizen_a).get(body["qr_url"])
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    ics = client_for(citizen_a).get(body["ics_url"])
    assert ics.status_code == 200 and b"DTSTART:20270302T070000Z" in ics.content


def test_the_second_citizen_for_the_last_window_gets_409_with_alternatives(
    client_for, citizen_a, citizen_b, one_window_centre, frozen
):
    payload = {"centre": one_window_centre.pk, "service": "passport", "start": "2027-03-02T10:00:00+03:00"}
    assert client_for(citizen_a).post("/api/v1/bookings/", payload, format="json").status_code == 201

    response = client_for(citizen_b).post("/api/v1/bookings/", payload, format="json")

    assert response.status_code == 409
    assert response.json()["detail"]
    assert len(response.json()["alternatives"]) == 3
    assert Booking.objects.count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"centre": None}, "centre"),
        ({"centre": "x", "service": "passport", "start": "2027-03-02T10:00:00+03:00"}, "centre"),
        ({"centre": 999999, "service": "passport", "start": "2027-03-02T10:00:00+03:00"}, "centre"),
        ({"service": "driving-licence", "start": "2027-03-02T10:00:00+03:00"}, "service"),
        ({"service": "passport", "start": "2027-03-02T10:00:00"}, "start"),
        ({"service": "passport", "start": "tomorrow"}, "start"),
        ({"service": "passport", "start": "2027-03-02T10:05:00+03:00"}, "start"),
        ({"service": "passport", "start": "2027-02-26T10:00:00+03:00"}, "start"),
        ({"service": "passport", "start": "2027-03-02T10:00:00+03:00", "comment": "x" * 501}, "comment"),
    ],
)
def test_bad_booking_input_answers_400_and_stores_nothing(client_for, citizen_a, centre, frozen, payload, field):
    payload = {"centre": centre.pk, **payload}

    response = client_for(citizen_a).post("/api/v1/bookings/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert Booking.objects.count() == 0


def test_anonymous_cannot_book_and_staff_get_403(api_client, client_for, operator_of_queue, centre, frozen):
    payload = {"centre": centre.pk, "service": "passport", "start": "2027-03-02T10:00:00+03:00"}

    assert api_client.post("/api/v1/bookings/", payload, format="json").status_code == 401
    assert client_for(operator_of_queue).post("/api/v1/bookings/", payload, format="json").status_code == 403
    assert Booking.objects.count() == 0


def test_citizen_lists_only_own_bookings(client_for, citizen_a, citizen_b, booking):
    mine = client_for(citizen_a).get("/api/v1/bookings/").json()
    theirs = client_for(citizen_b).get("/api/v1/bookings/").json()

    assert [b["code"] for b in mine] == [booking.code]
    assert theirs == []


def test_citizen_cannot_see_or_change_another_citizens_booking(client_for, citizen_b, booking, frozen):
    other = client_for(citizen_b)
    base = f"/api/v1/bookings/{booking.code}"

    assert other.get(f"{base}/").status_code == 404
    assert other.get(f"{base}/qr/").status_code == 404
    assert other.get(f"{base}/ics/").status_code == 404
    assert other.post(f"{base}/confirm/").status_code == 404
    assert other.post(f"{base}/cancel/").status_code == 404
    assert other.post(f"{base}/reschedule/", {"start": "2027-03-03T10:00:00+03:00"}, format="json").status_code == 404
    booking.refresh_from_db()
    assert (booking.status, booking.start) == (BookingStatus.AWAITING_CONFIRMATION, TUESDAY_10)


def test_confirm_then_detail_shows_history(client_for, citizen_a, booking, frozen):
    client = client_for(citizen_a)

    assert client.post(f"/api/v1/bookings/{booking.code}/confirm/").json()["status"] == "confirmed"
    detail = client.get(f"/api/v1/bookings/{booking.code}/").json()
    assert [e["kind"] for e in detail["events"]] == ["created", "confirmed"]


def test_reschedule_through_the_api(client_for, citizen_a, booking, frozen):
    client = client_for(citizen_a)

    response = client.post(
        f"/api/v1/bookings/{booking.code}/reschedule/", {"start": "2027-03-03T14:00:00+03:00"}, format="json"
    )

    assert response.status_code == 200
    assert response.json()["start"] == "2027-03-03T14:00:00+03:00"
    bad = client.post(f"/api/v1/bookings/{booking.code}/reschedule/", {"start": "soon"}, format="json")
    assert bad.status_code == 400 and "start" in bad.json()
    missing = client.post(f"/api/v1/bookings/{booking.code}/reschedule/", {}, format="json")
    assert missing.status_code == 400


def test_cancel_within_24_hours_answers_409(client_for, citizen_a, booking):
    import time_machine

    with time_machine.travel(TUESDAY_10 - timedelta(hours=5), tick=False):
        response = client_for(citizen_a).post(f"/api/v1/bookings/{booking.code}/cancel/")

    assert response.status_code == 409
    assert "24" in response.json()["detail"]
    booking.refresh_from_db()
    assert booking.status == BookingStatus.AWAITING_CONFIRMATION


def test_cancel_in_time_answers_200_and_a_second_cancel_409(client_for, citizen_a, booking, frozen):
    client = client_for(citizen_a)

    assert client.post(f"/api/v1/bookings/{booking.code}/cancel/").json()["status"] == "cancelled"
    assert client.post(f"/api/v1/bookings/{booking.code}/cancel/").status_code == 409
    assert (
        client.post(f"/api/v1/bookings/{booking.code}/cancel/", {"reason": "x" * 501}, format="json").status_code == 400
    )


def test_staff_check_in_and_serve_through_the_api(client_for, citizen_a, centre_operator, operator_of_queue, booking):
    import time_machine

    with time_machine.travel(TUESDAY_10, tick=False):
        assert client_for(citizen_a).post(f"/api/v1/bookings/{booking.code}/check-in/").status_code == 403
        assert client_for(operator_of_queue).post(f"/api/v1/bookings/{booking.code}/check-in/").status_code == 404
        staff = client_for(centre_operator)
        assert staff.post(f"/api/v1/bookings/{booking.code}/served/").status_code == 409
        assert staff.post(f"/api/v1/bookings/{booking.code}/check-in/").status_code == 200
        assert staff.post(f"/api/v1/bookings/{booking.code}/served/").json()["status"] == "completed"


def test_english_errors_on_request(client_for, citizen_a, centre, frozen):
    payload = {"centre": centre.pk, "service": "passport", "start": "2027-03-02T10:05:00+03:00"}

    response = client_for(citizen_a).post("/api/v1/bookings/", payload, format="json", HTTP_ACCEPT_LANGUAGE="en")

    assert "offered times" in response.json()["start"][0]


def test_openapi_schema_describes_appointments(api_client):
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/json").json()

    for path in (
        "/api/v1/services/",
        "/api/v1/centres/",
        "/api/v1/centres/{id}/slots/",
        "/api/v1/bookings/",
        "/api/v1/bookings/{code}/cancel/",
        "/api/v1/bookings/{code}/reschedule/",
    ):
        assert path in schema["paths"], path
    assert "409" in schema["paths"]["/api/v1/bookings/"]["post"]["responses"]


def test_centre_list_query_count_does_not_grow_with_centres(
    api_client, passport, frozen, django_assert_max_num_queries
):
    for n in range(12):
        ServiceCentreFactory(slug=f"many-{n}", services=[passport])

    with django_assert_max_num_queries(8):
        response = api_client.get("/api/v1/centres/", {"lat": 55.75, "lon": 37.61})
    with django_assert_max_num_queries(8):
        api_client.get("/api/v1/centres/", {"open_now": "true"})

    assert len(response.json()) == 12
