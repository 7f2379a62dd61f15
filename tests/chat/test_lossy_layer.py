import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers
from channels.testing import WebsocketCommunicator

from chat.services import chat_open
from gosupport.asgi import application
from tickets.services import message_add

pytestmark = pytest.mark.django_db(transaction=True)
MESSAGES = 200


@pytest.fixture
def lossy_layer(settings):
    settings.CHANNEL_LAYERS = {
        "default": {"BACKEND": "tests.chat.lossy_layer.LossyInMemoryChannelLayer", "CONFIG": {"drop_rate": 0.05}}
    }
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


async def receive_messages(communicator, count: int) -> set[int]:
    seqs = set()
    while len(seqs) < count:
        frame = await communicator.receive_json_from(timeout=5)
        if frame["type"] == "message":
            seqs.add(frame["seq"])
    return seqs


async def test_a_layer_dropping_five_percent_loses_nothing_after_resume(
    lossy_layer, citizen_a, operator_of_queue, account_category
):
    ticket = await database_sync_to_async(chat_open)(citizen=citizen_a, text="Начало", category=account_category)
    communicator = WebsocketCommunicator(
        application, f"/ws/chat/{ticket.number}/", headers=[(b"origin", b"http://localhost")]
    )
    communicator.scope["user"] = citizen_a
    assert (await communicator.connect())[0]
    for n in range(MESSAGES):
        await database_sync_to_async(message_add)(ticket=ticket, author=operator_of_queue, text=f"m{n}")
    layer = channel_layers["default"]
    assert layer.dropped > 0
    live = await receive_messages(communicator, MESSAGES - layer.dropped)
    assert len(live) < MESSAGES
    # The client resumes from the last seq it holds without a gap, as the chat page does.
    contiguous = 1
    while contiguous + 1 in live:
        contiguous += 1
    await communicator.send_json_to({"type": "resume", "after_seq": contiguous})
    replayed = await receive_messages(communicator, MESSAGES + 1 - contiguous)
    assert live | replayed | {1} == set(range(1, MESSAGES + 2))
    await communicator.disconnect()
