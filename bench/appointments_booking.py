"""200 concurrent booking attempts on one day at a ten-window centre: no double booking,
and how many attempts per second the booking service settles.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gs_appt_bench \\
        .venv/bin/python bench/appointments_booking.py [--attempts 200] [--threads 32] [--hot]

Each attempt is one citizen booking a random 30-minute slot of the same day (with --hot,
all of them the same slot) through `appointments.services.booking_create`, from
`--threads` threads with their own database connections. Afterwards an SQL self-join
counts active bookings of one window that overlap: it must be zero.
"""

import argparse
import os
import random
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from appointments_common import bench_centre, bench_citizens, percentile, setup_django

OVERLAPS_SQL = """
SELECT count(*) FROM appointments_booking a JOIN appointments_booking b
  ON a.centre_id = b.centre_id AND a.window_no = b.window_no AND a.id < b.id
 AND a.start < b."end" AND b.start < a."end"
WHERE a.centre_id = %s AND a.status IN ('awaiting_confirmation', 'confirmed')
  AND b.status IN ('awaiting_confirmation', 'confirmed')
"""


def target_day(centre, service):
    """The first day at least two days ahead on which the centre is open."""
    from django.utils import timezone

    from appointments.slots import free_slots, local_today

    now = timezone.now()
    day = local_today(centre, now) + timedelta(days=2)
    while not free_slots(centre=centre, service=service, day=day, now=now):
        day += timedelta(days=1)
    return day, free_slots(centre=centre, service=service, day=day, now=now)


def attempt(centre, service, citizen, start):
    from django.db import connection

    from appointments.services import SlotTaken, booking_create

    started = time.perf_counter()
    try:
        booking_create(citizen=citizen, centre=centre, service=service, start=start)
        outcome = "booked"
    except SlotTaken:
        outcome = "taken"
    except Exception as error:  # reported, never hidden
        outcome = f"error: {type(error).__name__}: {error}"
    finally:
        connection.close()
    return outcome, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--attempts", type=int, default=200)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--hot", action="store_true", help="every attempt wants the same slot")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from appointments.models import Booking

    centre, _short, service = bench_centre(windows=10)
    Booking.objects.filter(centre=centre).delete()
    citizens = bench_citizens(args.attempts)
    day, slots = target_day(centre, service)
    rng = random.Random(11)
    starts = [slots[0].start] * args.attempts if args.hot else [rng.choice(slots).start for _ in citizens]
    connection.close()

    barrier = threading.Barrier(min(args.threads, args.attempts))

    def run(n: int):
        if n < barrier.parties:
            barrier.wait()
        return attempt(centre, service, citizens[n], starts[n])

    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=args.threads) as pool:
        results = list(pool.map(run, range(args.attempts)))
    elapsed = time.perf_counter() - began

    outcomes = Counter(outcome for outcome, _ in results)
    latencies = [seconds * 1000 for _, seconds in results]
    with connection.cursor() as cursor:
        cursor.execute(OVERLAPS_SQL, [centre.pk])
        overlaps = cursor.fetchone()[0]
    capacity = len(slots) * centre.windows
    print(
        f"{connection.vendor}: {args.attempts} attempts from {args.threads} threads on {day} "
        f"({'one slot' if args.hot else f'{len(slots)} slots'}, {centre.windows} windows, {capacity} places)"
    )
    print(", ".join(f"{name}: {count}" for name, count in sorted(outcomes.items())))
    print(f"overlapping active bookings of one window: {overlaps} (must be 0)")
    print(
        f"throughput {args.attempts / elapsed:.0f} attempts/s in {elapsed:.2f} s; latency p50 "
        f"{percentile(latencies, 0.5):.0f} ms, p95 {percentile(latencies, 0.95):.0f} ms; "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    if overlaps:
        raise SystemExit("double booking!")


if __name__ == "__main__":
    main()
