import asyncio
import uuid

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser

from chat.realtime import room_group, user_group
from chat.services import chat_open
from gosupport.asgi import application
from tickets.models import Message

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://localhost")


@pytest.fixture
def chat_ticket(citizen_a, account_category):
    return chat_open(citizen=citizen_a, text="Не приходит СМС с кодом подтверждения", category=account_category)


async def connect(user, number, headers=(ORIGIN,)):
    communicator = WebsocketCommunicator(application, f"/ws/chat/{number}/", headers=list(headers))
    communicator.scope["user"] = user
    connected, code = await communicator.connect()
    return communicator, connected, code


async def test_citizen_message_is_acked_with_next_seq_and_stored_once(citizen_a, chat_ticket):
    communicator, connected, _ = await connect(citizen_a, chat_ticket.number)
    assert connected
    client_id = str(uuid.uuid4())
    for _attempt in range(2):
        await communicator.send_json_to({"type": "message", "client_id": client_id, "text": "Код не приходит"})
        ack = await communicator.receive_json_from()
        while ack["type"] != "ack":
            ack = await communicator.receive_json_from()
        assert ack == {"type": "ack", "client_id": client_id, "seq": 2}
    assert await database_sync_to_async(Message.objects.filter(client_id=client_id).count)() == 1
    await communicator.disconnect()


async def test_resume_replays_messages_after_seq(citizen_a, chat_ticket):
    communicator, connected, _ = await connect(citizen_a, chat_ticket.number)
    await communicator.send_json_to({"type": "resume", "after_seq": 0})
    frame = await communicator.receive_json_from()
    assert frame["type"] == "message" and frame["seq"] == 1 and frame["author"] == "citizen"
    await communicator.disconnect()


async def test_another_citizen_cannot_join_the_room(citizen_b, chat_ticket):
    _communicator, connected, code = await connect(citizen_b, chat_ticket.number)
    assert not connected and code == 4404


async def test_anonymous_is_refused(chat_ticket):
    _communicator, connected, code = await connect(AnonymousUser(), chat_ticket.number)
    assert not connected and code == 4401


async def test_foreign_origin_is_refused(citizen_a, chat_ticket):
    _communicator, connected, _ = await connect(
        citizen_a, chat_ticket.number, headers=[(b"origin", b"https://evil.example")]
    )
    assert not connected


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "nonsense"},
        {"type": "message", "client_id": "not-a-uuid", "text": "x"},
        {"type": "message", "client_id": str(uuid.uuid4())},
        {"type": "resume", "after_seq": -1},
        {"type": "read", "seq": "x"},
    ],
)
async def test_bad_frames_get_an_error_frame(citizen_a, chat_ticket, frame):
    communicator, _connected, _ = await connect(citizen_a, chat_ticket.number)
    await communicator.send_json_to(frame)
    answer = await communicator.receive_json_from()
    assert answer["type"] == "error" and answer["detail"]
    await communicator.disconnect()


async def test_invalid_json_gets_an_error_frame(citizen_a, chat_ticket):
    communicator, _connected, _ = await connect(citizen_a, chat_ticket.number)
    await communicator.send_to(text_data="{not json")
    answer = await communicator.receive_json_from()
    assert answer["type"] == "error"
    await communicator.disconnect()


async def test_operator_reply_over_any_door_reaches_the_citizens_socket(citizen_a, operator_of_queue, chat_ticket):
    from tickets.services import message_add

    communicator, _connected, _ = await connect(citizen_a, chat_ticket.number)
    await database_sync_to_async(message_add)(
        ticket=chat_ticket, author=operator_of_queue, text="Здравствуйте! Проверю."
    )
    frame = await communicator.receive_json_from(timeout=3)
    while frame["type"] != "message":
        frame = await communicator.receive_json_from(timeout=3)
    assert frame["author"] == "operator" and frame["text"] == "Здравствуйте! Проверю."
    await communicator.disconnect()


async def test_private_notes_never_reach_the_citizen(citizen_a, operator_of_queue, chat_ticket):
    from tickets.services import message_add

    communicator, _connected, _ = await connect(citizen_a, chat_ticket.number)
    await database_sync_to_async(message_add)(ticket=chat_ticket, author=operator_of_queue, text="note", internal=True)
    await database_sync_to_async(message_add)(ticket=chat_ticket, author=operator_of_queue, text="public")
    frame = await communicator.receive_json_from(timeout=3)
    while frame["type"] != "message":
        frame = await communicator.receive_json_from(timeout=3)
    assert frame["text"] == "public"
    await communicator.disconnect()


async def test_signing_out_closes_the_users_sockets(citizen_a, chat_ticket):
    from django.contrib.auth.signals import user_logged_out

    communicator, connected, _ = await connect(citizen_a, chat_ticket.number)
    assert connected
    await database_sync_to_async(user_logged_out.send)(sender=type(citizen_a), request=None, user=citizen_a)
    assert (await communicator.receive_output(timeout=3))["type"] == "websocket.close"


async def test_deactivating_a_user_closes_their_sockets(citizen_a, chat_ticket):
    communicator, _connected, _ = await connect(citizen_a, chat_ticket.number)

    def deactivate():
        citizen_a.is_active = False
        citizen_a.save(update_fields=["is_active"])

    await database_sync_to_async(deactivate)()
    assert (await communicator.receive_output(timeout=3))["type"] == "websocket.close"


async def test_a_flood_of_frames_is_throttled_with_an_error_frame(settings, citizen_a, chat_ticket):
    settings.CHAT_FRAMES_PER_SECOND, settings.CHAT_FRAMES_BURST = 0.001, 3
    communicator, _connected, _ = await connect(citizen_a, chat_ticket.number)
    for _n in range(4):
        await communicator.send_json_to({"type": "typing"})
    answer = await communicator.receive_json_from(timeout=3)
    while answer["type"] == "typing":
        answer = await communicator.receive_json_from(timeout=3)
    assert answer == {"type": "error", "code": "throttled", "detail": answer["detail"]}
    await communicator.disconnect()


async def test_citizen_can_mark_as_read_a_reply_sent_after_their_socket_opened(
    citizen_a, operator_of_queue, chat_ticket
):
    from chat.models import ChatSession
    from tickets.models import Ticket
    from tickets.services import message_add

    communicator, _connected, _ = await connect(citizen_a, chat_ticket.number)
    other_door = await database_sync_to_async(Ticket.objects.get)(pk=chat_ticket.pk)
    reply = await database_sync_to_async(message_add)(ticket=other_door, author=operator_of_queue, text="Проверю.")
    await communicator.send_json_to({"type": "read", "seq": reply.seq})
    frame = await communicator.receive_json_from(timeout=3)
    while frame["type"] != "read":
        frame = await communicator.receive_json_from(timeout=3)
    assert frame["seq"] == reply.seq
    session = await database_sync_to_async(ChatSession.objects.get)(ticket=chat_ticket)
    assert session.citizen_read_seq == reply.seq
    await communicator.disconnect()


async def test_an_appeal_that_is_not_a_chat_has_no_chat_room(citizen_a, account_category):
    from tickets.models import Channel
    from tickets.services import ticket_create

    letter = await database_sync_to_async(ticket_create)(
        channel=Channel.EMAIL,
        category=account_category,
        text="Прошу разъяснить порядок восстановления доступа к кабинету.",
        citizen=citizen_a,
        contact_email=citizen_a.email,
    )
    _communicator, connected, code = await connect(citizen_a, letter.number)
    assert not connected and code == 4404


async def test_a_socket_ended_without_a_disconnect_leaves_its_groups(citizen_a, chat_ticket):
    communicator, connected, _ = await connect(citizen_a, chat_ticket.number)
    assert connected
    layer = get_channel_layer()
    groups = (room_group(chat_ticket.pk), user_group(citizen_a.pk))
    assert all(group_members(layer, group) for group in groups)
    communicator.future.cancel()  # what daphne does to an application that outlives its socket
    with pytest.raises(asyncio.CancelledError):
        await communicator.future
    assert not any(group_members(layer, group) for group in groups)


def group_members(layer, group: str):
    """The group's channels in this process: the in-memory layer's, or the Redis pub/sub layer's."""
    if hasattr(layer, "_get_layer"):
        loop_layer = layer._get_layer()
        return loop_layer.groups.get(loop_layer._get_group_channel_name(group), set())
    return layer.groups.get(group, {})
