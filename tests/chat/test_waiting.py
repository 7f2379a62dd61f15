"""The expected wait of a queued chat: the arithmetic, the data behind it, and where the
citizen reads it (the status frame, the chat page, the status API)."""

import re
from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.urls import reverse
from django.utils import timezone

from chat.models import ChatSession, Phase
from chat.services import chat_accept, chat_handoff, chat_open, status_frame
from chat.waiting import QueueLoad, median_wait_seconds, queue_load, wait_estimate, wait_in_words_minutes
from gosupport.asgi import application
from gosupport.models import OperatorProfile, Presence
from tests.factories import OperatorFactory, SlaPolicyFactory
from tickets.models import Channel, Ticket
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db
ORIGIN = (b"origin", b"http://localhost")


# --- the arithmetic -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("position", "load", "expected"),
    [
        (1, QueueLoad(base_seconds=40, free_operators=1, online_operators=1), 40),
        (3, QueueLoad(base_seconds=40, free_operators=1, online_operators=1), 120),
        (3, QueueLoad(base_seconds=40, free_operators=2, online_operators=2), 80),
        (4, QueueLoad(base_seconds=40, free_operators=4, online_operators=5), 40),
        (5, QueueLoad(base_seconds=40, free_operators=4, online_operators=4), 80),
        # Everybody online is busy: one chat per base time.
        (2, QueueLoad(base_seconds=30, free_operators=0, online_operators=3), 60),
        (1, QueueLoad(base_seconds=0, free_operators=2, online_operators=2), 0),
    ],
)
def test_the_wait_grows_with_the_position_and_shrinks_with_free_operators(position, load, expected):
    assert wait_estimate(position=position, load=load) == expected


def test_with_nobody_online_there_is_no_estimate():
    assert wait_estimate(position=1, load=QueueLoad(base_seconds=30, free_operators=0, online_operators=0)) is None


@pytest.mark.parametrize(
    ("seconds", "minutes"), [(None, None), (0, None), (59, None), (60, 1), (89, 1), (90, 2), (150, 3), (601, 10)]
)
def test_the_wait_is_said_in_whole_minutes_rounded_half_up(seconds, minutes):
    assert wait_in_words_minutes(seconds) == minutes


# --- the data behind it -------------------------------------------------------------


@pytest.fixture
def chat(citizen_a, account_category):
    return chat_open(citizen=citizen_a, text="Хочу поговорить с оператором", category=account_category)


def accepted_chat(citizen, category, *, waited: int, accepted_ago: timedelta):
    ticket = chat_open(citizen=citizen, text="Вопрос", category=category)
    ChatSession.objects.filter(ticket=ticket).update(
        phase=Phase.CLOSED, accepted_at=timezone.now() - accepted_ago, waited_seconds=waited
    )
    return ticket


def test_without_history_the_base_is_the_sla_first_reply(chat):
    Ticket.objects.filter(pk=chat.pk).update(
        sla_policy=SlaPolicyFactory(channel=Channel.CHAT, first_response_seconds=45)
    )
    chat.refresh_from_db()
    assert queue_load(ticket=chat, now=timezone.now()).base_seconds == 45


def test_without_history_and_policy_the_base_is_the_configured_fallback(settings, chat):
    settings.CHAT_WAIT_FALLBACK_SECONDS = 75
    Ticket.objects.filter(pk=chat.pk).update(sla_policy=None)
    chat.refresh_from_db()
    assert queue_load(ticket=chat, now=timezone.now()).base_seconds == 75


def test_the_base_is_the_median_of_the_queues_recent_waits(citizen_a, account_category, applications_category):
    for waited in (20, 40, 100):
        accepted_chat(citizen_a, account_category, waited=waited, accepted_ago=timedelta(hours=1))
    accepted_chat(citizen_a, account_category, waited=1000, accepted_ago=timedelta(hours=25))  # too old
    accepted_chat(citizen_a, applications_category, waited=500, accepted_ago=timedelta(minutes=5))  # other queue
    assert median_wait_seconds(queue_id=account_category.pk, now=timezone.now()) == 40


def test_a_queue_without_recent_history_has_no_median(citizen_a, account_category):
    accepted_chat(citizen_a, account_category, waited=30, accepted_ago=timedelta(hours=30))
    assert median_wait_seconds(queue_id=account_category.pk, now=timezone.now()) is None


def test_accepting_a_chat_records_how_long_it_waited(at_work, chat, citizen_a, operator_of_queue):
    OperatorProfile.objects.filter(user=operator_of_queue).update(presence=Presence.OFFLINE)
    chat_handoff(ticket=chat, actor=citizen_a)
    at_work.shift(95)
    OperatorProfile.objects.filter(user=operator_of_queue).update(presence=Presence.ONLINE)
    chat_accept(ticket=chat, operator=operator_of_queue)
    session = ChatSession.objects.get(ticket=chat)
    assert session.waited_seconds == 95 and session.accepted_at == timezone.now()


def queued(citizen, category):
    ticket = chat_open(citizen=citizen, text="Нужен оператор", category=category)
    chat_handoff(ticket=ticket, actor=citizen)
    return ChatSession.objects.select_related("ticket").get(ticket=ticket)


def history(citizen, category, waited=60):
    accepted_chat(citizen, category, waited=waited, accepted_ago=timedelta(minutes=10))


def test_the_status_frame_of_a_queued_chat_has_its_place_and_wait(citizen_a, citizen_b, account_category):
    history(citizen_a, account_category, waited=60)
    OperatorFactory(username="busy", profile__skills=[account_category], profile__capacity=0)
    first, second = queued(citizen_a, account_category), queued(citizen_b, account_category)
    assert status_frame(first) == {"type": "status", "status": "queued", "position": 1, "wait_seconds": 60}
    assert status_frame(second) == {"type": "status", "status": "queued", "position": 2, "wait_seconds": 120}


def test_several_free_operators_take_the_first_chats_together(citizen_a, citizen_b, account_category):
    history(citizen_a, account_category, waited=60)
    for name in ("olga2", "olga3"):
        OperatorFactory(username=name, profile__skills=[account_category], profile__presence=Presence.OFFLINE)
    first, second = queued(citizen_a, account_category), queued(citizen_b, account_category)
    OperatorProfile.objects.update(presence=Presence.ONLINE)
    assert status_frame(first)["wait_seconds"] == 60
    assert status_frame(second)["wait_seconds"] == 60


def test_with_nobody_online_the_frame_has_no_wait(citizen_a, account_category, operator_of_queue):
    OperatorProfile.objects.update(presence=Presence.OFFLINE)
    frame = status_frame(queued(citizen_a, account_category))
    assert frame == {"type": "status", "status": "queued", "position": 1}


def test_operators_of_another_queue_or_line_do_not_count(citizen_a, account_category, operator_of_other_queue):
    OperatorFactory(username="second", profile__skills=[account_category], profile__line=2)
    assert "wait_seconds" not in status_frame(queued(citizen_a, account_category))


# --- where the citizen reads it -----------------------------------------------------


@pytest.mark.django_db(transaction=True)
async def test_the_handoff_answers_with_a_status_frame_carrying_the_wait(citizen_a, account_category):
    await database_sync_to_async(history)(citizen_a, account_category, 60)
    await database_sync_to_async(OperatorFactory)(
        username="busy", profile__skills=[account_category], profile__capacity=0
    )
    ticket = await database_sync_to_async(chat_open)(citizen=citizen_a, text="Вопрос", category=account_category)
    communicator = WebsocketCommunicator(application, f"/ws/chat/{ticket.number}/", headers=[ORIGIN])
    communicator.scope["user"] = citizen_a
    assert (await communicator.connect())[0]
    await communicator.send_json_to({"type": "handoff"})
    frame = await communicator.receive_json_from(timeout=3)
    while frame["type"] != "status":
        frame = await communicator.receive_json_from(timeout=3)
    assert frame == {"type": "status", "status": "queued", "position": 1, "wait_seconds": 60}
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_when_a_chat_is_taken_the_chats_behind_it_hear_their_new_place(
    citizen_a, citizen_b, account_category, operator_of_queue
):
    await database_sync_to_async(OperatorProfile.objects.update)(presence=Presence.OFFLINE)
    first = await database_sync_to_async(queued)(citizen_a, account_category)
    second = await database_sync_to_async(queued)(citizen_b, account_category)
    communicator = WebsocketCommunicator(application, f"/ws/chat/{second.ticket.number}/", headers=[ORIGIN])
    communicator.scope["user"] = citizen_b
    assert (await communicator.connect())[0]
    await database_sync_to_async(OperatorProfile.objects.update)(presence=Presence.ONLINE)
    await database_sync_to_async(chat_accept)(ticket=first.ticket, operator=operator_of_queue)
    frame = await communicator.receive_json_from(timeout=3)
    while frame["type"] != "status":
        frame = await communicator.receive_json_from(timeout=3)
    assert frame["status"] == "queued" and frame["position"] == 1 and "wait_seconds" in frame
    await communicator.disconnect()


def test_the_chat_page_says_the_place_and_the_expected_wait(page_client, citizen_a, account_category):
    history(citizen_a, account_category, waited=150)
    OperatorFactory(username="busy", profile__skills=[account_category], profile__capacity=0)
    session = queued(citizen_a, account_category)
    page = page_client("citizen_a").get(reverse("chat:room", args=[session.ticket.number])).content.decode()
    assert "Your place in the queue: 1. Expected wait: about 3 min." in page
    assert 'data-wait="150"' in page
    assert 'role="status" data-chat-status' in page


def test_the_chat_page_says_less_than_a_minute_for_a_short_wait(page_client, citizen_a, account_category):
    history(citizen_a, account_category, waited=20)
    OperatorFactory(username="free", profile__skills=[account_category])
    session = queued(citizen_a, account_category)
    page = page_client("citizen_a").get(reverse("chat:room", args=[session.ticket.number])).content.decode()
    assert "Expected wait: less than a minute." in page


def test_the_chat_page_promises_no_wait_when_nobody_is_online(page_client, citizen_a, account_category):
    session = queued(citizen_a, account_category)
    page = page_client("citizen_a").get(reverse("chat:room", args=[session.ticket.number])).content.decode()
    said = re.search(r"data-chat-status>(.*?)</p>", page, re.S).group(1)
    assert said.strip() == "Waiting for an operator. Your place in the queue: 1."
    assert 'data-wait=""' in page


# --- the status read over REST ------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "code"),
    [
        ("citizen_a", 200),
        ("citizen_b", 404),
        ("operator_of_queue", 200),
        ("operator_of_other_queue", 404),
        ("supervisor", 200),
        (None, 401),
    ],
)
def test_the_status_api_answers_whoever_may_see_the_chat(
    request, client_for, citizen_a, account_category, persona, code
):
    history(citizen_a, account_category, waited=60)
    OperatorFactory(username="busy", profile__skills=[account_category], profile__capacity=0)
    session = queued(citizen_a, account_category)
    user = request.getfixturevalue(persona) if persona else None
    response = client_for(user).get(reverse("api-chat-status", args=[session.ticket.number]))
    assert response.status_code == code
    if code == 200:
        assert response.json() == {
            "number": session.ticket.number,
            "status": "queued",
            "position": 1,
            "wait_seconds": 60,
        }


def test_the_status_api_names_the_operator_once_assigned(client_for, citizen_a, account_category, operator_of_queue):
    session = queued(citizen_a, account_category)
    chat_accept(ticket=session.ticket, operator=operator_of_queue)
    body = client_for(citizen_a).get(reverse("api-chat-status", args=[session.ticket.number])).json()
    assert body["status"] == "assigned" and body["operator"]["id"] == operator_of_queue.pk
    assert "wait_seconds" not in body and "position" not in body


def test_the_status_api_is_404_for_an_appeal_that_is_not_a_chat(client_for, citizen_a, account_category):
    letter = ticket_create(channel=Channel.EMAIL, category=account_category, text="Письмо о доступе", citizen=citizen_a)
    assert client_for(citizen_a).get(reverse("api-chat-status", args=[letter.number])).status_code == 404
