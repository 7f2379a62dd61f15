"""Logging calls and letters through the staff pages: permissions, identity checks,
results, SLA, bad input storing nothing."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from gosupport.models import Line
from tests.channels import mails
from tickets.channels.models import AnswerMethod, CallOutcome, IdentityMethod, PhoneCall, PostalLetter
from tickets.models import Channel, Status, Ticket
from tickets.selectors import tickets_visible_to
from tickets.services import ticket_create

pytestmark = pytest.mark.django_db

VALID_INN = "7707083893"


@pytest.fixture
def citizen_with_inn(citizen_a):
    citizen_a.inn = VALID_INN
    citizen_a.save()
    return citizen_a


@pytest.fixture
def staff_client(client, operator_of_queue):
    client.force_login(operator_of_queue)
    return client


def _call(account_category, **overrides):
    data = {
        "full_name": "Смирнова Алиса",
        "inn": VALID_INN,
        "ticket_number": "",
        "phone": "+79161234567",
        "category": account_category.pk,
        "question": "Как восстановить пароль?",
        "answer": "Продиктовал шаги восстановления по СМС.",
        "outcome": CallOutcome.SOLVED,
    }
    return {**data, **overrides}


# --- permissions


@pytest.mark.parametrize("name", ["channels:phone", "channels:letter"])
def test_citizens_get_404_on_the_staff_logging_pages(client, citizen_a, name):
    client.force_login(citizen_a)

    assert client.get(reverse(name)).status_code == 404


@pytest.mark.parametrize("name", ["channels:phone", "channels:letter"])
def test_anonymous_visitors_are_sent_to_sign_in(client, name, db):
    response = client.get(reverse(name))

    assert response.status_code == 302 and "login" in response["Location"]


def test_operator_and_supervisor_open_the_logging_pages(client, operator_of_queue, supervisor):
    for user in (operator_of_queue, supervisor):
        client.force_login(user)
        assert client.get(reverse("channels:phone")).status_code == 200
        assert client.get(reverse("channels:letter")).status_code == 200


# --- phone


def test_call_solved_on_the_phone_is_a_completed_appeal_in_my_appeals(
    staff_client, citizen_with_inn, account_category, operator_of_queue
):
    response = staff_client.post(reverse("channels:phone"), _call(account_category))

    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("workspace:ticket", args=[ticket.number])
    assert ticket.channel == Channel.PHONE and ticket.citizen == citizen_with_inn
    assert ticket.status == Status.COMPLETED and ticket.assignee == operator_of_queue
    assert ticket.resolution == "Продиктовал шаги восстановления по СМС."
    assert [m.text for m in ticket.messages.order_by("seq")] == [
        "Как восстановить пароль?",
        "Продиктовал шаги восстановления по СМС.",
    ]
    call = PhoneCall.objects.get()
    assert call.identity_method == IdentityMethod.INN and call.identity_checked_at is not None
    assert call.operator == operator_of_queue and call.outcome == CallOutcome.SOLVED
    assert ticket in tickets_visible_to(citizen_with_inn)


def test_call_left_open_goes_to_the_second_line(staff_client, citizen_with_inn, account_category, second_line_operator):
    staff_client.post(reverse("channels:phone"), _call(account_category, outcome=CallOutcome.SECOND_LINE))

    ticket = Ticket.objects.get()
    assert ticket.is_open and ticket.line == Line.SECOND
    assert ticket.assignee == second_line_operator
    assert ticket in tickets_visible_to(second_line_operator)


def test_identity_checked_by_full_name_and_appeal_number(staff_client, citizen_a, account_category):
    earlier = ticket_create(
        channel=Channel.FORM, category=account_category, text="x" * 30, citizen=citizen_a, contact_email="a@b.ru"
    )

    staff_client.post(reverse("channels:phone"), _call(account_category, inn="", ticket_number=earlier.number))

    call = PhoneCall.objects.get()
    assert call.ticket.citizen == citizen_a and call.identity_method == IdentityMethod.TICKET


def test_name_order_and_yo_do_not_fail_the_identity_check(staff_client, citizen_with_inn, account_category):
    staff_client.post(reverse("channels:phone"), _call(account_category, full_name="алиса  СМИРНОВА"))

    assert PhoneCall.objects.get().ticket.citizen == citizen_with_inn


@pytest.mark.parametrize(
    "overrides",
    [
        {"full_name": "Кузнецов Борис"},  # the INN is Alice's
        {"inn": "500100732259"},  # a valid INN nobody has
        {"inn": "", "ticket_number": "0000-0000"},
        {"full_name": ""},
    ],
    ids=["wrong-name", "unknown-inn", "unknown-number", "no-name"],
)
def test_failed_identity_check_stores_nothing(staff_client, citizen_with_inn, account_category, overrides):
    response = staff_client.post(reverse("channels:phone"), _call(account_category, **overrides))

    assert response.status_code == 400
    assert "full_name" in response.context["form"].errors
    assert not Ticket.objects.exists() and not PhoneCall.objects.exists()


def test_anonymous_caller_is_logged_without_an_account(staff_client, account_category):
    staff_client.post(reverse("channels:phone"), _call(account_category, full_name="", inn=""))

    call = PhoneCall.objects.get()
    assert call.ticket.citizen is None and call.identity_method == IdentityMethod.NONE
    assert call.ticket.contact_phone == "+79161234567"


@pytest.mark.parametrize(
    "overrides",
    [{"question": ""}, {"answer": " "}, {"outcome": "maybe"}, {"category": ""}, {"phone": "12"}],
    ids=["no-question", "no-answer", "bad-outcome", "no-category", "bad-phone"],
)
def test_bad_call_input_is_refused_and_stores_nothing(staff_client, citizen_with_inn, account_category, overrides):
    response = staff_client.post(reverse("channels:phone"), _call(account_category, **overrides))

    assert response.status_code == 400
    assert not Ticket.objects.exists() and not PhoneCall.objects.exists()


# --- post


def _letter(account_category, **overrides):
    data = {
        "sender_name": "Иванов Иван Иванович",
        "sender_address": "г. Тверь, ул. Советская, д. 1, кв. 2",
        "received_on": timezone.localdate().isoformat(),
        "category": account_category.pk,
        "text": "Прошу разъяснить порядок получения справки.",
        "contact_email": "",
        "contact_phone": "",
    }
    return {**data, **overrides}


def test_letter_is_registered_with_its_scan_and_ten_working_day_sla(staff_client, account_category, operator_of_queue):
    scan = SimpleUploadedFile("скан.pdf", mails.pdf_bytes(), content_type="application/pdf")

    response = staff_client.post(reverse("channels:letter"), {**_letter(account_category), "scans": [scan]})

    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert ticket.channel == Channel.POST and ticket.attachments.get().original_name == "скан.pdf"
    assert ticket.sla_policy.channel == Channel.POST and ticket.sla_policy.business_time
    assert ticket.sla_policy.resolution_seconds == 10 * 9 * 3600
    letter = PostalLetter.objects.get()
    assert letter.sender_name == "Иванов Иван Иванович" and letter.registered_by == operator_of_queue
    assert "Иванов" in ticket.subject


def test_letter_with_a_citizens_email_shows_in_their_appeals(staff_client, account_category, citizen_a):
    staff_client.post(reverse("channels:letter"), _letter(account_category, contact_email="ALICE@example.ru"))

    assert Ticket.objects.get().citizen == citizen_a


@pytest.mark.parametrize(
    "overrides",
    [
        {"sender_name": ""},
        {"sender_address": ""},
        {"received_on": (timezone.localdate() + datetime.timedelta(days=1)).isoformat()},
        {"received_on": "yesterday"},
        {"text": ""},
        {"scans": [SimpleUploadedFile("letter.docx", b"PK\x03\x04", content_type="application/octet-stream")]},
    ],
    ids=["no-sender", "no-address", "future-date", "bad-date", "no-text", "bad-scan"],
)
def test_bad_letter_input_stores_nothing(staff_client, account_category, overrides):
    response = staff_client.post(reverse("channels:letter"), _letter(account_category, **overrides))

    assert response.status_code == 400
    assert not Ticket.objects.exists() and not PostalLetter.objects.exists()


@pytest.fixture
def registered_letter(staff_client, account_category):
    staff_client.post(reverse("channels:letter"), _letter(account_category))
    return Ticket.objects.get()


def _answer(**overrides):
    data = {
        "text": "Справка выдаётся в МФЦ по месту жительства.",
        "method": AnswerMethod.REGISTERED_POST,
        "sent_on": timezone.localdate().isoformat(),
        "reference": "17000012345678",
    }
    return {**data, **overrides}


def test_answer_to_a_letter_is_recorded_with_how_it_was_sent(staff_client, registered_letter, operator_of_queue):
    url = reverse("channels:letter_answer", args=[registered_letter.number])

    assert staff_client.get(url).status_code == 200
    response = staff_client.post(url, _answer())

    ticket = Ticket.objects.get()
    letter = PostalLetter.objects.get()
    assert response.status_code == 302
    assert ticket.status == Status.COMPLETED and ticket.resolution.startswith("Справка выдаётся")
    assert letter.answer_method == AnswerMethod.REGISTERED_POST and letter.answer_reference == "17000012345678"
    assert letter.answered_by == operator_of_queue and letter.answer_sent_on == timezone.localdate()


@pytest.mark.parametrize(
    "overrides",
    [
        {"text": ""},
        {"method": "pigeon"},
        {"sent_on": (timezone.localdate() - datetime.timedelta(days=3)).isoformat()},  # before it was received
    ],
    ids=["no-text", "bad-method", "before-received"],
)
def test_bad_answer_changes_nothing(staff_client, registered_letter, overrides):
    response = staff_client.post(
        reverse("channels:letter_answer", args=[registered_letter.number]), _answer(**overrides)
    )

    assert response.status_code == 400
    assert Ticket.objects.get().status == Status.ACCEPTED
    assert PostalLetter.objects.get().answer_method == ""
    assert Ticket.objects.get().messages.count() == 1


def test_answering_twice_is_refused(staff_client, registered_letter):
    url = reverse("channels:letter_answer", args=[registered_letter.number])
    staff_client.post(url, _answer())

    response = staff_client.post(url, _answer(text="Ещё раз"))

    assert response.status_code == 400
    assert Ticket.objects.get().messages.count() == 2


def test_letter_answer_page_is_404_for_other_queues_citizens_and_non_letters(
    client, registered_letter, operator_of_other_queue, citizen_a, account_category, operator_of_queue
):
    url = reverse("channels:letter_answer", args=[registered_letter.number])
    for user in (operator_of_other_queue, citizen_a):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, _answer()).status_code == 404
    form_ticket = ticket_create(channel=Channel.FORM, category=account_category, text="x" * 30, contact_email="a@b.ru")
    client.force_login(operator_of_queue)
    assert client.get(reverse("channels:letter_answer", args=[form_ticket.number])).status_code == 404
    assert PostalLetter.objects.get().answer_method == ""
