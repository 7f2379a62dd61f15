import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator

from chat.models import ChatSession, Phase
from chat.services import chat_handoff, chat_open
from gosupport.asgi import application
from gosupport.models import OperatorProfile, Presence

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://localhost")


async def desk(user):
    communicator = WebsocketCommunicator(application, "/ws/operator/", headers=[ORIGIN])
    communicator.scope["user"] = user
    connected, code = await communicator.connect()
    return communicator, connected, code


@pytest.fixture
def queued_chat(citizen_a, account_category, operator_of_queue):
    OperatorProfile.objects.filter(user=operator_of_queue).update(presence=Presence.OFFLINE)
    ticket = chat_open(citizen=citizen_a, text="Хочу поговорить с оператором", category=account_category)
    chat_handoff(ticket=ticket, actor=citizen_a)
    return ticket


async def test_operator_going_online_gets_the_offer_and_accepts(operator_of_queue, queued_chat):
    communicator, connected, _ = await desk(operator_of_queue)
    assert connected
    await communicator.send_json_to({"type": "presence", "status": "online"})
    offer = await communicator.receive_json_from(timeout=3)
    assert offer["type"] == "offer" and offer["ticket"] == queued_chat.number
    await communicator.send_json_to({"type": "accept", "ticket": queued_chat.number})
    assigned = await communicator.receive_json_from(timeout=3)
    assert assigned == {"type": "assigned", "ticket": queued_chat.number}
    session = await database_sync_to_async(ChatSession.objects.select_related("ticket").get)(ticket=queued_chat)
    assert session.phase == Phase.ASSIGNED and session.ticket.assignee_id == operator_of_queue.pk
    await communicator.disconnect()


async def test_operator_of_another_queue_cannot_accept(operator_of_other_queue, queued_chat):
    communicator, _connected, _ = await desk(operator_of_other_queue)
    await communicator.send_json_to({"type": "accept", "ticket": queued_chat.number})
    answer = await communicator.receive_json_from()
    assert answer["type"] == "error"
    await communicator.disconnect()


async def test_citizen_cannot_open_the_desk(citizen_a):
    _communicator, connected, _ = await desk(citizen_a)
    assert not connected


async def test_bad_presence_gets_an_error(operator_of_queue):
    communicator, _connected, _ = await desk(operator_of_queue)
    await communicator.send_json_to({"type": "presence", "status": "sleeping"})
    assert (await communicator.receive_json_from())["type"] == "error"
    await communicator.disconnect()


async def test_close_needs_a_resolution(operator_of_queue, queued_chat):
    communicator, _connected, _ = await desk(operator_of_queue)
    await communicator.send_json_to({"type": "close", "ticket": queued_chat.number, "resolution": " "})
    assert (await communicator.receive_json_from())["type"] == "error"
    await communicator.disconnect()


async def test_staff_session_without_second_factor_cannot_open_the_desk(settings, operator_of_queue):
    settings.STAFF_2FA_REQUIRED = True
    communicator = WebsocketCommunicator(application, "/ws/operator/", headers=[ORIGIN])
    communicator.scope["user"] = operator_of_queue
    connected, _code = await communicator.connect()
    assert not connected


async def test_deactivated_user_cannot_connect(operator_of_queue):
    operator_of_queue.is_active = False
    _communicator, connected, _code = await desk(operator_of_queue)
    assert not connected


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "accept"},
        {"type": "transfer", "queue": "second_line"},
        {"type": "close", "resolution": "Answered."},
    ],
)
async def test_a_desk_frame_about_an_appeal_that_is_not_a_chat_gets_an_error(
    citizen_a, account_category, operator_of_queue, frame
):
    from tickets.models import Channel
    from tickets.services import ticket_create

    letter = await database_sync_to_async(ticket_create)(
        channel=Channel.EMAIL,
        category=account_category,
        text="Прошу разъяснить порядок восстановления доступа к кабинету.",
        citizen=citizen_a,
        contact_email=citizen_a.email,
    )
    communicator, _connected, _ = await desk(operator_of_queue)
    await communicator.send_json_to({**frame, "ticket": letter.number})
    answer = await communicator.receive_json_from(timeout=3)
    assert answer["type"] == "error" and answer["code"] == "invalid"
    await communicator.disconnect()
