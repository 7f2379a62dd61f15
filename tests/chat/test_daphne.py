"""The chat through real daphne processes and Redis: scale-out and crash safety."""

import asyncio
import json
import os
import uuid

import pytest
import websockets
from channels.db import database_sync_to_async
from django.db import connection
from rest_framework.authtoken.models import Token

from chat.services import chat_accept, chat_handoff, chat_open
from tests.chat.daphne_fixtures import start_daphne, stop
from tickets.services import message_add

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


@pytest.fixture
def redis_url():
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("needs PostgreSQL and REDIS_URL (two processes share the database and the channel layer)")
    return os.environ["REDIS_URL"]


@pytest.fixture
def two_daphnes(redis_url):
    started = [start_daphne(redis_url) for _ in range(2)]
    yield [port for _process, port in started], [process for process, _port in started]
    for process, _port in started:
        stop(process)


@pytest.fixture
def assigned_chat(citizen_a, operator_of_queue, account_category):
    ticket = chat_open(citizen=citizen_a, text="Оператора, пожалуйста", category=account_category)
    chat_handoff(ticket=ticket, actor=citizen_a)
    chat_accept(ticket=ticket, operator=operator_of_queue)
    return ticket


def token_for(user) -> str:
    return Token.objects.get_or_create(user=user)[0].key


async def open_room(port: int, number: str, token: str):
    return await websockets.connect(
        f"ws://127.0.0.1:{port}/ws/chat/{number}/", additional_headers={"Authorization": f"Token {token}"}
    )


async def next_frame(ws, frame_type: str, timeout: float = 5, **expected) -> dict:
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == frame_type and all(frame.get(k) == v for k, v in expected.items()):
                return frame


async def test_citizen_and_operator_on_different_processes_talk(
    two_daphnes, assigned_chat, citizen_a, operator_of_queue
):
    (port_a, port_b), _processes = two_daphnes
    citizen_token, operator_token = await database_sync_to_async(
        lambda: (token_for(citizen_a), token_for(operator_of_queue))
    )()
    citizen = await open_room(port_a, assigned_chat.number, citizen_token)
    operator = await open_room(port_b, assigned_chat.number, operator_token)
    await citizen.send(json.dumps({"type": "message", "client_id": str(uuid.uuid4()), "text": "Код не приходит"}))
    seen_by_operator = await next_frame(operator, "message", author="citizen")
    assert seen_by_operator["text"] == "Код не приходит" and seen_by_operator["author"] == "citizen"
    await operator.send(json.dumps({"type": "message", "client_id": str(uuid.uuid4()), "text": "Проверяю"}))
    seen_by_citizen = await next_frame(citizen, "message", author="operator")
    assert seen_by_citizen["text"] == "Проверяю" and seen_by_citizen["author"] == "operator"
    await citizen.close()
    await operator.close()


async def test_a_killed_daphne_loses_nothing_after_resume(two_daphnes, assigned_chat, citizen_a, operator_of_queue):
    (port_a, port_b), (process_a, _process_b) = two_daphnes
    citizen_token = await database_sync_to_async(token_for)(citizen_a)
    citizen = await open_room(port_a, assigned_chat.number, citizen_token)
    await citizen.send(json.dumps({"type": "resume", "after_seq": 0}))
    last_seen = 0
    while last_seen < assigned_chat.last_seq:
        last_seen = (await next_frame(citizen, "message"))["seq"]
    process_a.kill()
    for n in range(5):
        await database_sync_to_async(message_add)(ticket=assigned_chat, author=operator_of_queue, text=f"ответ {n}")
    citizen = await open_room(port_b, assigned_chat.number, citizen_token)
    await citizen.send(json.dumps({"type": "resume", "after_seq": last_seen}))
    replayed = [(await next_frame(citizen, "message"))["text"] for _ in range(5)]
    assert replayed == [f"ответ {n}" for n in range(5)]
    await citizen.close()
