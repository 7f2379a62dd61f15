"""Who may transfer or close a chat: its operator, a senior operator of its queue, a
supervisor. Everybody else is refused with the same words through every door: the
desk socket, the workspace pages, the REST API and the services themselves."""

import pytest
from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.urls import reverse
from django.utils import translation

from chat.models import ChatSession, Phase
from chat.services import ChatControlDenied, chat_accept, chat_close, chat_handoff, chat_open, chat_transfer
from gosupport.asgi import application
from gosupport.models import Line
from tests.factories import OperatorFactory
from tickets.models import EventKind, Status, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """Services speak the active language (Russian by default): the tests quote the msgids."""
    with translation.override("en"):
        yield


ORIGIN = (b"origin", b"http://localhost")
REFUSAL = (
    "Only the operator answering this chat, a senior operator of its queue or a supervisor can transfer or close it."
)


@pytest.fixture
def assigned_chat(citizen_a, account_category, operator_of_queue):
    ticket = chat_open(citizen=citizen_a, text="Не приходит код", category=account_category)
    chat_handoff(ticket=ticket, actor=citizen_a)
    chat_accept(ticket=ticket, operator=operator_of_queue)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def colleague(account_category):
    """An operator of the same queue who is not answering the chat."""
    return OperatorFactory(username="olga-2", profile__skills=[account_category])


@pytest.fixture
def senior(account_category):
    return OperatorFactory(username="senior", profile__skills=[account_category], profile__is_senior=True)


@pytest.fixture
def senior_of_other_queue(applications_category):
    return OperatorFactory(username="senior-2", profile__skills=[applications_category], profile__is_senior=True)


def refusal_in_any_language() -> set[str]:
    """The socket answers in the default language (Russian once the catalogue has the words)."""
    with translation.override("ru"):
        return {REFUSAL, translation.gettext(REFUSAL)}


def phase_of(ticket) -> str:
    return ChatSession.objects.get(ticket=ticket).phase


# --- the services -------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["operator_of_queue", "senior", "supervisor"])
def test_its_operator_a_senior_of_the_queue_and_a_supervisor_may_close(request, assigned_chat, persona):
    chat_close(ticket=assigned_chat, operator=request.getfixturevalue(persona), resolution="Код отправлен")
    assert phase_of(assigned_chat) == Phase.CLOSED


@pytest.mark.parametrize("persona", ["colleague", "senior_of_other_queue", "second_line_operator"])
def test_others_may_not_close_and_nothing_changes(request, assigned_chat, persona):
    with pytest.raises(ChatControlDenied, match="senior operator of its queue"):
        chat_close(ticket=assigned_chat, operator=request.getfixturevalue(persona), resolution="Закрыто")
    assigned_chat.refresh_from_db()
    assert phase_of(assigned_chat) == Phase.ASSIGNED and assigned_chat.status == Status.IN_PROGRESS


@pytest.mark.parametrize("persona", ["colleague", "senior_of_other_queue"])
def test_others_may_not_transfer_and_nothing_changes(request, assigned_chat, operator_of_queue, persona):
    with pytest.raises(ChatControlDenied):
        chat_transfer(ticket=assigned_chat, queue="second_line", operator=request.getfixturevalue(persona))
    assigned_chat.refresh_from_db()
    assert assigned_chat.line == Line.FIRST and assigned_chat.assignee == operator_of_queue
    assert not assigned_chat.events.filter(kind=EventKind.TRANSFERRED).exists()


def test_a_senior_of_the_queue_may_transfer(assigned_chat, senior, second_line_operator):
    chat_transfer(ticket=assigned_chat, queue="second_line", operator=senior)
    assigned_chat.refresh_from_db()
    assert assigned_chat.line == Line.SECOND


def test_a_queued_chat_nobody_answers_is_transferred_by_a_supervisor_only(
    citizen_a, account_category, operator_of_queue, supervisor
):
    ticket = chat_open(citizen=citizen_a, text="Вопрос", category=account_category)
    chat_handoff(ticket=ticket, actor=citizen_a)
    with pytest.raises(ChatControlDenied):
        chat_transfer(ticket=ticket, queue="second_line", operator=operator_of_queue)
    chat_transfer(ticket=ticket, queue="second_line", operator=supervisor)
    assert Ticket.objects.get(pk=ticket.pk).line == Line.SECOND


def test_the_system_still_closes_and_transfers(assigned_chat):
    """Routing and the SLA sweep act without a person: the rule is about people."""
    from tickets.routing import ticket_transfer

    ticket_transfer(ticket=assigned_chat, queue=assigned_chat.queue, line=Line.SECOND, actor=None)
    assert Ticket.objects.get(pk=assigned_chat.pk).line == Line.SECOND


# --- the desk socket ----------------------------------------------------------------


async def desk(user):
    communicator = WebsocketCommunicator(application, "/ws/operator/", headers=[ORIGIN])
    communicator.scope["user"] = user
    assert (await communicator.connect())[0]
    return communicator


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "frame", [{"type": "transfer", "queue": "second_line"}, {"type": "close", "resolution": "Закрыто"}]
)
async def test_a_colleague_gets_a_forbidden_error_frame_on_the_desk(assigned_chat, colleague, frame):
    communicator = await desk(colleague)
    await communicator.send_json_to({**frame, "ticket": assigned_chat.number})
    answer = await communicator.receive_json_from(timeout=3)
    assert answer["type"] == "error" and answer["code"] == "forbidden"
    assert answer["detail"] in refusal_in_any_language()
    assert await database_sync_to_async(phase_of)(assigned_chat) == Phase.ASSIGNED
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_supervisor_closes_over_the_desk(assigned_chat, supervisor):
    communicator = await desk(supervisor)
    await communicator.send_json_to({"type": "close", "ticket": assigned_chat.number, "resolution": "Решено"})
    assert await communicator.receive_nothing(timeout=1)
    assert await database_sync_to_async(phase_of)(assigned_chat) == Phase.CLOSED
    await communicator.disconnect()


# --- the pages ----------------------------------------------------------------------


def test_the_workspace_refuses_a_colleagues_transfer_with_the_reason(page_client, assigned_chat, colleague):
    response = page_client("colleague").post(
        reverse("workspace:transfer", args=[assigned_chat.number]),
        {"transfer-queue": assigned_chat.queue_id, "transfer-line": Line.SECOND},
    )
    assert response.status_code == 403 and REFUSAL in response.content.decode()
    assert Ticket.objects.get(pk=assigned_chat.pk).line == Line.FIRST


def test_the_workspace_refuses_a_colleagues_closing_with_the_reason(page_client, assigned_chat, colleague):
    response = page_client("colleague").post(
        reverse("workspace:status", args=[assigned_chat.number]),
        {"status-to_status": Status.COMPLETED, "status-resolution": "Готово"},
    )
    assert response.status_code == 403 and REFUSAL in response.content.decode()
    assert Ticket.objects.get(pk=assigned_chat.pk).status == Status.IN_PROGRESS


def test_the_workspace_lets_the_chats_operator_close_it(page_client, assigned_chat):
    response = page_client("operator_of_queue").post(
        reverse("workspace:status", args=[assigned_chat.number]),
        {"status-to_status": Status.COMPLETED, "status-resolution": "Готово"},
    )
    assert response.status_code == 302
    assert Ticket.objects.get(pk=assigned_chat.pk).status == Status.COMPLETED


def test_putting_a_chat_on_hold_for_documents_is_not_closing_it(page_client, assigned_chat):
    response = page_client("colleague").post(
        reverse("workspace:status", args=[assigned_chat.number]), {"status-to_status": Status.WAITING_DOCUMENTS}
    )
    assert response.status_code == 302


def test_the_desk_shows_transfer_and_close_only_to_who_may_use_them(page_client, assigned_chat, colleague):
    mine = page_client("operator_of_queue").get(reverse("chat:desk_chat", args=[assigned_chat.number]))
    assert "data-desk-transfer" in mine.content.decode() and "data-desk-close" in mine.content.decode()
    theirs = page_client("colleague").get(reverse("chat:desk_chat", args=[assigned_chat.number])).content.decode()
    assert "data-desk-transfer" not in theirs and "data-desk-close" not in theirs
    assert REFUSAL in theirs


# --- REST -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "code"),
    [("colleague", 403), ("senior_of_other_queue", 404), ("senior", 200), ("operator_of_queue", 200)],
)
def test_closing_a_chat_over_rest_follows_the_same_rule(request, client_for, assigned_chat, persona, code):
    response = client_for(request.getfixturevalue(persona)).post(
        reverse("api-ticket-change-status", args=[assigned_chat.number]),
        {"status": Status.COMPLETED, "resolution": "Готово"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == code
    if code == 403:
        assert response.json() == {"detail": REFUSAL}
    expected = Status.COMPLETED if code == 200 else Status.IN_PROGRESS
    assert Ticket.objects.get(pk=assigned_chat.pk).status == expected


def test_the_rule_is_for_chats_only(client_for, citizen_a, account_category, operator_of_queue, colleague):
    from tickets.models import Channel
    from tickets.services import ticket_create, ticket_transition

    letter = ticket_create(channel=Channel.EMAIL, category=account_category, text="Письмо", citizen=citizen_a)
    ticket_transition(ticket=letter, to_status=Status.IN_PROGRESS, actor=operator_of_queue)
    response = client_for(colleague).post(
        reverse("api-ticket-change-status", args=[letter.number]),
        {"status": Status.COMPLETED, "resolution": "Готово"},
        format="json",
    )
    assert response.status_code == 200
