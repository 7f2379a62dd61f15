"""The operator's queue: tabs, filters, search, SLA states, order and pages."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from tickets.models import Channel, Status
from tickets.services import ticket_transition
from tickets.views_workspace import PAGE_SIZE

pytestmark = pytest.mark.django_db
QUEUE = reverse("workspace:queue")


def numbers_in(response):
    return [ticket.number for ticket in response.context["page"].object_list]


def test_tabs_split_mine_unassigned_and_all(signed_in, operator_of_queue, make_ticket):
    mine = make_ticket()  # routed to the only online operator
    operator_of_queue.operator_profile.presence = "offline"
    operator_of_queue.operator_profile.save()
    unassigned = make_ticket()
    client = signed_in(operator_of_queue)
    assert numbers_in(client.get(QUEUE, {"view": "mine"})) == [mine.number]
    assert numbers_in(client.get(QUEUE, {"view": "unassigned"})) == [unassigned.number]
    assert set(numbers_in(client.get(QUEUE, {"view": "all"}))) == {mine.number, unassigned.number}


def test_closed_tickets_are_not_in_the_queue(signed_in, supervisor, make_ticket):
    closed = make_ticket()
    ticket_transition(ticket=closed, to_status=Status.IN_PROGRESS, actor=supervisor)
    ticket_transition(ticket=closed, to_status=Status.COMPLETED, actor=supervisor, resolution="Готово")
    still_open = make_ticket()
    assert numbers_in(signed_in(supervisor).get(QUEUE)) == [still_open.number]


def test_filters_by_status_channel_and_category(signed_in, supervisor, make_ticket, applications_category):
    accepted = make_ticket()
    working = make_ticket(category=applications_category)
    ticket_transition(ticket=working, to_status=Status.IN_PROGRESS, actor=supervisor)
    client = signed_in(supervisor)
    assert numbers_in(client.get(QUEUE, {"status": Status.IN_PROGRESS})) == [working.number]
    assert numbers_in(client.get(QUEUE, {"category": applications_category.pk})) == [working.number]
    assert numbers_in(client.get(QUEUE, {"channel": Channel.CHAT})) == []
    assert set(numbers_in(client.get(QUEUE, {"channel": Channel.FORM}))) == {accepted.number, working.number}


def test_search_by_number_and_by_text(signed_in, supervisor, make_ticket):
    first, second = make_ticket(), make_ticket(subject="Паспорт не приходит")
    client = signed_in(supervisor)
    assert numbers_in(client.get(QUEUE, {"q": first.number})) == [first.number]
    assert numbers_in(client.get(QUEUE, {"q": "Паспорт"})) == [second.number]


def test_sla_filter_and_order_by_nearest_deadline(signed_in, supervisor, make_ticket):
    start = timezone.now()
    with time_machine.travel(start - timedelta(hours=30), tick=False):
        breached = make_ticket()
    with time_machine.travel(start - timedelta(hours=21), tick=False):
        at_risk = make_ticket()
    on_time = make_ticket()
    client = signed_in(supervisor)
    assert numbers_in(client.get(QUEUE)) == [breached.number, at_risk.number, on_time.number]
    assert numbers_in(client.get(QUEUE, {"sla": "breached"})) == [breached.number]
    assert numbers_in(client.get(QUEUE, {"sla": "at_risk"})) == [at_risk.number]


def test_countdown_is_rendered_on_the_server(signed_in, supervisor, make_ticket):
    start = timezone.now()
    with time_machine.travel(start - timedelta(hours=30), tick=False):
        late = make_ticket()
    with time_machine.travel(start, tick=False):
        make_ticket()
        html = signed_in(supervisor).get(QUEUE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 d 0 h 0 min left" in html
    assert "overdue by 6 h 0 min" in html
    assert f'data-deadline="{timezone.localtime(late.first_response_due).isoformat()}"' in html


def test_bad_filter_is_a_clear_error_and_lists_nothing(signed_in, supervisor, make_ticket):
    make_ticket()
    response = signed_in(supervisor).get(QUEUE, {"status": "completed", "category": "nope"})
    assert response.status_code == 400
    assert response.context["form"].errors.keys() == {"status", "category"}
    assert numbers_in(response) == []


def test_queue_is_paginated(signed_in, supervisor, make_ticket):
    for _ in range(PAGE_SIZE + 1):
        make_ticket()
    client = signed_in(supervisor)
    assert len(numbers_in(client.get(QUEUE))) == PAGE_SIZE
    assert len(numbers_in(client.get(QUEUE, {"page": 2}))) == 1


def count_queries(client, url, **params):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params).status_code == 200
    return len(captured)


def test_queue_and_ticket_pages_do_not_query_per_row(signed_in, supervisor, make_ticket, operator_of_queue):
    client = signed_in(supervisor)
    few = [make_ticket() for _ in range(2)]
    queue_few = count_queries(client, QUEUE)
    page_few = count_queries(client, reverse("workspace:ticket", args=[few[0].number]))
    for _ in range(8):
        make_ticket()
    assert count_queries(client, QUEUE) == queue_few
    assert count_queries(client, reverse("workspace:ticket", args=[few[0].number])) == page_few
