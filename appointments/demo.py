"""Demo data for appointments, called by `seed_demo` (gosupport/demo):

    from appointments.demo import seed_demo_appointments
    seed_demo_appointments()

Loads the centres of `appointments/fixtures/centres.json` through `import_centres`'s own
service, writes weeks of past visits so the busy hours and the live queue have figures,
and books a couple of upcoming visits for demo citizens through the real booking service.
Idempotent: a second run changes nothing.

Past visits are history, not actions: they are written in bulk, with the statuses and
timestamps the services would have left, because replaying tens of thousands of visits
through the services with a moved clock would take minutes for no more truth."""

import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from gosupport.models import Role, User

from .importing import centres_import
from .models import Booking, BookingStatus, ServiceCentre
from .services import CODE_ALPHABET, CODE_LENGTH, SlotTaken, booking_create
from .slots import first_free_slot, schedule_of

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "centres.json"
HISTORY_WEEKS = 6
# Share of a centre's windows busy by hour of the day: mornings and after work are busiest.
HOURLY_LOAD = {
    8: 0.35,
    9: 0.5,
    10: 0.8,
    11: 0.9,
    12: 0.7,
    13: 0.5,
    14: 0.55,
    15: 0.6,
    16: 0.7,
    17: 0.85,
    18: 0.9,
    19: 0.6,
}
WEEKDAY_LOAD = {0: 1.0, 1: 0.85, 2: 0.8, 3: 0.8, 4: 0.9, 5: 0.75, 6: 0.5}


def seed_demo_appointments(*, now: datetime | None = None, seed: int = 20270301) -> dict[str, int]:
    now = now or timezone.now()
    rng = random.Random(seed)
    centres_import(data=json.loads(FIXTURE.read_text(encoding="utf-8")))
    centres = list(ServiceCentre.objects.filter(slug__in=_fixture_slugs()).prefetch_related("hours", "services"))
    citizens = _demo_citizens()
    _staff_the_centres(centres)
    history = _write_history(centres, citizens, now, rng)
    upcoming = _book_upcoming(centres, citizens, now)
    return {"centres": len(centres), "history": history, "upcoming": upcoming}


def _fixture_slugs() -> list[str]:
    return [centre["slug"] for centre in json.loads(FIXTURE.read_text(encoding="utf-8"))["centres"]]


def _demo_citizens() -> list[User]:
    citizens = list(User.objects.filter(role=Role.CITIZEN, is_active=True).order_by("pk")[:40])
    if citizens:
        return citizens
    visitor, _created = User.objects.get_or_create(
        username="appointments-visitor",
        defaults={"role": Role.CITIZEN, "first_name": "Пётр", "last_name": "Посетителев"},
    )
    return [visitor]


def _staff_the_centres(centres: list[ServiceCentre]) -> None:
    """Every demo operator serves the first Moscow centre, so the desk has something to show."""
    operators = User.objects.filter(role=Role.OPERATOR, is_active=True)
    if centres and operators.exists():
        centres[0].staff.add(*operators)


def _write_history(centres: list[ServiceCentre], citizens: list[User], now: datetime, rng: random.Random) -> int:
    centre_ids = [centre.pk for centre in centres]
    if Booking.objects.filter(centre_id__in=centre_ids, start__lt=now).exists():
        return 0
    rows = [row for centre in centres for row in _centre_history(centre, citizens, now, rng)]
    with transaction.atomic():
        Booking.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _centre_history(centre: ServiceCentre, citizens: list[User], now: datetime, rng: random.Random):
    schedule = schedule_of(centre)
    services = list(centre.services.all())
    if not services:
        return
    tz = ZoneInfo(centre.timezone)
    today = now.astimezone(tz).date()
    for days_back in range(HISTORY_WEEKS * 7, -1, -1):
        opening = schedule.opening(today - timedelta(days=days_back))
        if opening is None:
            continue
        hour = opening[0]
        while hour < opening[1] and hour < now:
            visits = _visits_in_hour(centre, hour, rng)
            for window_no in range(1, visits + 1):
                visit = _past_visit(centre, rng.choice(services), rng.choice(citizens), window_no, hour, now, rng)
                if visit.start < now:
                    yield visit
            hour += timedelta(hours=1)


def _visits_in_hour(centre: ServiceCentre, hour: datetime, rng: random.Random) -> int:
    load = HOURLY_LOAD.get(hour.hour, 0.3) * WEEKDAY_LOAD[hour.weekday()]
    return max(0, min(centre.windows, round(centre.windows * load * rng.uniform(0.6, 1.1))))


def _past_visit(centre, service, citizen, window_no: int, hour: datetime, now: datetime, rng: random.Random) -> Booking:
    start = hour + timedelta(minutes=rng.choice((0, 15, 30)) if service.duration_minutes <= 30 else 0)
    end = start + timedelta(minutes=service.duration_minutes)
    booking = Booking(
        code=_history_code(rng),
        citizen=citizen,
        centre=centre,
        service=service,
        window_no=window_no,
        start=start,
        end=end,
        created_at=start - timedelta(days=rng.randint(1, 14)),
        reminder_24h_at=start - timedelta(hours=24),
        reminder_2h_at=start - timedelta(hours=2),
    )
    if end > now:  # still in the centre today: checked in and waiting
        booking.status, booking.checked_in_at = BookingStatus.CONFIRMED, start - timedelta(minutes=rng.randint(0, 10))
        booking.confirmed_at = booking.checked_in_at
        return booking
    outcome = rng.random()
    if outcome < 0.08:
        booking.status = BookingStatus.NO_SHOW
    elif outcome < 0.13:
        booking.status, booking.cancelled_at = BookingStatus.CANCELLED, start - timedelta(days=1)
    else:
        booking.status = BookingStatus.COMPLETED
        booking.checked_in_at = start - timedelta(minutes=rng.randint(0, 10))
        booking.served_at = min(end + timedelta(minutes=rng.randint(0, 25)), now)
        booking.confirmed_at = booking.checked_in_at
    return booking


def _history_code(rng: random.Random) -> str:
    """Codes of past visits, without a lookup each: the database's unique constraint still
    guards them, and eight characters of 32 make a clash among ~10⁵ rows vanishingly rare."""
    return "".join(rng.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _book_upcoming(centres: list[ServiceCentre], citizens: list[User], now: datetime) -> int:
    """The first demo citizens get a visit each, booked through the real service."""
    booked = 0
    for citizen, centre in zip(citizens[:3], centres, strict=False):
        if Booking.objects.filter(citizen=citizen, start__gt=now + timedelta(days=2)).exists():
            continue
        service = centre.services.first()
        slot = first_free_slot(centre=centre, service=service, now=now + timedelta(days=3))
        if slot is None:
            continue
        try:
            booking_create(citizen=citizen, centre=centre, service=service, start=slot.start, now=now)
        except (SlotTaken, ValidationError):
            continue
        booked += 1
    return booked
