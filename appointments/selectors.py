"""Reads: the centre finder, a centre's card (hours, queue now, busy hours) and bookings
already scoped to what the caller may see.

Centres are few (hundreds), so text filters run in Python with Unicode case folding:
SQLite's LIKE folds ASCII only, and "москва" must find "Москва" on every backend."""

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gosupport.models import User

from .models import ACTIVE_STATUSES, Booking, BookingStatus, Service, ServiceCentre, Weekday
from .slots import CentreSchedule, country_holidays, schedule_of

EARTH_RADIUS_KM = 6371.0088
KM_PER_DEGREE = 111.2
QUEUE_WINDOW = timedelta(hours=3)
BUSY_HOURS_WEEKS = 8


def services_offered() -> QuerySet[Service]:
    return Service.objects.filter(is_active=True)


def centres_active() -> QuerySet[ServiceCentre]:
    return ServiceCentre.objects.filter(is_active=True).prefetch_related(
        "hours", "special_days", Prefetch("services", queryset=services_offered())
    )


def centre_get(centre_id: int) -> ServiceCentre:
    centre = centres_active().filter(pk=centre_id).first()
    if centre is None:
        raise Http404
    return centre


def service_offered_at(centre: ServiceCentre, slug: str) -> Service | None:
    return next((service for service in centre.services.all() if service.slug == slug), None)


# --- the finder


@dataclass(frozen=True)
class CentreMatch:
    centre: ServiceCentre
    distance_km: float | None = None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").split())


def _matches_words(centre: ServiceCentre, q: str) -> bool:
    haystack = _fold(f"{centre.name} {centre.city} {centre.address}")
    return all(word in haystack for word in _fold(q).split())


def _near(centres: QuerySet[ServiceCentre], lat: float, lon: float, radius_km: float) -> QuerySet[ServiceCentre]:
    """A bounding box the database can use; the exact circle is checked afterwards."""
    dlat = radius_km / KM_PER_DEGREE
    dlon = radius_km / (KM_PER_DEGREE * max(math.cos(math.radians(lat)), 0.01))
    return centres.filter(lat__range=(lat - dlat, lat + dlat), lon__range=(lon - dlon, lon + dlon))


def centres_find(
    *,
    service: Service | None = None,
    city: str = "",
    q: str = "",
    lat: float | None = None,
    lon: float | None = None,
    radius_km: float | None = None,
    open_now: bool = False,
    online_booking: bool | None = None,
    now: datetime | None = None,
) -> list[CentreMatch]:
    """Centres matching every filter given; nearest first when a point is given."""
    centres = centres_active()
    if service is not None:
        centres = centres.filter(services=service)
    if online_booking is not None:
        centres = centres.filter(online_booking=online_booking)
    has_point = lat is not None and lon is not None
    if has_point and radius_km is not None:
        centres = _near(centres, lat, lon, radius_km)
    found = [c for c in centres if (not city or _fold(c.city) == _fold(city)) and (not q or _matches_words(c, q))]
    if open_now:
        now = now or timezone.now()
        calendars: dict = {}
        found = [c for c in found if schedule_of(c, calendars=calendars).is_open(now)]
    if not has_point:
        return [CentreMatch(centre) for centre in found]
    matches = [CentreMatch(c, round(distance_km(lat, lon, c.lat, c.lon), 2)) for c in found]
    if radius_km is not None:
        matches = [m for m in matches if m.distance_km <= radius_km]
    return sorted(matches, key=lambda m: (m.distance_km, m.centre.name))


def cities() -> list[str]:
    return sorted(set(ServiceCentre.objects.filter(is_active=True).values_list("city", flat=True)))


def centre_suggestions(*, q: str, limit: int = 8) -> list[str]:
    """Cities and addresses for the finder's autocomplete: cities first, then addresses."""
    if len(_fold(q)) < 2:
        return []
    rows = ServiceCentre.objects.filter(is_active=True).values_list("city", "address")
    found_cities = sorted({city for city, _a in rows if _fold(q) in _fold(city)})
    addresses = sorted({f"{city}, {address}" for city, address in rows if _matches_words_text(f"{city} {address}", q)})
    return [*found_cities, *[a for a in addresses if a not in found_cities]][:limit]


def _matches_words_text(text: str, q: str) -> bool:
    haystack = _fold(text)
    return all(word in haystack for word in _fold(q).split())


# --- a centre's card


@dataclass(frozen=True)
class DayHours:
    day: date
    opens: time | None
    closes: time | None
    note: str
    is_change: bool

    @property
    def is_closed(self) -> bool:
        return self.opens is None


def centre_week_hours(centre: ServiceCentre) -> list[tuple[str, time | None, time | None]]:
    weekly = {row.weekday: row for row in centre.hours.all()}
    return [
        (label, weekly[n].opens if n in weekly else None, weekly[n].closes if n in weekly else None)
        for n, label in Weekday.choices
    ]


def _day_note(schedule: CentreSchedule, special_notes: dict[date, str], day: date) -> str:
    if day in special_notes:
        return special_notes[day] or _("Special hours")
    public = country_holidays(schedule.calendar.country, "ru" if get_language() == "ru" else "en_US")
    if day in public:
        return public.get(day) or _("Public holiday")
    if day in getattr(public, "weekend_workdays", ()):
        return _("Transfer working day")
    return ""


def centre_hours_changes(centre: ServiceCentre, *, today: date, days: int = 21) -> list[DayHours]:
    """Days in the coming weeks when the centre keeps other hours than its usual week."""
    schedule = schedule_of(centre)
    notes = {row.date: row.note for row in centre.special_days.all()}
    changes = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        hours, usual = schedule.hours(day), schedule.weekly.get(day.weekday())
        if hours != usual:
            opens, closes = hours if hours else (None, None)
            changes.append(DayHours(day, opens, closes, _day_note(schedule, notes, day), True))
    return changes


@dataclass(frozen=True)
class QueueNow:
    waiting: int
    average_wait_minutes: int | None


def centre_queue_now(centre: ServiceCentre, *, now: datetime | None = None) -> QueueNow:
    """People checked in and not yet served, and how long the recently served waited: their
    time at the centre (check-in to served) less the service's length, never below zero."""
    now = now or timezone.now()
    tz = ZoneInfo(centre.timezone)
    day_start = datetime.combine(now.astimezone(tz).date(), time.min, tzinfo=tz)
    today = Booking.objects.filter(centre=centre, checked_in_at__gte=day_start, checked_in_at__lte=now)
    waiting = today.filter(status__in=ACTIVE_STATUSES).count()
    served = today.filter(status=BookingStatus.COMPLETED, served_at__gte=now - QUEUE_WINDOW).select_related("service")
    waits = [_wait_minutes(booking) for booking in served]
    return QueueNow(waiting=waiting, average_wait_minutes=round(sum(waits) / len(waits)) if waits else None)


def _wait_minutes(booking: Booking) -> float:
    at_centre = (booking.served_at - booking.checked_in_at).total_seconds() / 60
    return max(0.0, at_centre - booking.service.duration_minutes)


@dataclass(frozen=True)
class BusyHours:
    hours: list[int]
    rows: list[tuple[str, list[tuple[int, float]]]]
    peak: float
    weeks: int


def centre_busy_hours(
    centre: ServiceCentre, *, now: datetime | None = None, weeks: int = BUSY_HOURS_WEEKS
) -> BusyHours:
    """Visits per hour on each weekday, averaged over the past weeks of history."""
    now = now or timezone.now()
    tz = ZoneInfo(centre.timezone)
    history = Booking.objects.filter(
        centre=centre,
        start__gte=now - timedelta(weeks=weeks),
        start__lt=now,
        status__in=(BookingStatus.COMPLETED, BookingStatus.NO_SHOW, *ACTIVE_STATUSES),
    )
    counts = (
        history.annotate(weekday=ExtractIsoWeekDay("start", tzinfo=tz), hour=ExtractHour("start", tzinfo=tz))
        .values("weekday", "hour")
        .annotate(visits=Count("id"))
    )
    per_slot = {(row["weekday"], row["hour"]): row["visits"] / weeks for row in counts}
    return _busy_table(centre, per_slot, weeks)


def _busy_table(centre: ServiceCentre, per_slot: dict[tuple[int, int], float], weeks: int) -> BusyHours:
    open_hours = [h for row in centre.hours.all() for h in range(row.opens.hour, _last_hour(row.closes))]
    hours = list(range(min(open_hours), max(open_hours) + 1)) if open_hours else []
    rows = [
        (label, [(hour, round(per_slot.get((n + 1, hour), 0.0), 1)) for hour in hours])
        for n, label in Weekday.choices
        if any(row.weekday == n for row in centre.hours.all())
    ]
    peak = max(per_slot.values(), default=0.0)
    return BusyHours(hours=hours, rows=rows, peak=round(peak, 1), weeks=weeks)


def _last_hour(closes: time) -> int:
    return closes.hour + (1 if closes.minute else 0)


# --- bookings


def bookings_visible_to(user: User) -> QuerySet[Booking]:
    """Citizens see their own bookings; operators those at their centres; supervisors all."""
    bookings = Booking.objects.select_related("centre", "service", "citizen")
    if not user.is_authenticated or not user.is_active:
        return bookings.none()
    if user.is_supervisor:
        return bookings
    if user.is_operator:
        return bookings.filter(centre__staff=user)
    return bookings.filter(citizen=user)


def bookings_of_citizen(user: User) -> QuerySet[Booking]:
    """The caller's own bookings ("My bookings"), whatever their role."""
    if not user.is_authenticated:
        return Booking.objects.none()
    return Booking.objects.select_related("centre", "service").filter(citizen=user)


def access_booking(user: User, code: str) -> Booking:
    """The booking with that code if the user may see it, else 404 (never leak existence)."""
    booking = bookings_visible_to(user).filter(code=str(code).strip().upper()).first()
    if booking is None:
        raise Http404
    return booking


def access_own_booking(user: User, code: str) -> Booking:
    """The caller's own booking with that code, else 404: staff cannot act as the citizen."""
    booking = bookings_of_citizen(user).filter(code=str(code).strip().upper()).first()
    if booking is None:
        raise Http404
    return booking


def booking_history(booking: Booking) -> QuerySet:
    return booking.events.select_related("actor").order_by("at", "id")


def code_from_scan(text: str) -> str:
    """A booking code typed in, or read from the QR code (the check-in address with ?code=)."""
    text = (text or "").strip()
    if "code=" in text:
        text = text.split("code=", 1)[1].split("&", 1)[0]
    return text.strip().upper()


def centres_served_by(user: User) -> QuerySet[ServiceCentre]:
    if not user.is_authenticated:
        return ServiceCentre.objects.none()
    if user.is_supervisor:
        return ServiceCentre.objects.all()
    return ServiceCentre.objects.filter(staff=user) if user.is_operator else ServiceCentre.objects.none()


def centre_today_visits(centre: ServiceCentre, *, now: datetime | None = None) -> QuerySet[Booking]:
    now = now or timezone.now()
    tz = ZoneInfo(centre.timezone)
    day_start = datetime.combine(now.astimezone(tz).date(), time.min, tzinfo=tz)
    day = Q(start__gte=day_start, start__lt=day_start + timedelta(days=1))
    return Booking.objects.filter(day, centre=centre).select_related("service", "citizen").order_by("start")
