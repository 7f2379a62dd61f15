from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from knowledgebase.models import CannedResponse
from knowledgebase.selectors import canned_response_by_shortcut, canned_responses_for
from knowledgebase.services import canned_response_render, canned_response_save
from tickets.models import Ticket

DUE = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


@pytest.fixture
def ticket(citizen_a, account_category):
    citizen_a.middle_name = "Петровна"
    return Ticket(number="A-1042", category=account_category, citizen=citizen_a, text="...", resolution_due=DUE)


def test_placeholders_are_filled_from_the_appeal(ticket):
    response = CannedResponse(
        shortcut="hello",
        title="Приветствие",
        body="Здравствуйте, {citizen_name}! Обращение {ticket_number}, ответ до {due}.",
    )
    text = canned_response_render(response=response, ticket=ticket)
    assert text == "Здравствуйте, Алиса Петровна! Обращение A-1042, ответ до 10 марта 2026 г. 15:00."


def test_english_response_is_rendered_in_english(ticket):
    response = CannedResponse(shortcut="hello", lang="en", title="Hello", body="Due {due}; {operator_name}")
    assert (
        canned_response_render(response=response, ticket=ticket)
        == "Due March 10, 2026, 3 p.m.; contact centre operator"
    )


def test_an_appeal_without_a_citizen_is_addressed_politely(ticket):
    ticket.citizen = None
    response = CannedResponse(shortcut="hello", lang="en", title="Hello", body="Dear {citizen_name}")
    assert canned_response_render(response=response, ticket=ticket) == "Dear applicant"


def test_unknown_placeholder_is_refused_and_nothing_saved(supervisor):
    response = CannedResponse(shortcut="bad", title="Плохой", body="Здравствуйте, {citizen}! {ticket_number}")
    with pytest.raises(ValidationError, match="citizen"):
        canned_response_save(response=response, user=supervisor)
    assert not CannedResponse.objects.exists()


def test_operators_see_general_and_own_category_responses(operator_of_queue, account_category, applications_category):
    CannedResponse.objects.create(shortcut="hello", title="Общий", body="Здравствуйте")
    CannedResponse.objects.create(shortcut="pwd", title="Пароль", body="...", category=account_category)
    CannedResponse.objects.create(shortcut="status", title="Статус", body="...", category=applications_category)
    CannedResponse.objects.create(shortcut="old", title="Старый", body="...", is_active=False)
    shortcuts = [r.shortcut for r in canned_responses_for(user=operator_of_queue, category="account-access")]
    assert shortcuts == ["hello", "pwd"]
    assert canned_response_by_shortcut(user=operator_of_queue, shortcut="/pwd").title == "Пароль"


def test_citizens_see_no_canned_responses(citizen_a):
    CannedResponse.objects.create(shortcut="hello", title="Общий", body="Здравствуйте")
    assert list(canned_responses_for(user=citizen_a)) == []


def test_admin_refuses_a_canned_response_with_a_typo_in_a_placeholder(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        "/admin/knowledgebase/cannedresponse/add/",
        {"title": "Т", "shortcut": "t", "lang": "ru", "body": "Здравствуйте, {citizen_nmae}", "is_active": "on"},
    )
    assert response.status_code == 200
    assert not CannedResponse.objects.exists()
    assert "citizen_nmae" in response.content.decode()
