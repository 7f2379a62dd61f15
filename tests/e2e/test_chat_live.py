"""The live chat in Debian's Chromium, through a real daphne (WebSockets) on PostgreSQL and
Redis: a citizen talks to the bot, asks for an operator; the operator goes online, gets the
offer, accepts; they talk; the operator closes and the citizen rates. Pages are checked
with axe-core on the way."""

import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from django.db import connection
from PIL import Image
from playwright.sync_api import expect

from chat.models import ChatSession, Phase
from chat.receivers import broadcast_message
from chat.services import chat_accept, chat_handoff, chat_open
from gosupport.models import OperatorProfile, Presence
from knowledgebase.models import Article, CannedResponse, Section
from knowledgebase.services import kb_reindex
from tests.chat.daphne_fixtures import start_daphne, stop
from tickets.models import Attachment, AuthorKind, Message, Rating, Ticket
from tickets.services import message_add
from tickets.signals import message_stored

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CITIZEN_LOGIN = ("alice@example.ru", "correct-horse-42")
OPERATOR_LOGIN = ("olga", "correct-horse-42")


@pytest.fixture
def daphne_server(monkeypatch):
    if connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"):
        pytest.skip("needs PostgreSQL and REDIS_URL: daphne runs in its own process on the test database")
    # The daphne process reads its settings from the environment, not from pytest's fixtures.
    monkeypatch.setenv("STAFF_2FA_REQUIRED", "false")
    monkeypatch.setenv("AXES_ENABLED", "false")
    process, port = start_daphne(os.environ["REDIS_URL"])
    yield SimpleNamespace(url=f"http://127.0.0.1:{port}")
    stop(process)


@pytest.fixture
def second_page(chromium_browser):
    context = chromium_browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow")
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def faq(account_category):
    section = Section.objects.create(slug="account", title="Доступ к личному кабинету", category=account_category)
    Article.objects.create(
        section=section,
        slug="reset-password",
        lang="ru",
        question="Как восстановить пароль от личного кабинета?",
        answer="Нажмите «Забыли пароль?» на странице входа и следуйте инструкциям.",
        keywords="пароль восстановить забыл",
        is_published=True,
    )
    kb_reindex()


@pytest.fixture
def offline_operator(operator_of_queue):
    OperatorProfile.objects.filter(user=operator_of_queue).update(presence=Presence.OFFLINE)
    return operator_of_queue


def room_of(page, number: str):
    return page.locator(f'[data-chat-root][data-number="{number}"]')


def wait_for_status(page, number: str, status: str) -> None:
    page.wait_for_selector(f'[data-chat-root][data-number="{number}"][data-status="{status}"]')


def citizen_opens_a_chat(page, server, sign_in, serious_a11y_violations) -> str:
    sign_in(page, server, *CITIZEN_LOGIN)
    page.goto(f"{server.url}/chat/")
    assert serious_a11y_violations(page) == []
    page.fill("textarea[name=text]", "Забыл пароль от личного кабинета")
    page.click("#chat-start-form button[type=submit]")
    page.wait_for_url(re.compile(r"/chat/[^/]+/$"))
    number = page.url.rstrip("/").rsplit("/", 1)[-1]
    page.wait_for_selector(".chat-msg--bot")
    page.wait_for_selector(".chat-msg--bot a.chat-action-link[href*='reset-password']")
    page.wait_for_selector("[data-chat-composer]:not([hidden])")
    return number


def citizen_talks_to_the_bot_and_asks_for_a_person(page, number: str) -> None:
    page.fill("[data-chat-text]", "абракадабра кукуруза")
    page.keyboard.press("Enter")
    page.locator(".chat-msg--bot").nth(1).wait_for()
    assert page.locator(".chat-msg--pending").count() == 0
    page.locator("button[data-chat-action=handoff]").last.click()
    wait_for_status(page, number, "queued")
    assert "1" in page.text_content("[data-chat-status]")


def operator_goes_online_and_accepts(page, server, sign_in, number: str) -> None:
    sign_in(page, server, *OPERATOR_LOGIN)
    page.goto(f"{server.url}/chat/desk/")
    page.wait_for_selector(".desk--live")
    page.check("input[name=status][value=online]")
    offer = page.locator(f'[data-offer="{number}"]')
    offer.wait_for()
    assert re.search(r"\d", offer.locator("[data-offer-left]").text_content())
    offer.locator("button[data-accept]").click()
    room_of(page, number).wait_for()
    wait_for_status(page, number, "assigned")


def test_citizen_and_operator_chat_end_to_end(
    chromium_browser,
    browser_page,
    second_page,
    daphne_server,
    sign_in,
    serious_a11y_violations,
    citizen_a,
    offline_operator,
    account_category,
    faq,
    tmp_path,
):
    citizen, operator = browser_page, second_page
    number = citizen_opens_a_chat(citizen, daphne_server, sign_in, serious_a11y_violations)
    citizen_talks_to_the_bot_and_asks_for_a_person(citizen, number)
    assert serious_a11y_violations(citizen) == []

    operator_goes_online_and_accepts(operator, daphne_server, sign_in, number)
    wait_for_status(citizen, number, "assigned")
    assert serious_a11y_violations(operator) == []

    operator_room = room_of(operator, number)
    operator_room.locator("[data-chat-text]").fill("Здравствуйте! Откройте профиль, раздел «Контакты».")
    operator_room.locator("[data-chat-composer] button[type=submit]").click()
    citizen.locator(".chat-msg--operator", has_text="раздел «Контакты»").wait_for()
    instruction = tmp_path / "instruction.png"
    Image.new("RGB", (40, 30), (200, 120, 20)).save(instruction, format="PNG")
    operator_room.locator("[data-chat-files]").set_input_files(str(instruction))
    operator_room.locator("[data-chat-composer] button[type=submit]").click()
    citizen.locator(".chat-msg--operator a", has_text="instruction.png").wait_for()

    citizen.fill("[data-chat-text]", "Нашла, спасибо!")
    citizen.keyboard.press("Enter")
    operator_room.locator(".chat-msg--citizen", has_text="Нашла, спасибо!").wait_for()
    # The operator's room read the message: the citizen's copy shows the read receipt.
    citizen.locator(".chat-msg--citizen [data-receipt]").filter(has_text=re.compile(r"\S")).first.wait_for()

    operator_room.locator("details", has=operator.locator("[data-desk-note]")).locator("summary").click()
    operator_room.locator("[data-desk-note] textarea").fill("Гражданка сама нашла раздел")
    operator_room.locator("[data-desk-note] button[type=submit]").click()
    operator_room.locator(".chat-msg--internal", has_text="сама нашла").wait_for()

    operator_room.locator("details", has=operator.locator("[data-desk-close]")).locator("summary").click()
    operator_room.locator("[data-desk-close] textarea").fill("Подсказали, где сменить адрес")
    operator_room.locator("[data-desk-close] button[type=submit]").click()
    wait_for_status(citizen, number, "closed")
    wait_for_status(operator, number, "closed")

    citizen.wait_for_selector("[data-chat-rating]:not([hidden])")
    assert citizen.locator(".chat-msg--internal").count() == 0
    assert "сама нашла" not in citizen.content()
    assert serious_a11y_violations(citizen) == []
    citizen.check("input[name=score][value='5']")
    citizen.fill("[data-chat-rating-form] textarea[name=comment]", "Быстро и понятно")
    citizen.click("[data-chat-rating-form] button[type=submit]")
    citizen.wait_for_selector("[data-chat-rated]:not([hidden])")

    ticket = Ticket.objects.get(number=number)
    assert ChatSession.objects.get(ticket=ticket).phase == Phase.CLOSED
    assert ticket.assignee == offline_operator and ticket.resolution == "Подсказали, где сменить адрес"
    assert Rating.objects.get(ticket=ticket).score == 5
    kinds = set(Message.objects.filter(ticket=ticket).values_list("author_kind", flat=True))
    assert {AuthorKind.CITIZEN, AuthorKind.BOT, AuthorKind.OPERATOR} <= kinds
    assert Message.objects.filter(ticket=ticket, internal=True, text="Гражданка сама нашла раздел").exists()


def test_citizen_closes_the_chat_with_that_helped_and_rates(
    chromium_browser, browser_page, daphne_server, sign_in, serious_a11y_violations, citizen_a, account_category, faq
):
    page = browser_page
    number = citizen_opens_a_chat(page, daphne_server, sign_in, serious_a11y_violations)
    page.locator("button[data-chat-action=helped]").last.click()
    wait_for_status(page, number, "closed")
    page.wait_for_selector("[data-chat-rating]:not([hidden])")
    assert page.locator("[data-chat-composer]").is_hidden()
    page.check("input[name=score][value='4']")
    page.click("[data-chat-rating-form] button[type=submit]")
    page.wait_for_selector("[data-chat-rated]:not([hidden])")
    ticket = Ticket.objects.get(number=number)
    assert ticket.assignee is None and Rating.objects.get(ticket=ticket).score == 4


def add_message(**kwargs) -> None:
    """message_add from a thread of its own: its broadcast runs async_to_sync, which cannot run
    in the test thread where Playwright's event loop lives."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(_add_message_and_close_connection, kwargs).result()


def _add_message_and_close_connection(kwargs) -> None:
    try:
        message_add(**kwargs)
    finally:
        connection.close()


def drop_socket(page) -> None:
    """Cut the chat's WebSocket the way a network drop does; chat.js must reconnect by itself."""
    page.evaluate("document.querySelector('[data-chat-root]').chatRoom.ws.close(4000)")


def test_a_dropped_socket_loses_nothing_and_sends_nothing_twice(
    chromium_browser, browser_page, daphne_server, sign_in, serious_a11y_violations, citizen_a, offline_operator, faq
):
    page = browser_page
    number = citizen_opens_a_chat(page, daphne_server, sign_in, serious_a11y_violations)
    ticket = Ticket.objects.get(number=number)
    drop_socket(page)
    page.fill("[data-chat-text]", "Пишу, пока связь пропала")
    page.keyboard.press("Enter")
    for n in range(3):
        add_message(ticket=ticket, author=offline_operator, text=f"Ответ, пока вас не было {n}")
    for n in range(3):
        page.locator(".chat-msg--operator", has_text=f"Ответ, пока вас не было {n}").wait_for()
    page.locator(".chat-msg--citizen", has_text="Пишу, пока связь пропала").wait_for()
    page.wait_for_selector(".chat-msg--pending", state="detached")
    assert Message.objects.filter(ticket=ticket, text="Пишу, пока связь пропала").count() == 1
    assert_transcript_in_order_without_repeats(page, ticket)


def test_a_message_that_skips_a_seq_makes_the_page_fetch_the_missing_ones(
    chromium_browser, browser_page, daphne_server, sign_in, serious_a11y_violations, citizen_a, offline_operator, faq
):
    page = browser_page
    number = citizen_opens_a_chat(page, daphne_server, sign_in, serious_a11y_violations)
    ticket = Ticket.objects.get(number=number)
    page.wait_for_selector(".chat-connection:empty", state="attached")
    message_stored.disconnect(dispatch_uid="chat.broadcast_message")
    try:
        for n in range(2):
            add_message(ticket=ticket, author=offline_operator, text=f"Потерянный ответ {n}")
    finally:
        message_stored.connect(broadcast_message, dispatch_uid="chat.broadcast_message")
    add_message(ticket=ticket, author=offline_operator, text="Ответ после пропуска")
    for text in ("Потерянный ответ 0", "Потерянный ответ 1", "Ответ после пропуска"):
        page.locator(".chat-msg--operator", has_text=text).wait_for()
    assert_transcript_in_order_without_repeats(page, ticket)


def assert_transcript_in_order_without_repeats(page, ticket) -> None:
    shown = [
        int(seq)
        for seq in page.locator("[data-chat-log] li[data-seq]").evaluate_all(
            "(items) => items.map((i) => i.dataset.seq)"
        )
    ]
    stored = list(Message.objects.filter(ticket=ticket, internal=False).order_by("seq").values_list("seq", flat=True))
    assert shown == stored


def test_a_screenshot_is_sent_in_the_chat(
    chromium_browser, browser_page, daphne_server, sign_in, serious_a11y_violations, citizen_a, faq, tmp_path
):
    page = browser_page
    number = citizen_opens_a_chat(page, daphne_server, sign_in, serious_a11y_violations)
    screenshot = tmp_path / "screen.png"
    Image.new("RGB", (40, 30), (20, 120, 200)).save(screenshot, format="PNG")
    page.set_input_files("[data-chat-files]", str(screenshot))
    page.click("[data-chat-composer] button[type=submit]")
    link = page.locator(".chat-msg--citizen a", has_text="screen.png")
    link.wait_for()
    attachment = Attachment.objects.get(ticket__number=number)
    assert attachment.message is not None and attachment.original_name == "screen.png"
    assert link.get_attribute("href").endswith(f"/files/{attachment.pk}/")


def test_a_file_that_is_not_a_picture_or_pdf_is_refused_with_a_clear_error(
    chromium_browser, browser_page, daphne_server, sign_in, serious_a11y_violations, citizen_a, faq, tmp_path
):
    page = browser_page
    number = citizen_opens_a_chat(page, daphne_server, sign_in, serious_a11y_violations)
    bad = tmp_path / "virus.pdf"
    bad.write_bytes(b"MZ\x90\x00 not a pdf")
    page.set_input_files("[data-chat-files]", str(bad))
    page.click("[data-chat-composer] button[type=submit]")
    page.wait_for_selector("[data-chat-error]:not(:empty)")
    assert not Attachment.objects.filter(ticket__number=number).exists()
    assert page.locator(".chat-msg--pending").count() == 0


def wait_until(check, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the database never showed the change"
        time.sleep(0.1)


def assigned_chat(citizen, operator, category):
    ticket = chat_open(citizen=citizen, text="Не приходит код подтверждения", category=category)
    chat_handoff(ticket=ticket, actor=citizen)
    chat_accept(ticket=ticket, operator=operator)
    return ticket


def test_operator_answers_with_canned_text_and_faq_then_hands_the_chat_to_the_second_line(
    chromium_browser,
    browser_page,
    daphne_server,
    sign_in,
    serious_a11y_violations,
    citizen_a,
    operator_of_queue,
    account_category,
    faq,
):
    CannedResponse.objects.create(
        title="Приветствие", shortcut="hello", body="Здравствуйте, {citizen_name}! Смотрю обращение.", lang="ru"
    )
    with ThreadPoolExecutor(max_workers=1) as pool:
        ticket = pool.submit(assigned_chat, citizen_a, operator_of_queue, account_category).result()
    page = browser_page
    sign_in(page, daphne_server, *OPERATOR_LOGIN)
    page.goto(f"{daphne_server.url}/chat/desk/")
    room = room_of(page, ticket.number)
    room.locator("[data-chat-connection]:empty").wait_for(state="attached")
    assert serious_a11y_violations(page) == []

    room.locator("details", has=page.locator("[data-desk-assist]")).locator("summary").click()
    room.locator("[data-desk-assist] input[name=q]").fill("hello")
    room.locator("[data-desk-assist] button[type=submit]").click()
    room.locator("[data-desk-assist-results] button").first.click()
    expect(room.locator("[data-chat-text]")).to_have_value("Здравствуйте, Алиса! Смотрю обращение.")
    room.locator("[data-desk-assist] input[name=q]").fill("пароль")
    room.locator("[data-desk-assist] button[type=submit]").click()
    room.locator("[data-desk-assist-results] a[href*='reset-password']").wait_for()
    room.locator("[data-desk-assist-results] li", has=page.locator("a")).locator("button").click()
    expect(room.locator("[data-chat-text]")).to_have_value(re.compile("reset-password"))
    room.locator("[data-chat-composer] button[type=submit]").click()
    room.locator(".chat-msg--operator", has_text="Здравствуйте, Алиса!").wait_for()

    page.check("input[name=status][value=away]")
    wait_until(lambda: OperatorProfile.objects.get(user=operator_of_queue).presence == Presence.AWAY)

    room.locator("details", has=page.locator("[data-desk-transfer]")).locator("summary").click()
    room.locator("[data-desk-transfer] select").select_option("second_line")
    room.locator("[data-desk-transfer] button[type=submit]").click()
    wait_for_status(page, ticket.number, "queued")
    wait_until(lambda: Ticket.objects.get(pk=ticket.pk).line == 2)
    room.locator("[data-desk-remove]").click()
    expect(room).to_have_count(0)
    sent = Message.objects.get(ticket=ticket, author_kind=AuthorKind.OPERATOR)
    assert sent.text.startswith("Здравствуйте, Алиса! Смотрю обращение.") and "reset-password" in sent.text
