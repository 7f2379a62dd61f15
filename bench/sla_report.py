"""`manage.py sla_report` over a million appeals: wall time and peak memory (targets < 30 s, < 300 MB).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gs_bench_sup \\
        .venv/bin/python bench/sla_report.py [--tickets 1000000] [--format xlsx]

The appeals come from bulk.py (a year of them, 99% closed); `vary()` then gives them
channels, operators, late answers, escalations and ratings, so every figure of the
report has work to do. The report covers the whole year and runs in a child process,
whose peak resident memory the kernel reports. Never run by pytest.
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bulk import ROOT, seed, setup_django

VARIETY_SQL = [
    "UPDATE tickets_ticket SET channel = (ARRAY['chat','form','email','phone','social'])[1 + id % 5]",
    "UPDATE tickets_ticket SET assignee_id = (%(operators)s::bigint[])[1 + id %% %(operator_count)s] "
    "WHERE id %% 7 <> 0",
    # Late first answers and resolutions, escalations; chats the bot closed have no answer.
    "UPDATE tickets_ticket SET first_responded_at = created_at + interval '30 hours', escalation_level = 1 "
    "WHERE id % 10 = 0",
    "UPDATE tickets_ticket SET closed_at = created_at + interval '3 days' WHERE id % 10 = 1 AND closed_at IS NOT NULL",
    "UPDATE tickets_ticket SET first_responded_at = NULL, assignee_id = NULL, "
    "first_response_due = created_at + interval '5 minutes', closed_at = created_at + interval '2 minutes' "
    "WHERE channel = 'chat' AND id % 4 = 0 AND closed_at IS NOT NULL",
    "INSERT INTO tickets_rating (ticket_id, score, comment, operator_id, created_at) "
    "SELECT id, 1 + (id * 7) % 5, '', assignee_id, closed_at FROM tickets_ticket "
    "WHERE closed_at IS NOT NULL AND id % 10 < 3",
    "ANALYZE tickets_ticket",
    "ANALYZE tickets_rating",
]


def vary() -> None:
    """Once per database: spread the bulk appeals over channels, operators and outcomes."""
    from django.db import connection, transaction

    from gosupport.models import User
    from tickets.models import Rating

    if Rating.objects.exists():
        return
    operators = list(User.objects.filter(username__startswith="bench-op-").values_list("pk", flat=True))
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in VARIETY_SQL:
            params = {"operators": operators, "operator_count": len(operators)} if "%(operators)s" in sql else None
            cursor.execute(sql, params)
    print(f"  varied the appeals in {time.perf_counter() - started:.1f} s", flush=True)


def prepare(tickets: int) -> None:
    seed(tickets, closed_percent=99)
    vary()


def run_report(fmt: str) -> tuple[float, float, int]:
    """Wall seconds, peak RSS of the child in MB, and the output size in bytes."""
    from django.utils import timezone

    today = timezone.localdate()
    first = today - timedelta(days=366)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"report.{fmt}"
        command = [sys.executable, str(ROOT / "manage.py"), "sla_report"]
        command += ["--from", str(first), "--to", str(today), "--format", fmt, "--out", str(out)]
        started = time.perf_counter()
        subprocess.run(command, check=True, cwd=ROOT, env=os.environ)
        elapsed = time.perf_counter() - started
        size = out.stat().st_size
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return elapsed, peak_mb, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--format", choices=["csv", "xlsx", "html"], default="xlsx")
    args = parser.parse_args()
    setup_django()
    prepare(args.tickets)
    from bulk import ticket_count

    elapsed, peak_mb, size = run_report(args.format)
    print(
        f"sla_report over {ticket_count():,} appeals (one year, {args.format}): {elapsed:.1f} s, "
        f"peak memory {peak_mb:.0f} MB, file {size / 1024:.0f} KB (targets < 30 s, < 300 MB)"
    )


if __name__ == "__main__":
    main()
