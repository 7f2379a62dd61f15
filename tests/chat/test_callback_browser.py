"""The citizen's chat page in Debian's Chromium: a queued chat says its place and expected
wait in the status region; the "book a call back" quick reply opens the booking form on
the page; booking works by keyboard, with JavaScript and without; axe-core finds no
serious violations. Plain live_server: no socket is needed for any of it."""

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from chat.models import CallbackRequest, ChatSession, Phase
from chat.services import chat_handoff, chat_open
from tests.factories import OperatorFactory
from tickets.models import AuthorKind
from tickets.services import message_add

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CITIZEN_LOGIN = ("alice@example.ru", "correct-horse-42")


def off_the_event_loop(call):
    """Services broadcast with async_to_sync, which refuses the thread where Playwright's loop runs."""

    def run():
        try:
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def queued_chat_with_history(citizen, category):
    earlier = chat_open(citizen=citizen, text="Прошлый вопрос", category=category)
    ChatSession.objects.filter(ticket=earlier).update(
        phase=Phase.CLOSED, accepted_at=timezone.now() - timedelta(minutes=5), waited_seconds=150
    )
    OperatorFactory(username="busy", profile__skills=[category], profile__capacity=0)
    ticket = chat_open(citizen=citizen, text="Нужен оператор", category=category)
    chat_handoff(ticket=ticket, actor=citizen)
    bot = message_add(
        ticket=ticket,
        author=None,
        author_kind=AuthorKind.BOT,
        text="Ожидание долгое.",
        actions=[{"type": "callback", "label": "Заказать обратный звонок", "url": f"/chat/{ticket.number}/callback/"}],
    )
    return ticket, bot


@pytest.fixture
def queued(citizen_a, account_category):
    return off_the_event_loop(lambda: queued_chat_with_history(citizen_a, account_category))[0]


def test_the_queued_citizen_reads_the_wait_and_books_a_call_back_by_keyboard(
    live_server, browser_page, sign_in, serious_a11y_violations, queued
):
    page = browser_page
    sign_in(page, live_server, *CITIZEN_LOGIN)
    page.goto(f"{live_server.url}/chat/{queued.number}/")
    page.wait_for_selector(".chat--live")
    status = page.locator("[data-chat-status]")
    assert status.get_attribute("role") == "status"
    assert "1" in status.text_content() and "3" in status.text_content()  # place 1, about 3 min
    assert serious_a11y_violations(page) == []

    page.locator("a[data-chat-callback]").click()
    assert page.locator("[data-callback-details]").get_attribute("open") is not None
    assert page.evaluate("document.activeElement.name") == "scheduled_at"
    page.keyboard.press("ArrowDown")  # the second offered time
    chosen = page.input_value("select[name=scheduled_at]")
    assert page.input_value("input[name=phone]") == "+79161234567"
    page.locator("[data-callback-form] button[type=submit]").focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-callback-booked]")
    assert CallbackRequest.objects.get().scheduled_at == datetime.fromisoformat(chosen)
    assert page.locator(".chat-msg--system").count() == 1  # the confirmation, in the transcript
    assert serious_a11y_violations(page) == []


def test_without_javascript_the_booking_form_works_too(live_server, no_script_page, sign_in, queued):
    page = no_script_page
    sign_in(page, live_server, *CITIZEN_LOGIN)
    page.goto(f"{live_server.url}/chat/{queued.number}/callback/")
    page.fill("input[name=phone]", "+7 916 000 11 22")
    page.click("[data-callback-form] button[type=submit]")
    page.wait_for_selector("[data-callback-booked]")
    assert CallbackRequest.objects.get().phone.as_e164 == "+79160001122"
    page.click("#callback button[type=submit]")  # cancel
    page.wait_for_selector("[data-callback-details]")
    assert CallbackRequest.objects.get().status == "cancelled"
