"""The supervisor's dashboard queries over a million appeals (target < 200 ms).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gs_bench_sup \\
        .venv/bin/python bench/dashboard.py [--tickets 1000000] [--samples 20]

Same data as bench/sla_report.py (a year of appeals, 1% open, varied), plus a queued
chat session for every open chat. Prints the median and worst time of each part of
`dashboard_snapshot()` and of the whole, as the page and its refresh run it (the 30-day
charts are cached for CHARTS_CACHE_SECONDS; the cold figure is printed too). Never run by pytest.
"""

import argparse
import statistics
import time

from bulk import setup_django, ticket_count
from sla_report import prepare

QUEUED_SQL = (
    "INSERT INTO chat_chatsession (ticket_id, phase, queued_at, citizen_read_seq, operator_read_seq) "
    "SELECT id, 'queued', now() - (id % 600) * interval '1 second', 0, 0 FROM tickets_ticket "
    "WHERE channel = 'chat' AND closed_at IS NULL "
    "AND NOT EXISTS (SELECT 1 FROM chat_chatsession s WHERE s.ticket_id = tickets_ticket.id)"
)


def queue_chats() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(QUEUED_SQL)


PROPOSED_INDEXES = (
    "CREATE INDEX IF NOT EXISTS bench_ticket_open_queue_idx ON tickets_ticket (queue_id, assignee_id) "
    "WHERE status IN ('accepted', 'in_progress', 'waiting_documents')",
    "CREATE INDEX IF NOT EXISTS bench_rating_created_idx ON tickets_rating (created_at)",
)


def add_indexes() -> None:
    """Not in the schema (tickets owns it): measures what they would buy."""
    from django.db import connection

    with connection.cursor() as cursor:
        for sql in PROPOSED_INDEXES:
            cursor.execute(sql)
        cursor.execute("ANALYZE tickets_ticket")


def timed(function, samples: int) -> tuple[float, float]:
    function()  # a warm connection and cache, as on a running server
    timings = []
    for _ in range(samples):
        started = time.perf_counter()
        function()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings), max(timings)


def parts() -> dict:
    from django.core.cache import cache
    from django.utils import timezone

    from chat.supervision import dashboard as d
    from chat.supervision.report import report_counts, report_trend_by_hour

    now = timezone.now()
    today, recent = d.today_period(now), d.recent_period(now)
    return {
        "queues and loads (open appeals, past SLA, at risk)": lambda: d.open_work(now),
        "chats waiting": lambda: d.chats_waiting(now),
        "operators": lambda: d.operator_lines({}),
        "SLA and deflection today (total)": lambda: report_counts(period=today, dimension=None, as_of=now),
        "SLA and deflection today per channel": lambda: report_counts(period=today, dimension="channel", as_of=now),
        "CSAT today": lambda: d.csat_of_day(today.start, now),
        "needing attention": lambda: d.needing_attention(now),
        "30-day charts (per day and per hour)": lambda: report_trend_by_hour(period=recent, as_of=now),
        "whole dashboard, a refresh (charts cached)": d.dashboard_snapshot,
        "whole dashboard, charts read afresh": lambda: (cache.clear(), d.dashboard_snapshot()),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument(
        "--with-indexes",
        action="store_true",
        help="first add the two indexes the dashboard would use (open appeals by queue, ratings by time)",
    )
    args = parser.parse_args()
    setup_django()
    prepare(args.tickets)
    queue_chats()
    if args.with_indexes:
        add_indexes()
    print(f"dashboard over {ticket_count():,} appeals, {args.samples} runs each (target < 200 ms):")
    for name, function in parts().items():
        median, worst = timed(function, args.samples)
        print(f"  {name:<42} median {median:7.1f} ms, max {worst:7.1f} ms")


if __name__ == "__main__":
    main()
