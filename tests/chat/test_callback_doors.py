"""Call backs through their doors: the JSON API for apps (GET slots, POST book, DELETE
cancel), the citizen's pages (the chat and the appeal), the operators' list of due call
backs, and the supervisors' read-only admin. Who may use each, and bad inputs."""

from datetime import datetime, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from chat.callbacks import callback_book, callbacks_sweep
from chat.models import CallbackRequest, CallbackStatus
from chat.services import chat_open
from gosupport.models import AuditLog
from tests.chat.conftest import MOSCOW
from tests.factories import UserFactory
from tickets.models import Channel, EventKind, TicketEvent
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

TUESDAY_11 = datetime(2026, 11, 24, 11, 0, tzinfo=MOSCOW)
PERSONAS = [
    ("citizen_a", None),
    ("citizen_b", 404),
    ("operator_of_queue", 403),
    ("operator_of_other_queue", 404),
    ("supervisor", 403),
    (None, 401),
]


@pytest.fixture
def chat(at_work, citizen_a, account_category):
    return chat_open(citizen=citizen_a, text="Не приходит код подтверждения", category=account_category)


def api_url(chat) -> str:
    return reverse("api-chat-callback", args=[chat.number])


def book(chat, citizen, when=TUESDAY_11):
    return callback_book(ticket=chat, citizen=citizen, scheduled_at=when)


def user_of(request, persona):
    return request.getfixturevalue(persona) if persona else None


# --- the API ------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "refused"), PERSONAS)
def test_only_the_chats_citizen_reads_the_slots(request, client_for, chat, persona, refused):
    response = client_for(user_of(request, persona)).get(api_url(chat))
    assert response.status_code == (refused or 200)
    if not refused:
        body = response.json()
        assert body["phone"] == "+79161234567" and body["callback"] is None
        assert datetime.fromisoformat(body["slots"][0]) == datetime(2026, 11, 23, 10, 30, tzinfo=MOSCOW)


@pytest.mark.parametrize(("persona", "refused"), PERSONAS)
def test_only_the_chats_citizen_books(request, client_for, chat, persona, refused):
    response = client_for(user_of(request, persona)).post(
        api_url(chat), {"scheduled_at": TUESDAY_11.isoformat()}, format="json"
    )
    assert response.status_code == (refused or 201)
    assert CallbackRequest.objects.count() == (0 if refused else 1)
    if not refused:
        body = response.json()
        assert body["status"] == "requested" and body["phone"] == "+79161234567"
        assert datetime.fromisoformat(body["scheduled_at"]) == TUESDAY_11


@pytest.mark.parametrize(("persona", "refused"), PERSONAS)
def test_only_the_chats_citizen_cancels(request, client_for, chat, citizen_a, persona, refused):
    book(chat, citizen_a)
    response = client_for(user_of(request, persona)).delete(api_url(chat))
    assert response.status_code == (refused or 200)
    expected = CallbackStatus.REQUESTED if refused else CallbackStatus.CANCELLED
    assert CallbackRequest.objects.get().status == expected


def test_the_slots_show_the_booked_call_back(client_for, chat, citizen_a):
    callback = book(chat, citizen_a)
    body = client_for(citizen_a).get(api_url(chat)).json()
    assert body["callback"]["id"] == callback.pk and body["callback"]["status"] == "requested"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "scheduled_at"),
        ({"scheduled_at": "tomorrow morning"}, "scheduled_at"),
        ({"scheduled_at": "2026-11-24T20:00:00+03:00"}, "scheduled_at"),
        ({"scheduled_at": "2026-11-23T08:00:00+03:00"}, "scheduled_at"),
        ({"scheduled_at": "2026-11-24T11:00:00+03:00", "phone": "+44 20 7946 0958"}, "phone"),
        ({"scheduled_at": "2026-11-24T11:00:00+03:00", "phone": "x" * 40}, "phone"),
    ],
)
def test_bad_input_is_400_with_the_field_and_nothing_is_stored(client_for, chat, citizen_a, data, field):
    response = client_for(citizen_a).post(api_url(chat), data, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and field in response.json()
    assert not CallbackRequest.objects.exists()
    assert not TicketEvent.objects.filter(kind=EventKind.CALLBACK).exists()


@pytest.fixture
def full_tuesday_11(settings, account_category):
    """Another citizen holds the only call back at Tuesday 11:00."""
    settings.CALLBACK_SLOT_CAPACITY = 1
    other = UserFactory(username="caller", phone="+79165550000")
    book(chat_open(citizen=other, text="Перезвоните мне", category=account_category), other)


def test_a_full_slot_is_left_out_and_booking_it_is_400_with_the_reason(client_for, chat, citizen_a, full_tuesday_11):
    alice = client_for(citizen_a)
    slots = [datetime.fromisoformat(slot) for slot in alice.get(api_url(chat)).json()["slots"]]
    assert TUESDAY_11 not in slots and TUESDAY_11 + timedelta(minutes=30) in slots
    response = alice.post(
        api_url(chat), {"scheduled_at": TUESDAY_11.isoformat()}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json()["scheduled_at"] == ["Every call back at this time is already booked. Choose another time."]
    assert not CallbackRequest.objects.filter(ticket=chat).exists()


def test_a_second_booking_is_409(client_for, chat, citizen_a):
    book(chat, citizen_a)
    response = client_for(citizen_a).post(
        api_url(chat), {"scheduled_at": (TUESDAY_11 + timedelta(hours=1)).isoformat()}, format="json"
    )
    assert response.status_code == 409 and "detail" in response.json()
    assert CallbackRequest.objects.count() == 1


def test_cancelling_with_nothing_booked_is_404_with_the_reason(client_for, chat, citizen_a):
    response = client_for(citizen_a).delete(api_url(chat), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response.json() == {"detail": "There is no booked call back to cancel."}


def test_an_appeal_that_is_not_a_chat_has_no_call_back_door(client_for, citizen_a, account_category, at_work):
    letter = ticket_create(channel=Channel.EMAIL, category=account_category, text="Письмо", citizen=citizen_a)
    response = client_for(citizen_a).get(reverse("api-chat-callback", args=[letter.number]))
    assert response.status_code == 404


def test_the_schema_describes_the_call_back_and_status_doors(client_for, citizen_a):
    schema = client_for(citizen_a).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    doors = schema["paths"]["/api/v1/chats/{number}/callback/"]
    assert set(doors) >= {"get", "post", "delete"}
    assert "wait_seconds" in schema["components"]["schemas"]["ChatStatus"]["properties"]


# --- the citizen's pages --------------------------------------------------------------


def test_the_chat_page_offers_the_booking_form_with_the_profile_phone(page_client, chat):
    page = page_client("citizen_a").get(reverse("chat:room", args=[chat.number])).content.decode()
    assert 'id="callback"' in page and "<optgroup" in page
    assert 'value="2026-11-23T10:30:00+03:00"' in page
    assert 'value="+79161234567"' in page


def test_booking_through_the_page_goes_back_to_the_chat_with_a_notice(page_client, chat):
    client = page_client("citizen_a")
    response = client.post(
        reverse("chat:callback", args=[chat.number]),
        {"scheduled_at": "2026-11-24T11:00:00+03:00", "phone": "+7 916 000 11 22"},
    )
    assert response.status_code == 302 and response.url == reverse("chat:room", args=[chat.number])
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["The call back is booked."]
    assert CallbackRequest.objects.get().phone.as_e164 == "+79160001122"
    page = client.get(reverse("chat:room", args=[chat.number])).content.decode()
    assert "We will call you back at +7 *** ***-11-22" in page and "Cancel the call back" in page


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"scheduled_at": "2026-11-24T20:00:00+03:00", "phone": "+79161234567"}, "Choose one of the offered times."),
        ({"scheduled_at": "2026-11-24T11:00:00+03:00", "phone": "555"}, "+7 and ten digits"),
        ({"scheduled_at": "2026-11-24T11:00:00+03:00", "phone": ""}, "Give a phone number we can call."),
    ],
)
def test_a_bad_booking_page_is_400_with_the_reason_and_nothing_stored(page_client, chat, data, error):
    response = page_client("citizen_a").post(reverse("chat:callback", args=[chat.number]), data)
    assert response.status_code == 400 and error in response.content.decode()
    assert not CallbackRequest.objects.exists()


def test_the_booking_page_does_not_offer_a_full_slot(page_client, chat, full_tuesday_11):
    page = page_client("citizen_a").get(reverse("chat:callback", args=[chat.number])).content.decode()
    assert 'value="2026-11-24T11:00:00+03:00"' not in page and 'value="2026-11-24T11:30:00+03:00"' in page
    response = page_client("citizen_a").post(
        reverse("chat:callback", args=[chat.number]),
        {"scheduled_at": "2026-11-24T11:00:00+03:00", "phone": "+79161234567"},
    )
    assert response.status_code == 400 and not CallbackRequest.objects.filter(ticket=chat).exists()


def test_a_second_booking_through_the_page_is_409(page_client, chat, citizen_a):
    book(chat, citizen_a)
    response = page_client("citizen_a").post(
        reverse("chat:callback", args=[chat.number]),
        {"scheduled_at": "2026-11-24T12:00:00+03:00", "phone": "+79161234567"},
    )
    assert response.status_code == 409 and "already have a call back" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "code"),
    [("citizen_a", 200), ("citizen_b", 404), ("operator_of_queue", 404), ("supervisor", 404), ("anonymous", 302)],
)
def test_only_the_chats_citizen_opens_the_booking_page(page_client, chat, persona, code):
    assert page_client(persona).get(reverse("chat:callback", args=[chat.number])).status_code == code


@pytest.mark.parametrize(
    ("persona", "code"), [("citizen_b", 404), ("operator_of_queue", 404), ("supervisor", 404), ("anonymous", 302)]
)
def test_nobody_else_books_or_cancels_through_the_pages(page_client, chat, citizen_a, persona, code):
    client = page_client(persona)
    data = {"scheduled_at": "2026-11-24T12:00:00+03:00", "phone": "+79161234567"}
    assert client.post(reverse("chat:callback", args=[chat.number]), data).status_code == code
    book(chat, citizen_a)
    assert client.post(reverse("chat:callback_cancel", args=[chat.number])).status_code == code
    assert CallbackRequest.objects.get().status == CallbackStatus.REQUESTED


def test_the_citizen_cancels_from_the_appeal_page(page_client, chat, citizen_a):
    book(chat, citizen_a)
    client = page_client("citizen_a")
    page = client.get(reverse("portal:appeal_detail", args=[chat.number])).content.decode()
    assert "We will call you back" in page and 'name="back" value="appeal"' in page
    response = client.post(reverse("chat:callback_cancel", args=[chat.number]), {"back": "appeal"})
    assert response.url == reverse("portal:appeal_detail", args=[chat.number])
    assert CallbackRequest.objects.get().status == CallbackStatus.CANCELLED


def test_cancelling_with_nothing_booked_says_so(page_client, chat):
    response = page_client("citizen_a").post(reverse("chat:callback_cancel", args=[chat.number]), follow=True)
    assert "There is no booked call back to cancel." in response.content.decode()


def test_an_appeal_from_the_form_shows_no_call_back_panel(page_client, citizen_a, account_category, at_work):
    letter = ticket_create(
        channel=Channel.FORM,
        category=account_category,
        text="Прошу восстановить доступ к личному кабинету",
        citizen=citizen_a,
        contact_email=citizen_a.email,
    )
    page = page_client("citizen_a").get(reverse("portal:appeal_detail", args=[letter.number])).content.decode()
    assert 'id="callback"' not in page


# --- the operators' list ------------------------------------------------------------------


@pytest.fixture
def due(at_work, chat, citizen_a):
    callback = book(chat, citizen_a)
    at_work.move_to(TUESDAY_11)
    callbacks_sweep()
    return callback


@pytest.mark.parametrize(
    ("persona", "code", "listed"),
    [
        ("operator_of_queue", 200, True),
        ("supervisor", 200, True),
        ("operator_of_other_queue", 200, False),
        ("citizen_a", 404, False),
        ("anonymous", 302, False),
    ],
)
def test_due_call_backs_are_listed_for_the_staff_of_their_queue(page_client, due, persona, code, listed):
    response = page_client(persona).get(reverse("chat:desk_callbacks"))
    assert response.status_code == code
    assert ("tel:+79161234567" in response.content.decode()) is listed


def test_reading_the_list_is_audited(page_client, due, operator_of_queue):
    page_client("operator_of_queue").get(reverse("chat:desk_callbacks"))
    record = AuditLog.objects.get(object_type="chat.callbackrequest", object_id=str(due.pk))
    assert record.actor == operator_of_queue and record.fields == ["phone", "citizen"]


def test_the_operator_records_the_call_from_the_list(page_client, due, operator_of_queue):
    response = page_client("operator_of_queue").post(
        reverse("chat:desk_callback_outcome", args=[due.pk]), {"outcome": "done", "comment": "Всё объяснил"}
    )
    assert response.status_code == 302 and response.url == reverse("chat:desk_callbacks")
    due.refresh_from_db()
    assert due.status == CallbackStatus.DONE and due.operator == operator_of_queue
    assert TicketEvent.objects.filter(ticket=due.ticket, kind=EventKind.CALLBACK, comment="Всё объяснил").exists()


def test_a_bad_outcome_is_400_and_changes_nothing(page_client, due):
    response = page_client("operator_of_queue").post(
        reverse("chat:desk_callback_outcome", args=[due.pk]), {"outcome": "cancelled"}
    )
    assert response.status_code == 400 and "Choose “called — done” or “no answer”." in response.content.decode()
    assert CallbackRequest.objects.get().status == CallbackStatus.DUE


def test_recording_twice_is_409(page_client, due):
    client = page_client("operator_of_queue")
    client.post(reverse("chat:desk_callback_outcome", args=[due.pk]), {"outcome": "missed"})
    response = client.post(reverse("chat:desk_callback_outcome", args=[due.pk]), {"outcome": "done"})
    assert response.status_code == 409 and "already closed" in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "code"), [("operator_of_other_queue", 404), ("citizen_a", 404), ("anonymous", 302)]
)
def test_nobody_else_records_an_outcome(page_client, due, persona, code):
    response = page_client(persona).post(reverse("chat:desk_callback_outcome", args=[due.pk]), {"outcome": "done"})
    assert response.status_code == code
    assert CallbackRequest.objects.get().status == CallbackStatus.DUE


def test_the_desk_counts_the_due_call_backs(page_client, due):
    page = page_client("operator_of_queue").get(reverse("chat:desk")).content.decode()
    assert "Call backs due now: 1" in page


def test_an_expired_call_back_leaves_the_list_and_takes_no_outcome(at_work, page_client, due):
    at_work.move_to(TUESDAY_11 + timedelta(hours=2))
    callbacks_sweep()
    client = page_client("operator_of_queue")
    assert "tel:+79161234567" not in client.get(reverse("chat:desk_callbacks")).content.decode()
    response = client.post(reverse("chat:desk_callback_outcome", args=[due.pk]), {"outcome": "done"})
    assert response.status_code == 409 and CallbackRequest.objects.get().status == CallbackStatus.EXPIRED


# --- the admin ---------------------------------------------------------------------------


def test_supervisors_see_call_backs_read_only_in_the_admin(page_client, due):
    client = page_client("supervisor")
    assert client.get(reverse("admin:chat_callbackrequest_changelist")).status_code == 200
    change = client.get(reverse("admin:chat_callbackrequest_change", args=[due.pk]))
    assert change.status_code == 200 and 'name="_save"' not in change.content.decode()
    assert client.get(reverse("admin:chat_callbackrequest_add")).status_code == 403
    assert client.post(reverse("admin:chat_callbackrequest_delete", args=[due.pk]), {"post": "yes"}).status_code == 403
    assert CallbackRequest.objects.filter(pk=due.pk).exists()


def test_operators_do_not_reach_the_call_backs_admin(page_client, due):
    response = page_client("operator_of_queue").get(reverse("admin:chat_callbackrequest_changelist"))
    assert response.status_code == 302
