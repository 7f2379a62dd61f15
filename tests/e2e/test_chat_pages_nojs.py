"""The chat pages in Chromium with JavaScript switched off: the transcript reads, the
feedback form is offered instead of the live chat, and the desk still answers through
the workspace forms. Runs on plain live_server (no sockets needed)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from chat.services import chat_accept, chat_handoff, chat_open
from tickets.models import AuthorKind, Message, Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def off_the_event_loop(call):
    """Services broadcast with async_to_sync, which refuses the thread where Playwright's loop runs."""

    def run():
        try:
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def assigned_chat(citizen, operator, category):
    ticket = chat_open(citizen=citizen, text="Нужен оператор", category=category)
    chat_handoff(ticket=ticket, actor=citizen)
    chat_accept(ticket=ticket, operator=operator)
    return ticket


def test_without_javascript_the_citizen_reads_the_chat_and_is_offered_the_feedback_form(
    live_server, no_script_page, sign_in, citizen_a, account_category
):
    page = no_script_page
    sign_in(page, live_server, "alice@example.ru", "correct-horse-42")
    page.goto(f"{live_server.url}/chat/?q=Не приходит код")
    assert page.input_value("textarea[name=text]") == "Не приходит код"
    page.click("#chat-start-form button[type=submit]")
    page.wait_for_selector("[data-chat-root]")
    ticket = Ticket.objects.get()
    assert page.url.endswith(f"/chat/{ticket.number}/")
    assert page.locator(".chat-msg--citizen", has_text="Не приходит код").is_visible()
    assert page.locator(".chat-msg--bot").count() == 1
    feedback = page.locator("noscript a[href='/help/appeal/new/'], .chat-noscript a[href='/help/appeal/new/']")
    assert feedback.first.is_visible()
    assert page.locator("[data-chat-composer]").is_hidden()
    assert page.locator("button.chat-action").first.is_hidden()


def test_without_javascript_the_operator_replies_from_the_desk(
    live_server, no_script_page, sign_in, citizen_a, operator_of_queue, account_category
):
    ticket = off_the_event_loop(lambda: assigned_chat(citizen_a, operator_of_queue, account_category))
    page = no_script_page
    sign_in(page, live_server, "olga", "correct-horse-42")
    page.goto(f"{live_server.url}/chat/desk/")
    room = page.locator(f'[data-chat-root][data-number="{ticket.number}"]')
    assert room.locator(".chat-msg--citizen", has_text="Нужен оператор").is_visible()
    room.locator("textarea[name=reply-text]").fill("Отвечаю без скриптов")
    room.locator("[data-chat-composer] button[type=submit]").click()
    page.wait_for_load_state()
    assert Message.objects.filter(ticket=ticket, author_kind=AuthorKind.OPERATOR, text="Отвечаю без скриптов").exists()
