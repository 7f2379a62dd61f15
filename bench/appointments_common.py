"""Shared set-up of the appointments benchmarks: Django on the benchmark database, a
ten-window centre and its services. Never run by pytest."""

import os
import sys
from datetime import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB_HINT = "postgres://postgres@127.0.0.1:5432/gs_appt_bench"


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gosupport.settings")
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    os.environ.setdefault("EMAIL_URL", "dummymail://")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if "bench" not in os.environ.get("DATABASE_URL", ""):
        sys.exit(f"Set DATABASE_URL to a benchmark database, e.g. {BENCH_DB_HINT}")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def bench_centre(windows: int = 10):
    """A centre open 08:00–20:00 Monday to Saturday with services of 15 and 30 minutes."""
    from appointments.models import Service, ServiceCentre, WeeklyHours

    short, _ = Service.objects.get_or_create(slug="bench-15", defaults={"title": "Bench 15", "duration_minutes": 15})
    long, _ = Service.objects.get_or_create(slug="bench-30", defaults={"title": "Bench 30", "duration_minutes": 30})
    centre, _ = ServiceCentre.objects.update_or_create(
        slug=f"bench-{windows}-windows",
        defaults={
            "name": f"Bench centre, {windows} windows",
            "city": "Bench",
            "address": "1 Bench St",
            "lat": 55.75,
            "lon": 37.62,
            "windows": windows,
            "online_booking": True,
        },
    )
    centre.services.set([short, long])
    centre.hours.all().delete()
    WeeklyHours.objects.bulk_create(
        WeeklyHours(centre=centre, weekday=day, opens=time(8), closes=time(20)) for day in range(6)
    )
    return centre, short, long


def bench_citizens(count: int):
    from gosupport.models import Role, User

    existing = {u.username: u for u in User.objects.filter(username__startswith="bench-citizen-")}
    missing = [
        User(username=f"bench-citizen-{n}", email=f"bench-citizen-{n}@example.ru", role=Role.CITIZEN)
        for n in range(count)
        if f"bench-citizen-{n}" not in existing
    ]
    User.objects.bulk_create(missing)
    return list(User.objects.filter(username__startswith="bench-citizen-").order_by("pk")[:count])


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]
