"""The live dashboard: its numbers on the hand-made history, who reaches it, presence switches."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from chat.models import ChatSession, Phase
from chat.supervision.dashboard import dashboard_snapshot
from gosupport.models import OperatorProfile, Presence
from tests.supervision.conftest import MSK, T
from tickets.models import Channel, Status, Ticket

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 20, 0, tzinfo=MSK)  # the evening of the history's day


@pytest.fixture
def live(history):
    """The history, two chats waiting since 19:30 and 19:52, Oleg at his capacity."""
    for number, queued in (
        ("0000-0101", T + timedelta(hours=9, minutes=30)),
        ("0000-0102", NOW - timedelta(minutes=8)),
    ):
        chat = Ticket.objects.create(
            number=number,
            channel=Channel.CHAT,
            category=history.queue_a,
            queue=history.queue_a,
            status=Status.ACCEPTED,
            text="Waiting",
            created_at=queued - timedelta(minutes=1),
        )
        ChatSession.objects.create(ticket=chat, phase=Phase.QUEUED, queued_at=queued)
    OperatorProfile.objects.filter(user=history.oleg).update(capacity=2)
    with time_machine.travel(NOW, tick=False):
        yield history


def test_today_figures_are_the_reports_on_the_same_history(live):
    dashboard = dashboard_snapshot()
    assert dashboard.today.volume == 8  # the six of the history and the two waiting chats
    assert dashboard.today.first_response_within_percent == 75.0
    assert dashboard.today.resolution_within_percent == 50.0
    channels = {row.key: row for row in dashboard.today_by_channel}
    assert (channels["chat"].volume, channels["chat"].first_response_within_percent) == (4, 100.0)
    assert (channels["form"].first_response_within_percent, channels["form"].resolution_within_percent) == (66.7, 50.0)
    assert (dashboard.today.deflected, dashboard.today.chats, dashboard.today.deflection_percent) == (1, 4, 25.0)
    assert (dashboard.csat_today_average, dashboard.csat_today_count) == (4.5, 2)


def test_queues_chats_and_deadlines_now(live):
    dashboard = dashboard_snapshot()
    queues = {line.queue_id: line for line in dashboard.queues}
    a, b = queues[live.queue_a.pk], queues[live.queue_b.pk]
    # A: #5 (Oleg), #9 and the two chats unassigned; B: #4 (Oleg, past its resolution), #6 (warned, paused)
    assert (a.waiting, a.in_work, a.breached, a.at_risk) == (3, 1, 0, 0)
    assert (b.waiting, b.in_work, b.breached, b.at_risk) == (1, 1, 1, 1)
    assert (dashboard.breached, dashboard.at_risk) == (1, 1)
    assert [ticket.number for ticket in dashboard.attention] == ["0000-0004", "0000-0006"]
    assert dashboard.chats_waiting == 2 and dashboard.longest_wait_minutes == 30


def test_operators_online_busy_and_away(live):
    OperatorProfile.objects.filter(user=live.olga).update(presence=Presence.AWAY)
    dashboard = dashboard_snapshot()
    operators = {line.user_id: line for line in dashboard.operators}
    assert (operators[live.oleg.pk].load, operators[live.oleg.pk].busy) == (2, True)
    assert (dashboard.online, dashboard.busy, dashboard.away) == (0, 1, 1)


def test_charts_cover_thirty_days_and_the_hours(live):
    dashboard = dashboard_snapshot()
    assert len(dashboard.trend) == 30 and dashboard.trend[-1].day == NOW.date()
    volumes = {point.day.isoformat(): point.volume for point in dashboard.trend if point.volume}
    assert volumes == {"2026-02-27": 1, "2026-03-02": 8}
    assert dashboard.load_by_hour[10] == 2 and dashboard.load_by_hour[19] == 2
    assert sum(dashboard.load_by_hour) == 9


def test_supervisor_sees_the_figures_on_the_page(live, supervisor, client):
    client.force_login(supervisor)
    page = client.get(reverse("supervision:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="chats-waiting">2<' in html and 'data-figure="breached"' in html
    assert html.count('class="chart"') == 3 and "<script>" not in html and 'style="' not in html
    fragment = client.get(reverse("supervision:dashboard"), {"partial": "1"})
    assert fragment.status_code == 200 and b"<html" not in fragment.content
    assert b'data-figure="at-risk">1<' in fragment.content


def test_admin_index_lands_on_the_dashboard(live, supervisor, client):
    client.force_login(supervisor)
    html = client.get(reverse("admin:index")).content.decode()
    assert reverse("supervision:dashboard") in html and "supervision/dashboard.js" in html


@pytest.mark.parametrize("persona", ["citizen_a", "operator_of_queue", None])
@pytest.mark.parametrize("name", ["supervision:dashboard", "supervision:quality"])
def test_only_a_supervisor_reaches_the_supervisors_pages(request, live, client, persona, name):
    if persona:
        client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse(name))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]


def test_supervisor_sets_an_operator_away_through_the_service(live, supervisor, client):
    client.force_login(supervisor)
    url = reverse("supervision:operator_presence", args=[live.olga.pk])
    response = client.post(url, {"presence": "away"})
    assert response.status_code == 302
    profile = OperatorProfile.objects.get(user=live.olga)
    assert profile.presence == Presence.AWAY and profile.presence_changed_at == NOW


def test_bad_presence_changes_nothing(live, supervisor, client):
    client.force_login(supervisor)
    url = reverse("supervision:operator_presence", args=[live.olga.pk])
    client.post(url, {"presence": "sleeping"})
    assert OperatorProfile.objects.get(user=live.olga).presence == Presence.ONLINE
    assert client.get(url).status_code == 405
    citizen_url = reverse("supervision:operator_presence", args=[live.tickets[1].citizen_id])
    assert client.post(citizen_url, {"presence": "away"}).status_code == 404


def test_operator_cannot_switch_a_colleague(live, client):
    client.force_login(live.oleg)
    client.post(reverse("supervision:operator_presence", args=[live.olga.pk]), {"presence": "offline"})
    assert OperatorProfile.objects.get(user=live.olga).presence == Presence.ONLINE


def test_a_late_appeal_is_reassigned_from_the_list_the_dashboard_links_to(live, supervisor, client):
    client.force_login(supervisor)
    html = client.get(reverse("supervision:dashboard"), {"partial": "1"}).content.decode()
    changelist = reverse("admin:tickets_ticket_changelist")
    assert f"{changelist}?q=0000-0004" in html
    late = live.tickets[4]
    response = client.post(
        changelist + "?q=0000-0004",
        {"action": "assign_to_operator", "_selected_action": [late.pk], "apply": "1", "operator": live.olga.pk},
    )
    assert response.status_code == 302
    late.refresh_from_db()
    assert late.assignee == live.olga and late.events.filter(kind="assigned", actor=supervisor).exists()
