import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from gosupport.models import Line, Notification, Presence
from tests.factories import CategoryFactory, OperatorFactory, UserFactory
from tests.tickets.conftest import TEXT
from tickets.escalation import sla_sweep
from tickets.models import EventKind, Status, Ticket, TicketEvent
from tickets.routing import ticket_assign
from tickets.services import message_add, ticket_create, ticket_transition
from tickets.sla import MAX_ESCALATION_LEVEL
from tickets.tasks import sla_sweep_task

HOUR = timedelta(hours=1)


def new_ticket(citizen, category, assignee=None):
    ticket = ticket_create(channel="form", category=category, text=TEXT, citizen=citizen, contact_email=citizen.email)
    if assignee is not None:
        ticket = ticket_assign(ticket=ticket, operator=assignee, actor=None)
    return Ticket.objects.get(pk=ticket.pk)


def events(ticket, kind):
    return list(TicketEvent.objects.filter(ticket=ticket, kind=kind))


def test_nothing_happens_before_the_first_check(citizen_a, account_category, operator_of_queue, only_policy):
    ticket = new_ticket(citizen_a, account_category, operator_of_queue)
    result = sla_sweep(now=ticket.next_sla_check - timedelta(seconds=1))
    ticket.refresh_from_db()
    assert result.checked == 0 and ticket.escalation_level == 0 and not ticket.sla_warned


def test_first_response_breach_escalates_to_a_senior_of_the_queue(
    citizen_a, account_category, operator_of_queue, senior_of_queue, supervisor, only_policy
):
    ticket = new_ticket(citizen_a, account_category, operator_of_queue)
    sla_sweep(now=ticket.created_at + HOUR + timedelta(seconds=1))
    ticket.refresh_from_db()
    assert ticket.first_response_breached and not ticket.resolution_breached
    assert ticket.escalation_level == 1 and ticket.assignee == senior_of_queue and ticket.line == Line.FIRST
    [event] = events(ticket, EventKind.ESCALATED)
    assert event.data["reasons"] == ["first_response"] and event.data["from_assignee"] == operator_of_queue.pk
    assert Notification.objects.filter(recipient=supervisor.email, body__contains=ticket.number).exists()
    assert Notification.objects.filter(recipient=senior_of_queue.email, body__contains=ticket.number).exists()
    assert ticket.next_sla_check > ticket.created_at + HOUR


def test_without_a_free_senior_the_appeal_goes_to_the_second_line(
    citizen_a, account_category, operator_of_queue, second_line_operator, only_policy
):
    ticket = new_ticket(citizen_a, account_category, operator_of_queue)
    sla_sweep(now=ticket.created_at + 2 * HOUR)
    ticket.refresh_from_db()
    assert ticket.line == Line.SECOND and ticket.assignee == second_line_operator


def test_nobody_free_on_the_second_line_leaves_the_appeal_queued_there(
    citizen_a, account_category, operator_of_queue, second_line_operator, only_policy
):
    second_line_operator.operator_profile.presence = Presence.OFFLINE
    second_line_operator.operator_profile.save()
    ticket = new_ticket(citizen_a, account_category, operator_of_queue)
    sla_sweep(now=ticket.created_at + 2 * HOUR)
    ticket.refresh_from_db()
    assert ticket.line == Line.SECOND and ticket.assignee is None and ticket.escalation_level == 1


def test_sweeping_twice_escalates_once(citizen_a, account_category, operator_of_queue, only_policy):
    ticket = new_ticket(citizen_a, account_category, operator_of_queue)
    moment = ticket.created_at + 2 * HOUR
    first, second = sla_sweep(now=moment), sla_sweep(now=moment)
    ticket.refresh_from_db()
    assert (first.escalated, second.escalated) == (1, 0)
    assert ticket.escalation_level == 1 and len(events(ticket, EventKind.ESCALATED)) == 1


def test_warning_comes_at_eighty_percent_of_the_resolution_time(
    citizen_a, account_category, operator_of_queue, only_policy
):
    ticket = new_ticket(citizen_a, account_category, operator_of_queue)
    message_add(ticket=ticket, author=operator_of_queue, text="Проверяем вашу учётную запись.")
    ticket.refresh_from_db()
    assert ticket.next_sla_check == ticket.created_at + 8 * HOUR
    assert sla_sweep(now=ticket.created_at + 8 * HOUR - timedelta(seconds=1)).warned == 0
    result = sla_sweep(now=ticket.created_at + 8 * HOUR)
    ticket.refresh_from_db()
    assert result.warned == 1 and ticket.sla_warned and ticket.escalation_level == 0
    assert len(events(ticket, EventKind.SLA_WARNING)) == 1
    assert Notification.objects.filter(recipient=operator_of_queue.email, subject__contains="(1)").exists()
    assert ticket.next_sla_check == ticket.resolution_due


def test_unassigned_warning_goes_to_supervisors(citizen_a, account_category, supervisor, only_policy):
    ticket = new_ticket(citizen_a, account_category)
    Ticket.objects.filter(pk=ticket.pk).update(first_responded_at=ticket.created_at)
    sla_sweep(now=ticket.created_at + 9 * HOUR)
    assert Notification.objects.filter(recipient=supervisor.email, body__contains=ticket.number).exists()


def test_breaches_climb_levels_then_stop(
    citizen_a, account_category, operator_of_queue, second_line_operator, only_policy
):
    ticket = new_ticket(citizen_a, account_category, operator_of_queue)
    sla_sweep(now=ticket.created_at + 2 * HOUR)
    sla_sweep(now=ticket.created_at + 10 * HOUR)
    ticket.refresh_from_db()
    assert ticket.resolution_breached and ticket.escalation_level == 2
    assert ticket.next_sla_check == ticket.created_at + 20 * HOUR
    sla_sweep(now=ticket.created_at + 20 * HOUR)
    ticket.refresh_from_db()
    assert ticket.escalation_level == MAX_ESCALATION_LEVEL and ticket.next_sla_check is None
    reasons = [e.data["reasons"] for e in events(ticket, EventKind.ESCALATED)]
    assert reasons == [["first_response"], ["resolution"], ["still_unresolved"]]


def test_an_answer_in_time_prevents_the_first_response_escalation(
    citizen_a, account_category, operator_of_queue, only_policy
):
    ticket = new_ticket(citizen_a, account_category, operator_of_queue)
    message_add(ticket=ticket, author=operator_of_queue, text="Здравствуйте, разбираемся.")
    result = sla_sweep(now=ticket.created_at + 2 * HOUR)
    ticket.refresh_from_db()
    assert result.checked == 0 and ticket.escalation_level == 0 and not ticket.first_response_breached


def test_paused_and_closed_appeals_are_not_swept(citizen_a, account_category, operator_of_queue, only_policy):
    waiting = new_ticket(citizen_a, account_category, operator_of_queue)
    ticket_transition(ticket=waiting, to_status=Status.IN_PROGRESS, actor=operator_of_queue)
    ticket_transition(ticket=waiting, to_status=Status.WAITING_DOCUMENTS, actor=operator_of_queue)
    done = new_ticket(citizen_a, account_category, operator_of_queue)
    ticket_transition(ticket=done, to_status=Status.IN_PROGRESS, actor=operator_of_queue)
    ticket_transition(ticket=done, to_status=Status.COMPLETED, actor=operator_of_queue, resolution="Готово.")
    assert sla_sweep(now=timezone.now() + 100 * HOUR).checked == 0
    assert set(Ticket.objects.values_list("escalation_level", flat=True)) == {0}


def test_a_batch_costs_the_same_queries_whatever_its_size(
    citizen_a, account_category, operator_of_queue, senior_of_queue, supervisor, only_policy
):
    def queries_for(count):
        created = [new_ticket(citizen_a, account_category, operator_of_queue) for _ in range(count)]
        moment = max(t.created_at for t in created) + 2 * HOUR
        with CaptureQueriesContext(connection) as captured:
            assert sla_sweep(now=moment, batch_size=100).escalated == count
        return len(captured.captured_queries)

    assert queries_for(2) == queries_for(12)


def test_small_batches_still_cover_every_due_appeal(citizen_a, account_category, operator_of_queue, only_policy):
    created = [new_ticket(citizen_a, account_category, operator_of_queue) for _ in range(7)]
    result = sla_sweep(now=created[-1].created_at + 2 * HOUR, batch_size=3)
    assert result.checked == 7 and result.escalated == 7


def test_the_celery_task_sweeps_and_beat_runs_it_on_the_interval(
    settings, citizen_a, account_category, operator_of_queue, only_policy
):
    ticket = new_ticket(citizen_a, account_category, operator_of_queue)
    Ticket.objects.filter(pk=ticket.pk).update(next_sla_check=timezone.now() - HOUR, first_response_due=timezone.now())
    assert sla_sweep_task.apply().get()["escalated"] == 1
    entry = settings.CELERY_BEAT_SCHEDULE["tickets.sla_sweep"]
    assert entry["task"] == sla_sweep_task.name == "tickets.sla_sweep"
    assert entry["schedule"] == settings.SLA_SWEEP_INTERVAL_SECONDS


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SKIP LOCKED needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_escalate_each_appeal_exactly_once():
    from gosupport.models import OperatorProfile

    category = CategoryFactory(slug="race")
    citizen = UserFactory(username="racer")
    for name in ("senior-a", "senior-b"):
        OperatorFactory(username=name, profile__skills=[category], profile__is_senior=True, profile__capacity=500)
    OperatorProfile.objects.update(presence=Presence.OFFLINE)  # keep routing out: every ticket starts queued
    from tickets.models import SlaPolicy

    SlaPolicy.objects.update(is_active=False)
    SlaPolicy.objects.create(name="race", channel="form", first_response_seconds=60, resolution_seconds=3600)
    tickets = [new_ticket(citizen, category) for _ in range(120)]
    OperatorProfile.objects.update(presence=Presence.ONLINE)
    moment = max(t.created_at for t in tickets) + HOUR / 2
    barrier, results, errors = threading.Barrier(2), [], []

    def sweep():
        try:
            barrier.wait()
            results.append(sla_sweep(now=moment, batch_size=10))
        except Exception as exc:  # surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert not errors
    assert sum(r.escalated for r in results) == 120
    assert set(Ticket.objects.values_list("escalation_level", flat=True)) == {1}
    assert TicketEvent.objects.filter(kind=EventKind.ESCALATED).count() == 120
