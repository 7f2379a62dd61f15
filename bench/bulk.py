"""Fast bulk seeding of appeals on PostgreSQL, for benchmarks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gs_bench \\
        .venv/bin/python bench/bulk.py --tickets 1000000

Citizens and operators are made with the ORM (bulk_create), appeals with one
INSERT ... SELECT generate_series per chunk, so a million rows take about a minute.
Other benchmarks import `setup_django()` and `seed()` from here. Never run by pytest.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 200_000
TICKETS_PER_CITIZEN = 10
CATEGORIES = 12


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gosupport.settings")
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    os.environ.setdefault("EMAIL_URL", "dummymail://")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    # The production profile: DEBUG on keeps and formats every query (about a tenth of a sweep).
    os.environ.setdefault("DEBUG", "false")
    if "gs_bench" not in os.environ.get("DATABASE_URL", ""):
        sys.exit("Set DATABASE_URL to the benchmark database, e.g. postgres://postgres@127.0.0.1:5432/gs_bench")
    import django

    django.setup()


def ensure_database() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def ensure_categories() -> list[int]:
    from gosupport.models import Category

    return [
        Category.objects.get_or_create(slug=f"bench-{n}", defaults={"title": f"Bench {n}"})[0].pk
        for n in range(CATEGORIES)
    ]


def ensure_citizens(count: int) -> tuple[int, int]:
    """`count` citizens named bench-citizen-N; returns the first and last id (contiguous)."""
    from gosupport.models import Role, User

    existing = User.objects.filter(username__startswith="bench-citizen-").count()
    batch = []
    for n in range(existing, count):
        batch.append(User(username=f"bench-citizen-{n}", email=f"bench{n}@example.ru", password="!", role=Role.CITIZEN))
        if len(batch) == 5000:
            User.objects.bulk_create(batch)
            batch = []
    User.objects.bulk_create(batch)
    ids = User.objects.filter(username__startswith="bench-citizen-").order_by("pk").values_list("pk", flat=True)
    return ids.first(), ids.last()


def ensure_operators(category_ids: list[int]) -> None:
    """Two line-1 operators, a senior and a second-line operator per category, all online."""
    from gosupport.models import OperatorProfile, Presence, Role, User

    for category_id in category_ids:
        for kind, line, senior in (("a", 1, False), ("b", 1, False), ("senior", 1, True), ("l2", 2, False)):
            user, created = User.objects.get_or_create(
                username=f"bench-op-{category_id}-{kind}",
                defaults={"email": f"op{category_id}{kind}@example.ru", "role": Role.OPERATOR, "password": "!"},
            )
            if created:
                profile = OperatorProfile.objects.create(
                    user=user, line=line, is_senior=senior, capacity=10_000, presence=Presence.ONLINE
                )
                profile.skills.set([category_id])
    User.objects.get_or_create(
        username="bench-supervisor", defaults={"email": "sv@example.ru", "role": Role.SUPERVISOR, "password": "!"}
    )


def bench_policy_id() -> int:
    from tickets.models import SlaPolicy

    policy, _ = SlaPolicy.objects.get_or_create(
        name="Bench form",
        defaults={"channel": "form", "first_response_seconds": 24 * 3600, "resolution_seconds": 48 * 3600},
    )
    return policy.pk


INSERT_SQL = """
INSERT INTO tickets_ticket (
    number, channel, category_id, queue_id, line, priority, status, citizen_id, assignee_id,
    subject, text, contact_email, contact_phone, initial_rating, created_at, updated_at, closed_at,
    sla_policy_id, first_response_due, resolution_due, first_responded_at, sla_paused_at,
    next_sla_check, escalation_level, last_escalated_at, sla_warned, first_response_breached,
    resolution_breached, resolution, rejection_reasons, regulation_references, appeal_instructions, last_seq
)
SELECT
    'B' || lpad((%(offset)s + g)::text, 9, '0'),
    'form',
    (%(categories)s::bigint[])[1 + g %% %(category_count)s],
    (%(categories)s::bigint[])[1 + g %% %(category_count)s],
    1, 'simple',
    CASE WHEN g %% 100 < %(closed_percent)s THEN 'completed' ELSE 'in_progress' END,
    %(first_citizen)s + (g * 7919) %% %(citizen_count)s,
    NULL,
    '', 'Bench appeal ' || g, '', '', NULL,
    c.created, c.created,
    CASE WHEN g %% 100 < %(closed_percent)s THEN c.created + interval '1 day' END,
    %(policy)s,
    c.created + interval '1 day', c.created + interval '2 days',
    c.created + interval '1 hour', NULL,
    CASE WHEN g %% 100 < %(closed_percent)s THEN NULL
         ELSE now() + interval '1 hour' + (g %% 100000) * interval '1 minute' END,
    0, NULL, false, false, false, '', '', '', '', 1
FROM generate_series(1, %(count)s) AS g,
LATERAL (SELECT now() - (g %% 525600) * interval '1 minute' - interval '1 hour' AS created) AS c
"""


def insert_tickets(count: int, *, closed_percent: int = 0) -> None:
    from django.db import connection, transaction

    categories = ensure_categories()
    first_citizen, last_citizen = ensure_citizens(max(count // TICKETS_PER_CITIZEN, 1))
    ensure_operators(categories)
    policy = bench_policy_id()
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM tickets_ticket")
        offset = cursor.fetchone()[0]
    done = 0
    while done < count:
        size = min(CHUNK, count - done)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                INSERT_SQL,
                {
                    "offset": offset + done,
                    "count": size,
                    "categories": categories,
                    "category_count": len(categories),
                    "first_citizen": first_citizen,
                    "citizen_count": last_citizen - first_citizen + 1,
                    "policy": policy,
                    "closed_percent": closed_percent,
                },
            )
        done += size
        print(f"  {done:,} / {count:,} appeals", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_ticket")


def ticket_count() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tickets_ticket")
        return cursor.fetchone()[0]


def seed(tickets: int, *, closed_percent: int = 0) -> None:
    """Bring the benchmark database to at least `tickets` appeals."""
    ensure_database()
    missing = tickets - ticket_count()
    if missing > 0:
        insert_tickets(missing, closed_percent=closed_percent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--closed-percent", type=int, default=0, help="share of closed appeals, 0-100")
    args = parser.parse_args()
    setup_django()
    started = time.perf_counter()
    before = (ensure_database(), ticket_count())[1]
    seed(args.tickets, closed_percent=args.closed_percent)
    elapsed = time.perf_counter() - started
    added = ticket_count() - before
    print(f"appeals in the database: {ticket_count():,}; added {added:,} in {elapsed:.1f} s")
    if added:
        print(f"seeding rate: {added / elapsed:,.0f} appeals/s")


if __name__ == "__main__":
    main()
