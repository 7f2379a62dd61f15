"""Demo data for the embedded profile: taxonomy, people and a month of history.

Like urls.py, the seeder composes every app, so it imports tickets and chat; nothing in
the core imports it. It is idempotent: people and categories are refreshed, the month
is replayed only into a database that has no demo history yet."""

import random
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from appointments.demo import seed_demo_appointments
from gosupport.demo.clock import ReplayClock, replaying
from gosupport.demo.people import DemoPeople, people_seed
from gosupport.demo.plan import Planner
from gosupport.demo.replay import Replay, ReplayReport
from gosupport.demo.taxonomy import categories_seed
from gosupport.models import Notification, NotificationStatus
from tickets.models import Ticket

DEFAULT_APPEALS = 300
DEFAULT_DAYS = 30
DEFAULT_SEED = 2026


class DemoRefused(Exception):
    """Demo data never goes into a production database."""


@dataclass
class DemoResult:
    people: DemoPeople
    categories: int
    replayed: bool
    report: ReplayReport | None = None
    imported: list[str] = field(default_factory=list)
    appointments: dict[str, int] = field(default_factory=dict)


def demo_seed(*, appeals: int = DEFAULT_APPEALS, days: int = DEFAULT_DAYS, seed: int = DEFAULT_SEED) -> DemoResult:
    """All or nothing: a failure halfway leaves the database as it was."""
    if settings.PRODUCTION:
        raise DemoRefused(_("Demo data is never loaded in production (GOSUPPORT_ENV=production)."))
    with transaction.atomic():
        categories = categories_seed()
        people = people_seed()
        result = DemoResult(people=people, categories=len(categories), replayed=False)
        if appeals > 0 and not demo_history_exists(people):
            result.report = history_replay(people=people, categories=categories, appeals=appeals, days=days, seed=seed)
            result.replayed = True
    return result


def demo_history_exists(people: DemoPeople) -> bool:
    return Ticket.objects.filter(citizen__in=people.citizens).exists()


def history_replay(*, people: DemoPeople, categories: dict, appeals: int, days: int, seed: int) -> ReplayReport:
    rng = random.Random(seed)
    end = timezone.now()
    start = end - timedelta(days=days)
    plans = Planner(rng, citizens=len(people.citizens)).month(
        count=appeals, start=start, end=end - timedelta(minutes=5)
    )
    last_notification = Notification.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    clock = ReplayClock(start)
    replay = Replay(clock=clock, rng=rng, categories=categories, operators=people.operators, citizens=people.citizens)
    with replaying(clock):
        report = replay.run(plans, until=end)
    _mark_past_notifications_sent(after_pk=last_notification)
    return report


def _mark_past_notifications_sent(*, after_pk: int) -> None:
    """The replayed month's notices were delivered back then; nobody gets them today."""
    Notification.objects.filter(pk__gt=after_pk, status=NotificationStatus.PENDING).update(
        status=NotificationStatus.SENT, sent_at=F("created_at")
    )


# Starting data other apps ship in their documented import formats, loaded when present.
FIXTURE_IMPORTS = (("import_kb", Path("knowledgebase") / "fixtures" / "faq.json"),)


def fixture_imports() -> list[tuple[str, Path]]:
    found = [(command, Path(settings.BASE_DIR) / path) for command, path in FIXTURE_IMPORTS]
    return [(command, path) for command, path in found if path.exists()]


def demo_load(*, appeals: int = DEFAULT_APPEALS, days: int = DEFAULT_DAYS, seed: int = DEFAULT_SEED) -> DemoResult:
    """The demo seed, the starting FAQ, and the service centres with their visits."""
    result = demo_seed(appeals=appeals, days=days, seed=seed)
    for command, path in fixture_imports():
        call_command(command, str(path))
        result.imported.append(command)
    result.appointments = seed_demo_appointments()
    return result
