"""p95 of a citizen's "My appeals" page with a million appeals in the database (target < 50 ms).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gs_bench \\
        .venv/bin/python bench/my_appeals.py [--tickets 1000000] [--samples 300]

The query is the portal's: `tickets_visible_to(citizen)` newest first, the first page of
20 and the total count. Never run by pytest.
"""

import argparse
import random
import statistics
import time

from bulk import seed, setup_django

PAGE = 20


def one_page(citizen) -> float:
    from django.core.paginator import Paginator

    from tickets.selectors import tickets_visible_to

    started = time.perf_counter()
    page = Paginator(tickets_visible_to(citizen).order_by("-created_at"), PAGE).page(1)  # runs the count
    list(page.object_list)
    return (time.perf_counter() - started) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=300)
    args = parser.parse_args()
    setup_django()
    from gosupport.models import User

    seed(args.tickets)
    ids = list(User.objects.filter(username__startswith="bench-citizen-").values_list("pk", flat=True))
    citizens = list(User.objects.filter(pk__in=random.sample(ids, min(args.samples, len(ids)))))
    for citizen in citizens[:10]:
        one_page(citizen)  # warm the connection and the cache, as a running server would be
    timings = sorted(one_page(citizen) for citizen in citizens)
    p95 = timings[int(len(timings) * 0.95) - 1]
    print(
        f"My appeals over {args.tickets:,} appeals, {len(timings)} citizens: "
        f"median {statistics.median(timings):.1f} ms, p95 {p95:.1f} ms, max {timings[-1]:.1f} ms (target p95 < 50 ms)"
    )


if __name__ == "__main__":
    main()
