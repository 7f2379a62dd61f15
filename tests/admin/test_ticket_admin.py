"""Appeals in the admin: lists, read-only state and the actions that call services."""

from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from gosupport.models import Line
from tickets.models import EventKind, Status, Ticket
from tickets.services import ticket_transition

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:tickets_ticket_changelist")


@pytest.fixture
def client(admin_as, supervisor):
    return admin_as(supervisor)


def run_action(client, action, tickets, **data):
    payload = {"action": action, ACTION_CHECKBOX_NAME: [t.pk for t in tickets], **data}
    return client.post(CHANGELIST, payload)


def listed(response):
    return {t.number for t in response.context["cl"].result_list}


def test_list_filters_and_search(client, make_ticket, applications_category, citizen_b):
    first = make_ticket()
    other = make_ticket(category=applications_category)
    Ticket.objects.filter(pk=other.pk).update(resolution_breached=True, escalation_level=1, line=Line.SECOND)
    assert listed(client.get(CHANGELIST, {"breached": "yes"})) == {other.number}
    assert listed(client.get(CHANGELIST, {"breached": "no"})) == {first.number}
    assert listed(client.get(CHANGELIST, {"line__exact": 2})) == {other.number}
    assert listed(client.get(CHANGELIST, {"escalation_level": 1})) == {other.number}
    assert listed(client.get(CHANGELIST, {"queue__id__exact": applications_category.pk})) == {other.number}
    assert listed(client.get(CHANGELIST, {"status__exact": "accepted", "channel__exact": "form"})) == {
        first.number,
        other.number,
    }
    assert listed(client.get(CHANGELIST, {"q": first.number})) == {first.number}
    assert listed(client.get(CHANGELIST, {"q": "alice@example.ru"})) == {first.number, other.number}
    assert listed(client.get(CHANGELIST, {"q": "bob@example.ru"})) == set()


def test_change_form_shows_messages_and_events_inline(client, make_ticket):
    ticket = make_ticket()
    response = client.get(reverse("admin:tickets_ticket_change", args=[ticket.pk]))
    assert response.status_code == 200
    inlines = {formset.formset.prefix for formset in response.context["inline_admin_formsets"]}
    assert {"messages", "events", "attachments"} <= inlines
    assert all(not formset.has_change_permission for formset in response.context["inline_admin_formsets"])


def management_data(response) -> dict:
    data = {}
    for inline in response.context["inline_admin_formsets"]:
        form = inline.formset.management_form
        data.update({f"{form.prefix}-{name}": value for name, value in form.initial.items()})
    return data


def test_read_only_fields_cannot_be_changed_by_posting_the_form(client, make_ticket, operator_of_other_queue):
    ticket = make_ticket()
    url = reverse("admin:tickets_ticket_change", args=[ticket.pk])
    before = Ticket.objects.get(pk=ticket.pk)
    forged = {
        "subject": "Вход в кабинет",
        "contact_email": "new@example.ru",
        "contact_phone": "",
        "status": Status.COMPLETED,
        "assignee": operator_of_other_queue.pk,
        "resolution_due": "2030-01-01 00:00:00",
        "first_response_due": "2030-01-01 00:00:00",
        "escalation_level": 5,
        "line": 2,
        "queue": 999,
        "number": "0000-0000",
        **management_data(client.get(url)),
    }
    response = client.post(url, forged)
    assert response.status_code == 302
    after = Ticket.objects.get(pk=ticket.pk)
    assert (after.subject, after.contact_email) == ("Вход в кабинет", "new@example.ru")
    for field in (
        "status",
        "assignee_id",
        "resolution_due",
        "first_response_due",
        "escalation_level",
        "line",
        "queue_id",
        "number",
    ):
        assert getattr(after, field) == getattr(before, field), field


def test_admin_cannot_add_or_delete_tickets(client, make_ticket):
    ticket = make_ticket()
    assert client.get(reverse("admin:tickets_ticket_add")).status_code == 403
    assert client.post(reverse("admin:tickets_ticket_delete", args=[ticket.pk]), {"post": "yes"}).status_code == 403
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_assign_action_asks_for_the_operator_then_assigns(client, make_ticket, operator_of_other_queue, supervisor):
    tickets = [make_ticket(), make_ticket()]
    page = run_action(client, "assign_to_operator", tickets)
    assert page.status_code == 200 and "operator" in page.context["form"].fields
    response = run_action(
        client, "assign_to_operator", tickets, apply="1", operator=operator_of_other_queue.pk, comment="Отпуск"
    )
    assert response.status_code == 302
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.assignee == operator_of_other_queue
        assert ticket.events.filter(kind=EventKind.ASSIGNED, actor=supervisor, comment="Отпуск").exists()


def test_assign_action_refuses_a_citizen_and_changes_nothing(client, make_ticket, citizen_b):
    ticket = make_ticket()
    before = ticket.assignee_id
    response = run_action(client, "assign_to_operator", [ticket], apply="1", operator=citizen_b.pk)
    assert response.status_code == 200 and "operator" in response.context["form"].errors
    ticket.refresh_from_db()
    assert ticket.assignee_id == before


def test_transfer_action_hands_to_the_second_line(client, make_ticket, second_line_operator, supervisor):
    ticket = make_ticket()
    response = run_action(client, "transfer_to_second_line", [ticket])
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.line == Line.SECOND and ticket.assignee == second_line_operator
    assert ticket.events.filter(kind=EventKind.TRANSFERRED, actor=supervisor).exists()


def test_transfer_action_reports_a_closed_ticket_and_leaves_it(client, make_ticket, supervisor):
    ticket = make_ticket()
    ticket_transition(
        ticket=ticket,
        to_status=Status.REJECTED,
        actor=supervisor,
        rejection_reasons="a",
        regulation_references="b",
        appeal_instructions="c",
    )
    response = run_action(client, "transfer_to_second_line", [ticket])
    ticket.refresh_from_db()
    assert ticket.line == Line.FIRST
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["error"]


def test_assign_action_leaves_a_closed_ticket_and_assigns_the_open_one(
    client, make_ticket, operator_of_other_queue, supervisor
):
    closed, open_ = make_ticket(), make_ticket()
    ticket_transition(
        ticket=closed,
        to_status=Status.REJECTED,
        actor=supervisor,
        rejection_reasons="a",
        regulation_references="b",
        appeal_instructions="c",
    )
    response = run_action(
        client, "assign_to_operator", [closed, open_], apply="1", operator=operator_of_other_queue.pk, comment=""
    )
    closed.refresh_from_db()
    open_.refresh_from_db()
    assert closed.assignee is None and open_.assignee == operator_of_other_queue
    assert sorted(m.level_tag for m in get_messages(response.wsgi_request)) == ["success", "warning"]


def test_status_action_asks_for_comment_then_moves_through_the_workflow(client, make_ticket, supervisor):
    ticket = make_ticket()
    page = run_action(client, "change_status", [ticket])
    assert (
        page.status_code == 200 and {"to_status", "comment", "rejection_reasons"} <= page.context["form"].fields.keys()
    )
    response = run_action(
        client, "change_status", [ticket], apply="1", to_status=Status.IN_PROGRESS, comment="Проверка"
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS
    assert ticket.events.filter(kind=EventKind.STATUS, actor=supervisor, comment="Проверка").exists()


def test_status_action_rejection_needs_reasons_and_stores_nothing_without_them(client, make_ticket):
    tickets = [make_ticket(), make_ticket()]
    response = run_action(client, "change_status", tickets, apply="1", to_status=Status.REJECTED)
    assert response.status_code == 200
    assert {"rejection_reasons", "regulation_references", "appeal_instructions"} <= response.context[
        "form"
    ].errors.keys()
    assert set(Ticket.objects.values_list("status", flat=True)) == {Status.ACCEPTED}
    assert not Ticket.objects.filter(events__kind=EventKind.STATUS).exists()


def test_status_action_reports_forbidden_moves_per_ticket(client, make_ticket, supervisor):
    movable, stuck = make_ticket(), make_ticket()
    ticket_transition(ticket=movable, to_status=Status.IN_PROGRESS, actor=supervisor)
    response = run_action(client, "change_status", [movable, stuck], apply="1", to_status=Status.WAITING_DOCUMENTS)
    assert response.status_code == 302
    assert Ticket.objects.get(pk=movable.pk).status == Status.WAITING_DOCUMENTS
    assert Ticket.objects.get(pk=stuck.pk).status == Status.ACCEPTED
    levels = sorted(m.level_tag for m in get_messages(response.wsgi_request))
    assert levels == ["error", "success"]


def test_deadlines_show_in_the_list(client, make_ticket):
    ticket = make_ticket()
    response = client.get(CHANGELIST)
    row = response.context["cl"].result_list[0]
    assert row.resolution_due - row.created_at == timedelta(hours=48) and row.number == ticket.number
