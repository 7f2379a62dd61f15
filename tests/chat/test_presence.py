"""Presence follows the desk socket: an open /ws/operator/ keeps the operator's desk seen;
when the last one closes, the operator goes offline after the grace period and the chats
offered to them move on. A reconnect within the grace keeps the presence."""

import asyncio
from datetime import timedelta

import pytest
import time_machine
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.utils import timezone

from chat.models import ChatSession
from chat.presence import operator_desk_seen, operators_presence_sweep
from chat.services import chat_handoff, chat_open, operator_presence_set
from gosupport.asgi import application
from gosupport.models import AuditLog, OperatorProfile, Presence
from tests.chat.conftest import MONDAY_MORNING
from tests.factories import OperatorFactory

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://localhost")


@pytest.fixture
def clock():
    """Time stands still unless shifted; asyncio's own clock keeps running."""
    with time_machine.travel(MONDAY_MORNING, tick=False) as traveller:
        yield traveller


@pytest.fixture
def grace(settings):
    settings.CHAT_DESK_GRACE_SECONDS = 60
    settings.CHAT_DESK_HEARTBEAT_SECONDS = 0.05
    return 60


async def open_desk(user):
    communicator = WebsocketCommunicator(application, "/ws/operator/", headers=[ORIGIN])
    communicator.scope["user"] = user
    assert (await communicator.connect())[0]
    return communicator


def presence_of(user) -> str:
    return OperatorProfile.objects.get(user=user).presence


def seen_at(user):
    return OperatorProfile.objects.get(user=user).desk_seen_at


sweep = database_sync_to_async(operators_presence_sweep)
presence = database_sync_to_async(presence_of)


async def test_opening_the_desk_marks_it_seen(clock, grace, operator_of_queue):
    desk = await open_desk(operator_of_queue)
    assert await database_sync_to_async(seen_at)(operator_of_queue) == timezone.now()
    await desk.disconnect()


async def test_an_open_desk_keeps_the_operator_online_however_long(clock, grace, operator_of_queue):
    await database_sync_to_async(operator_presence_set)(operator=operator_of_queue, presence=Presence.ONLINE)
    desk = await open_desk(operator_of_queue)
    clock.shift(timedelta(minutes=10))
    await asyncio.sleep(0.3)  # a few server-side heartbeats, no client frame at all
    assert await database_sync_to_async(seen_at)(operator_of_queue) == timezone.now()
    assert await sweep() == 0
    assert await presence(operator_of_queue) == Presence.ONLINE
    await desk.disconnect()


async def test_after_the_last_desk_closes_the_operator_goes_offline_once_the_grace_is_over(
    clock, grace, operator_of_queue
):
    await database_sync_to_async(operator_presence_set)(operator=operator_of_queue, presence=Presence.ONLINE)
    desk = await open_desk(operator_of_queue)
    clock.shift(timedelta(minutes=5))
    await desk.disconnect()  # the grace counts from here
    clock.shift(grace - 1)
    assert await sweep() == 0 and await presence(operator_of_queue) == Presence.ONLINE
    clock.shift(2)
    assert await sweep() == 1 and await presence(operator_of_queue) == Presence.OFFLINE
    assert await sweep() == 0  # a second run finds nothing left to do


async def test_reconnecting_within_the_grace_keeps_the_presence(clock, grace, operator_of_queue):
    await database_sync_to_async(operator_presence_set)(operator=operator_of_queue, presence=Presence.ONLINE)
    desk = await open_desk(operator_of_queue)
    await desk.disconnect()
    clock.shift(grace - 10)
    desk = await open_desk(operator_of_queue)  # a reload, or another daphne after a restart
    clock.shift(30)
    assert await sweep() == 0 and await presence(operator_of_queue) == Presence.ONLINE
    await desk.disconnect()
    clock.shift(grace + 1)
    assert await sweep() == 1 and await presence(operator_of_queue) == Presence.OFFLINE


async def test_a_second_desk_still_open_keeps_the_operator_online(clock, grace, operator_of_queue):
    await database_sync_to_async(operator_presence_set)(operator=operator_of_queue, presence=Presence.ONLINE)
    first, second = await open_desk(operator_of_queue), await open_desk(operator_of_queue)
    await first.disconnect()
    clock.shift(grace * 3)
    await asyncio.sleep(0.3)
    assert await sweep() == 0 and await presence(operator_of_queue) == Presence.ONLINE
    await second.disconnect()


async def test_the_offer_pending_to_a_vanished_operator_moves_to_the_next(
    settings, clock, grace, citizen_a, account_category, operator_of_queue
):
    settings.CHAT_OFFER_SECONDS = 600  # the offer itself has not run out: only the vanished desk moves it
    other = await database_sync_to_async(OperatorFactory)(
        username="olga-2", profile__skills=[account_category], profile__presence=Presence.OFFLINE
    )
    await database_sync_to_async(operator_presence_set)(operator=operator_of_queue, presence=Presence.ONLINE)
    desk = await open_desk(operator_of_queue)
    ticket = await database_sync_to_async(chat_open)(citizen=citizen_a, text="Вопрос", category=account_category)
    await database_sync_to_async(chat_handoff)(ticket=ticket, actor=citizen_a)
    offer = await desk.receive_json_from(timeout=3)
    assert offer["type"] == "offer" and offer["ticket"] == ticket.number
    await desk.disconnect()

    clock.shift(grace + 1)
    other_desk = await open_desk(other)
    await database_sync_to_async(operator_presence_set)(operator=other, presence=Presence.ONLINE)
    assert await other_desk.receive_nothing(timeout=0.3)
    assert await sweep() == 1
    moved = await other_desk.receive_json_from(timeout=3)
    assert moved["type"] == "offer" and moved["ticket"] == ticket.number
    session = await database_sync_to_async(ChatSession.objects.get)(ticket=ticket)
    assert session.offered_to_id == other.pk
    await other_desk.disconnect()


def test_the_sweep_leaves_offline_and_recent_desks_alone_and_records_who_it_set_offline(grace, account_category):
    now = timezone.now()
    gone = OperatorFactory(username="gone", profile__skills=[account_category])
    away = OperatorFactory(username="away", profile__skills=[account_category], profile__presence=Presence.AWAY)
    here = OperatorFactory(username="here", profile__skills=[account_category])
    off = OperatorFactory(username="off", profile__skills=[account_category], profile__presence=Presence.OFFLINE)
    OperatorProfile.objects.filter(user__in=[gone, away, off]).update(desk_seen_at=now - timedelta(minutes=5))
    operator_desk_seen(operator=here, now=now - timedelta(seconds=10))
    assert operators_presence_sweep(now=now) == 2
    assert [presence_of(u) for u in (gone, away, here, off)] == ["offline", "offline", "online", "offline"]
    audited = AuditLog.objects.filter(object_type="gosupport.operatorprofile", fields=["presence"])
    assert {int(r.object_id) for r in audited} == {gone.operator_profile.pk, away.operator_profile.pk}


def test_an_operator_online_without_ever_opening_a_desk_stays_online(grace, operator_of_queue):
    assert OperatorProfile.objects.get(user=operator_of_queue).desk_seen_at is None
    assert operators_presence_sweep(now=timezone.now() + timedelta(hours=8)) == 0
    assert presence_of(operator_of_queue) == Presence.ONLINE


def test_choosing_a_presence_on_the_desk_counts_as_the_desk_seen(grace, operator_of_queue):
    operator_presence_set(operator=operator_of_queue, presence=Presence.ONLINE, from_desk=True)
    assert operators_presence_sweep() == 0
    assert operators_presence_sweep(now=timezone.now() + timedelta(seconds=grace + 1)) == 1


def test_a_presence_chosen_without_the_desk_is_not_ended_by_an_old_desk(grace, operator_of_queue):
    operator_desk_seen(operator=operator_of_queue, now=timezone.now() - timedelta(hours=1))
    operator_presence_set(operator=operator_of_queue, presence=Presence.ONLINE)
    assert operators_presence_sweep(now=timezone.now() + timedelta(hours=1)) == 0
    assert presence_of(operator_of_queue) == Presence.ONLINE


def test_going_away_passes_the_pending_offer_on(citizen_a, account_category, operator_of_queue):
    other = OperatorFactory(username="olga-2", profile__skills=[account_category], profile__presence=Presence.OFFLINE)
    ticket = chat_open(citizen=citizen_a, text="Вопрос", category=account_category)
    chat_handoff(ticket=ticket, actor=citizen_a)
    assert ChatSession.objects.get(ticket=ticket).offered_to_id == operator_of_queue.pk
    operator_presence_set(operator=other, presence=Presence.ONLINE)
    operator_presence_set(operator=operator_of_queue, presence=Presence.AWAY)
    assert ChatSession.objects.get(ticket=ticket).offered_to_id == other.pk
