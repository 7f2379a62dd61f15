"""Free slots for a month at a ten-window centre (target p95 < 30 ms).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gs_appt_bench \\
        .venv/bin/python bench/appointments_slots.py [--runs 200] [--occupancy 0.6]

Fills the next 31 days of the centre to `--occupancy` with active bookings, then times
what the booking page's calendar does: load the centre, compute every slot of 31 days for
a 15-minute service (one bookings query, pure arithmetic after). Prints p50/p95/max.
"""

import argparse
import os
import random
import time
from datetime import datetime

from appointments_common import bench_centre, bench_citizens, percentile, setup_django

DAYS = 31


def fill(centre, service, citizens, occupancy: float, rng: random.Random) -> int:
    from django.utils import timezone

    from appointments.models import Booking, BookingStatus
    from appointments.services import booking_code_generate
    from appointments.slots import free_slots_by_day, local_today

    Booking.objects.filter(centre=centre).delete()
    now = timezone.now()
    by_day = free_slots_by_day(centre=centre, service=service, first_day=local_today(centre, now), days=DAYS, now=now)
    rows = [
        Booking(
            code=booking_code_generate(),
            citizen=rng.choice(citizens),
            centre=centre,
            service=service,
            window_no=window,
            start=slot.start,
            end=slot.end,
            status=BookingStatus.CONFIRMED,
            created_at=now,
        )
        for slots in by_day.values()
        for slot in slots
        for window in range(1, centre.windows + 1)
        if rng.random() < occupancy
    ]
    Booking.objects.bulk_create(rows, batch_size=5000)
    _analyze()
    return len(rows)


def _analyze() -> None:
    """Fresh planner statistics, as autovacuum would leave them after a bulk load."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE appointments_booking")


def one_month(centre_id: int, service_slug: str) -> tuple[float, float, int]:
    from django.utils import timezone

    from appointments.selectors import centres_active, service_offered_at
    from appointments.slots import free_slots_by_day, local_today

    started, cpu_started = time.perf_counter(), time.process_time()
    centre = centres_active().get(pk=centre_id)
    service = service_offered_at(centre, service_slug)
    now = timezone.now()
    by_day = free_slots_by_day(centre=centre, service=service, first_day=local_today(centre, now), days=DAYS, now=now)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return elapsed, cpu, sum(len(slots) for slots in by_day.values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--occupancy", type=float, default=0.6)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    rng = random.Random(7)
    centre, short, _long = bench_centre(windows=10)
    booked = fill(centre, short, bench_citizens(200), args.occupancy, rng)
    print(f"{connection.vendor}: centre with {centre.windows} windows, {booked:,} active bookings over {DAYS} days")
    for _ in range(10):  # warm-up: connections, caches of the holiday calendar
        one_month(centre.pk, short.slug)
    timings, cpu_timings, slots = [], [], 0
    for _ in range(args.runs):
        elapsed, cpu, slots = one_month(centre.pk, short.slug)
        timings.append(elapsed * 1000)
        cpu_timings.append(cpu * 1000)
    print(
        f"{args.runs} runs of a month of {slots:,} slots ({short.duration_minutes}-minute service) at {datetime.now():%Y-%m-%d %H:%M}"
    )
    print(
        f"wall: p50 {percentile(timings, 0.5):.1f} ms, p95 {percentile(timings, 0.95):.1f} ms, "
        f"max {max(timings):.1f} ms (target p95 < 30 ms)"
    )
    print(
        f"this process's CPU: p50 {percentile(cpu_timings, 0.5):.1f} ms, p95 {percentile(cpu_timings, 0.95):.1f} ms "
        f"(the rest is the database and waiting for a core); load average {os.getloadavg()[0]:.1f} "
        f"on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
