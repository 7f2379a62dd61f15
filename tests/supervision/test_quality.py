"""Quality: CSAT and response rate per operator, queue and category; the rated conversations."""

import pytest
import time_machine
from django.urls import reverse

from tests.supervision.conftest import AS_OF

pytestmark = pytest.mark.django_db

DAY = {"first": "2026-03-02", "last": "2026-03-02"}


@pytest.fixture
def signed_in(history, supervisor, client):
    client.force_login(supervisor)
    with time_machine.travel(AS_OF, tick=False):
        yield client


def test_csat_per_operator_queue_and_category(signed_in, history):
    response = signed_in.get(reverse("supervision:quality"), DAY)
    assert response.status_code == 200
    sections = response.context["sections"]
    operators = {row.key: row for row in sections["operator"]}
    assert (operators[history.olga.pk].csat_average, operators[history.olga.pk].csat_response_rate) == (5.0, 50.0)
    assert (operators[None].csat_average, operators[None].csat_response_rate) == (4.0, 100.0)
    queues = {row.key: row for row in sections["queue"]}
    assert (queues[history.queue_a.pk].csat_average, queues[history.queue_a.pk].rated) == (4.5, 2)
    categories = {row.key: row for row in sections["category"]}
    assert categories[history.queue_b.pk].csat_average is None


def test_rated_conversations_link_to_the_thread(signed_in, history):
    html = signed_in.get(reverse("supervision:quality"), DAY).content.decode()
    assert "0000-0001" in html and "0000-0003" in html and "Бот помог" in html
    assert reverse("admin:tickets_ticket_change", args=[history.tickets[3].pk]) in html
    only_fours = signed_in.get(reverse("supervision:quality"), {**DAY, "score": "4"})
    assert [rating.ticket.number for rating in only_fours.context["ratings"]] == ["0000-0003"]


def test_default_period_is_the_last_thirty_days(signed_in):
    response = signed_in.get(reverse("supervision:quality"))
    assert response.status_code == 200
    assert (response.context["period"]["last"] - response.context["period"]["first"]).days == 29


@pytest.mark.parametrize(
    "params",
    [
        {"first": "2026-03-05", "last": "2026-03-01"},
        {"first": "yesterday"},
        {"first": "2024-01-01", "last": "2026-03-01"},
        {"score": "9"},
    ],
)
def test_bad_period_or_score_is_a_clear_error(signed_in, params):
    response = signed_in.get(reverse("supervision:quality"), params)
    assert response.status_code == 400
    assert "sections" not in response.context
