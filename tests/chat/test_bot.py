import shutil
import subprocess

import pytest

from chat.bot import bot_respond, decide
from chat.models import ChatSession, Phase
from chat.services import chat_open
from knowledgebase.models import Article, Section
from knowledgebase.services import kb_reindex

pytestmark = pytest.mark.django_db


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
def chat(citizen_a, account_category):
    return chat_open(citizen=citizen_a, text="Здравствуйте", category=account_category)


def test_bot_answers_from_the_knowledge_base_with_quick_replies(faq, chat):
    reply = bot_respond(ticket=chat, text="забыл пароль от кабинета")
    assert reply.author_kind == "bot"
    kinds = [action["type"] for action in reply.actions]
    assert kinds[0] == "link" and "helped" in kinds and "handoff" in kinds
    assert "reset-password" in reply.actions[0]["url"]


def test_bot_offers_an_operator_when_nothing_is_found(faq, chat):
    decision = decide(text="абракадабра кукуруза")
    assert decision.handoff is None and [a["type"] for a in decision.actions] == ["handoff"]


def test_complaint_goes_straight_to_the_queue(faq, chat):
    bot_respond(ticket=chat, text="Хочу пожаловаться на сотрудника центра")
    assert ChatSession.objects.get(ticket=chat).phase == Phase.QUEUED


def test_bot_stays_silent_once_an_operator_has_the_chat(faq, chat):
    ChatSession.objects.filter(ticket=chat).update(phase=Phase.ASSIGNED)
    assert bot_respond(ticket=chat, text="забыл пароль") is None


def test_the_bot_moves_a_general_chat_to_the_queue_of_the_question(faq, citizen_a, account_category):
    from gosupport.models import Category

    general = Category.objects.create(slug="general", title="Общие вопросы")
    chat = chat_open(citizen=citizen_a, text="Здравствуйте")
    assert chat.category == general
    bot_respond(ticket=chat, text="забыл пароль от кабинета")
    chat.refresh_from_db()
    assert chat.category == account_category and chat.queue == account_category


def test_bot_tells_the_citizen_the_status_of_their_own_application(citizen_a, chat):
    from django.utils import timezone

    from gosupport.models import PortalApplication, PortalApplicationEvent

    application = PortalApplication.objects.create(
        number="2026000123",
        citizen=citizen_a,
        service="Загранпаспорт",
        status="Готово к выдаче",
        status_changed_at=timezone.now(),
    )
    PortalApplicationEvent.objects.create(application=application, status="Готово к выдаче", at=timezone.now())
    reply = bot_respond(ticket=chat, text="где мое заявление 2026000123?")
    assert "Готово к выдаче" in reply.text and "2026000123" in reply.text


def test_bot_never_reveals_another_citizens_application(citizen_a, citizen_b, chat):
    from django.utils import timezone

    from gosupport.models import PortalApplication

    PortalApplication.objects.create(
        number="2026000999", citizen=citizen_b, service="Пособие", status="Отказ", status_changed_at=timezone.now()
    )
    reply = bot_respond(ticket=chat, text="статус заявления 2026000999")
    assert "Отказ" not in reply.text and "Пособие" not in reply.text


def test_outside_operator_hours_the_bot_offers_to_leave_the_question_as_an_appeal(faq, chat, monkeypatch):
    from chat import bot

    monkeypatch.setattr(bot, "operators_working_now", lambda: False)
    reply = bot_respond(ticket=chat, text="Соедините с оператором")
    links = [a for a in reply.actions if a["type"] == "link"]
    assert links and links[-1]["url"].startswith("/help/appeal/new/?text=")
    assert ChatSession.objects.get(ticket=chat).phase == Phase.QUEUED


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext")
def test_every_handoff_text_is_extracted_for_translation(tmp_path):
    """makemessages must see the bot's handoff lines, or a Russian-speaking citizen reads English."""
    from chat import bot

    pot = tmp_path / "bot.pot"
    keywords = ["--keyword=gettext_noop", "--keyword=gettext_lazy", "--keyword=pgettext:1c,2"]
    subprocess.run(
        ["xgettext", "--language=Python", "--from-code=UTF-8", "--no-wrap", *keywords, "-o", str(pot), bot.__file__],
        check=True,
    )
    extracted = pot.read_text(encoding="utf-8")
    for text in bot.HANDOFF_TEXT.values():
        assert f'msgid "{text}"' in extracted
