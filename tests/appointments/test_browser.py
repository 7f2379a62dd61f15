"""In Debian's Chromium: a citizen finds a centre, books a visit, moves it and cancels it;
the finder and booking pages have no serious axe-core violations."""

from datetime import time, timedelta

import pytest
from django.utils import timezone

from appointments.models import Booking, BookingEventKind, BookingStatus
from appointments.slots import free_slots, local_today
from tests.appointments.factories import ServiceCentreFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


EVERY_DAY = {day: (time(8), time(20)) for day in range(7)}


def _bookable_days(centre, service, count: int):
    """Days at least two days ahead (clear of the 24-hour rule) with free times."""
    now = timezone.now()
    day = local_today(centre, now) + timedelta(days=2)
    found = []
    while len(found) < count:
        if free_slots(centre=centre, service=service, day=day, now=now):
            found.append(day)
        day += timedelta(days=1)
    return found


def test_citizen_books_moves_and_cancels_a_visit(
    live_server, browser_page, sign_in, serious_a11y_violations, citizen_a, passport, settings
):
    settings.APPOINTMENTS_MAP_TILE_URL = f"{live_server.url}/static/no-tiles/{{z}}/{{x}}/{{y}}.png"
    centre = ServiceCentreFactory(
        slug="browser", name="МФЦ Браузерный", windows=3, hours=EVERY_DAY, services=[passport]
    )
    first_day, second_day = _bookable_days(centre, passport, 2)
    page = browser_page
    sign_in(page, live_server, "alice@example.ru", "correct-horse-42")

    page.goto(f"{live_server.url}/appointments/?city=Москва")
    page.wait_for_selector(".leaflet-marker-icon")
    assert serious_a11y_violations(page) == []
    page.click("text=МФЦ Браузерный")
    page.wait_for_selector("#queue-heading")

    page.goto(f"{live_server.url}/appointments/centres/{centre.pk}/book/?service=passport&date={first_day:%Y-%m-%d}")
    assert serious_a11y_violations(page) == []
    page.check("#booking-form input[name=start]:not([disabled]) >> nth=0")
    page.fill("textarea[name=comment]", "Замена паспорта в 45 лет")
    page.click("#booking-form button[type=submit]")
    page.wait_for_selector("#booking-code")
    code = page.text_content("#booking-code").strip()
    booking = Booking.objects.get(code=code)
    assert booking.citizen == citizen_a and booking.start.astimezone(centre_tz(centre)).date() == first_day
    assert serious_a11y_violations(page) == []

    page.click("a[href$='/reschedule/']")
    page.click(f"a[href*='date={second_day:%Y-%m-%d}']")
    page.check("#reschedule-form input[name=start]:not([disabled]) >> nth=0")
    page.click("#reschedule-form button[type=submit]")
    page.wait_for_selector("#booking-code")
    booking.refresh_from_db()
    assert booking.start.astimezone(centre_tz(centre)).date() == second_day
    assert booking.events.filter(kind=BookingEventKind.RESCHEDULED).count() == 1

    page.click(f"form[action$='/my/{code}/cancel/'] button")
    page.wait_for_selector("#booking-status")
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert page.locator(f"form[action$='/my/{code}/cancel/']").count() == 0


def test_without_javascript_the_finder_is_a_list_and_booking_works(
    live_server, no_script_page, sign_in, citizen_a, passport
):
    centre = ServiceCentreFactory(slug="plain", name="МФЦ Без скриптов", hours=EVERY_DAY, services=[passport])
    (day,) = _bookable_days(centre, passport, 1)
    page = no_script_page
    sign_in(page, live_server, "alice@example.ru", "correct-horse-42")

    page.goto(f"{live_server.url}/appointments/")
    assert page.locator(".centre-list h3 >> text=МФЦ Без скриптов").count() == 1
    assert not page.locator("[data-map-section]").is_visible()

    page.goto(f"{live_server.url}/appointments/centres/{centre.pk}/book/?service=passport&date={day:%Y-%m-%d}")
    page.check("#booking-form input[name=start]:not([disabled]) >> nth=0")
    page.click("#booking-form button[type=submit]")
    page.wait_for_selector("#booking-code")
    assert Booking.objects.filter(citizen=citizen_a, centre=centre).count() == 1


def centre_tz(centre):
    from zoneinfo import ZoneInfo

    return ZoneInfo(centre.timezone)
