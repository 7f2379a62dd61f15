from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django_otp import match_token

from gosupport.calendar import WorkingCalendar
from gosupport.demo import demo_load, demo_seed
from gosupport.demo.people import CITIZEN_PASSWORD, CITIZENS, OPERATOR_PASSWORD, OPERATORS, SUPERVISOR_PASSWORD
from gosupport.demo.taxonomy import CATEGORIES
from gosupport.models import Category, Notification, NotificationStatus, OperatorProfile, Role, User
from tickets import sla
from tickets.models import CLOSED_STATUSES, EventKind, Rating, Status, Ticket

pytestmark = pytest.mark.django_db


def seed(*args):
    call_command("seed_demo", *args)


def test_seed_without_history_creates_the_taxonomy_and_people_who_can_sign_in():
    seed("--appeals", "0")
    assert Category.objects.count() == len(CATEGORIES)
    complaints = Category.objects.filter(is_complaint=True)
    assert {c.slug for c in complaints} == {"complaints", "complaint-service", "complaint-centre"}
    assert Category.objects.get(slug="complaint-centre").parent.slug == "complaints"
    assert Category.objects.get(slug="payments").title_en == "Payments and refunds"
    supervisor = authenticate(username="supervisor", password=SUPERVISOR_PASSWORD)
    assert supervisor.role == Role.SUPERVISOR and supervisor.is_superuser
    operator = authenticate(username="operator", password=OPERATOR_PASSWORD)
    assert operator.role == Role.OPERATOR
    citizen = authenticate(username=CITIZENS[0].email, password=CITIZEN_PASSWORD)
    assert citizen.role == Role.CITIZEN and citizen.consents.exists()
    assert authenticate(username=CITIZENS[0].phone, password=CITIZEN_PASSWORD) == citizen
    assert not Ticket.objects.exists()


def test_both_lines_have_operators_with_skills():
    seed("--appeals", "0")
    profiles = OperatorProfile.objects.filter(user__username__in=[spec.username for spec in OPERATORS])
    assert {p.line for p in profiles} == {1, 2}
    assert profiles.filter(is_senior=True).exists()
    assert profiles.get(user__username="operator").skills.filter(slug="account-access").exists()
    assert profiles.get(user__username="senior").all_queues


def test_printed_second_factor_codes_work_once(capsys):
    seed("--appeals", "0")
    printed = capsys.readouterr().out
    line = next(line for line in printed.splitlines() if " supervisor / " in line)
    code = line.rsplit(":", 1)[1].split()[0]
    supervisor = User.objects.get(username="supervisor")
    assert match_token(supervisor, code) is not None
    assert match_token(supervisor, code) is None
    assert SUPERVISOR_PASSWORD in printed and CITIZEN_PASSWORD in printed


def test_running_twice_changes_nothing_but_resets_demo_staff_passwords():
    seed("--appeals", "0")
    operator = User.objects.get(username="operator")
    operator.set_password("Changed-Meanwhile-99")
    operator.save()
    counts = (User.objects.count(), Category.objects.count(), OperatorProfile.objects.count())
    seed("--appeals", "0")
    assert (User.objects.count(), Category.objects.count(), OperatorProfile.objects.count()) == counts
    assert authenticate(username="operator", password=OPERATOR_PASSWORD) is not None


def test_refused_in_production_and_nothing_stored(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        seed("--appeals", "0")
    assert not Category.objects.exists() and not User.objects.exists()


@pytest.mark.parametrize("args", [["--appeals", "-1"], ["--days", "0"], ["--appeals", "many"]])
def test_bad_options_are_clear_errors(args):
    with pytest.raises(CommandError):
        seed(*args)
    assert not User.objects.exists()


def test_a_citizen_email_taken_by_staff_is_a_clear_error_and_rolls_back():
    User.objects.create_user(username="someone", email=CITIZENS[0].email, role=Role.OPERATOR)
    with pytest.raises(CommandError, match=CITIZENS[0].email):
        seed("--appeals", "0")
    assert not Category.objects.exists()


def test_the_faq_fixture_is_imported_when_it_exists(tmp_path, monkeypatch):
    from knowledgebase.models import Article

    fixture = tmp_path / "faq.json"
    fixture.write_text(
        '{"sections":[{"slug":"access","title":"Вход"}],"articles":[{"slug":"reset","section":"access",'
        '"question":"Как восстановить пароль?","answer":"Нажмите «Забыли пароль».","keywords":["пароль"],'
        '"lang":"ru"}]}',
        encoding="utf-8",
    )
    monkeypatch.setattr("gosupport.demo.FIXTURE_IMPORTS", (("import_kb", fixture),))
    seed("--appeals", "0")
    assert Article.objects.count() == 1


@pytest.mark.slow
def test_service_centres_and_their_visits_come_with_the_demo(visits_seeded):
    from appointments.models import Booking, ServiceCentre

    result = demo_load(appeals=0)
    assert ServiceCentre.objects.count() == result.appointments["centres"] > 0
    assert Booking.objects.exists()
    demo_load(appeals=0)
    assert ServiceCentre.objects.count() == result.appointments["centres"]


def test_missing_fixtures_are_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr("gosupport.demo.FIXTURE_IMPORTS", (("import_kb", tmp_path / "absent.json"),))
    assert demo_load(appeals=0).imported == []


@pytest.fixture
def month():
    """A small demo month, replayed for the assertions below."""
    return demo_seed(appeals=80, days=14)


@pytest.mark.slow
def test_demo_month_is_consistent_history_with_something_to_show(month):
    assert month.replayed and month.report.appeals == 80
    assert month.report.refused == []
    tickets = list(Ticket.objects.prefetch_related("events", "messages"))
    assert len(tickets) == 80
    for ticket in tickets:
        _assert_status_chain(ticket)
        _assert_gap_free_thread(ticket)
        _assert_deadlines_follow_the_policy(ticket)
    _assert_varied(tickets)


@pytest.mark.slow
def test_demo_month_is_replayed_once_and_notifies_nobody_today(month):
    assert Notification.objects.exists()
    assert not Notification.objects.filter(status=NotificationStatus.PENDING).exists()
    numbers = set(Ticket.objects.values_list("number", flat=True))
    again = demo_seed(appeals=80, days=14)
    assert not again.replayed
    assert set(Ticket.objects.values_list("number", flat=True)) == numbers


def _assert_varied(tickets: list[Ticket]) -> None:
    statuses = Counter(t.status for t in tickets)
    assert statuses[Status.COMPLETED] and statuses[Status.REJECTED]
    assert sum(statuses[s] for s in (Status.ACCEPTED, Status.IN_PROGRESS, Status.WAITING_DOCUMENTS)) >= 1
    assert len({t.channel for t in tickets}) >= 4
    assert any(t.citizen_id is None for t in tickets) and any(t.line == 2 for t in tickets)
    assert any(t.first_response_breached for t in tickets)
    assert Rating.objects.exists()
    assert Ticket.objects.filter(events__kind=EventKind.ESCALATED).exists()


def _assert_status_chain(ticket: Ticket) -> None:
    events = sorted(ticket.events.all(), key=lambda e: (e.at, e.id))
    assert events[0].kind == EventKind.CREATED and events[0].to_status == Status.ACCEPTED
    current = Status.ACCEPTED
    for event in events:
        if event.kind == EventKind.STATUS:
            assert event.from_status == current, ticket.number
            current = event.to_status
    assert current == ticket.status, ticket.number
    assert (ticket.closed_at is not None) == (ticket.status in CLOSED_STATUSES)
    assert all(e.at >= ticket.created_at for e in events)


def _assert_gap_free_thread(ticket: Ticket) -> None:
    seqs = sorted(m.seq for m in ticket.messages.all())
    assert seqs == list(range(1, ticket.last_seq + 1)), ticket.number


def _assert_deadlines_follow_the_policy(ticket: Ticket) -> None:
    policy = ticket.sla_policy
    if policy is None:
        return
    due = sla.compute_deadlines(policy, ticket.created_at, WorkingCalendar.from_model(policy.calendar))
    assert ticket.first_response_due == due.first_response_due, ticket.number
    paused = ticket.events.filter(to_status=Status.WAITING_DOCUMENTS).exists()
    if not paused:
        assert ticket.resolution_due == due.resolution_due, ticket.number
