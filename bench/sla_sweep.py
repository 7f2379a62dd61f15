"""One SLA sweep over a million open appeals of which ten thousand are due (target < 2 s).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gs_bench \\
        .venv/bin/python bench/sla_sweep.py [--tickets 1000000] [--due 10000] [--runs 3]

Each run re-arms `--due` random appeals (first response overdue, assigned to a line-1
operator) and times `tickets.escalation.sla_sweep`. Never run by pytest.
"""

import argparse
import statistics
import time

from bulk import seed, setup_django

ARM_SQL = """
WITH picked AS (
    SELECT id FROM tickets_ticket WHERE status = 'in_progress' ORDER BY random() LIMIT %(due)s
)
UPDATE tickets_ticket t SET
    next_sla_check = now() - interval '1 minute',
    first_response_due = now() - interval '1 minute',
    resolution_due = now() + interval '1 day',
    created_at = now() - interval '1 day',
    first_responded_at = NULL,
    escalation_level = 0, last_escalated_at = NULL, line = 1,
    sla_warned = false, first_response_breached = false, resolution_breached = false,
    assignee_id = (SELECT u.id FROM gosupport_user u WHERE u.username = 'bench-op-' || t.queue_id || '-a')
FROM picked WHERE t.id = picked.id
"""

DISARM_SQL = """
UPDATE tickets_ticket SET next_sla_check = now() + interval '1 day'
WHERE next_sla_check <= now() + interval '1 hour'
"""

# The previous run's escalations go back to the queue: operators carry a normal load.
RESET_SQL = """
UPDATE tickets_ticket SET assignee_id = NULL, line = 1, escalation_level = 0, last_escalated_at = NULL
WHERE escalation_level > 0
"""


def arm(due: int) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(DISARM_SQL)
        cursor.execute(RESET_SQL)
        cursor.execute(ARM_SQL, {"due": due})
        cursor.execute("DELETE FROM tickets_ticketevent WHERE kind = 'escalated'")
        cursor.execute("VACUUM ANALYZE tickets_ticket")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=None)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from tickets.escalation import DEFAULT_BATCH_SIZE, sla_sweep

    seed(args.tickets)
    connection.close()
    batch_size = args.batch_size or DEFAULT_BATCH_SIZE
    timings = []
    for run in range(1, args.runs + 1):
        arm(args.due)
        started = time.perf_counter()
        result = sla_sweep(batch_size=batch_size)
        elapsed = time.perf_counter() - started
        timings.append(elapsed)
        print(
            f"run {run}: {elapsed:.3f} s — checked {result.checked:,}, escalated {result.escalated:,}, "
            f"warned {result.warned:,} ({result.checked / elapsed:,.0f} appeals/s)"
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tickets_ticket WHERE status <> 'completed'")
        open_count = cursor.fetchone()[0]
    print(
        f"sla_sweep over {open_count:,} open appeals, {args.due:,} due, batch {batch_size}: "
        f"best {min(timings):.3f} s, median {statistics.median(timings):.3f} s (target < 2 s)"
    )


if __name__ == "__main__":
    main()
