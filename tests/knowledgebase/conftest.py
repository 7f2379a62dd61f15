import json
from pathlib import Path

import pytest
from django.core.cache import cache

from knowledgebase.models import Article, Section
from knowledgebase.services import article_save, kb_import

FAQ_FILE = Path(__file__).resolve().parents[2] / "knowledgebase" / "fixtures" / "faq.json"


@pytest.fixture(autouse=True)
def fresh_cache():
    """The search caches the article count for a minute; each test starts clean."""
    cache.clear()


@pytest.fixture
def faq_data():
    return json.loads(FAQ_FILE.read_text(encoding="utf-8"))


@pytest.fixture
def faq(db, faq_data):
    """The shipped starting FAQ, imported the way the demo seeder does."""
    kb_import(data=faq_data)


@pytest.fixture
def section(db):
    return Section.objects.create(slug="passwords", title="Пароли", title_en="Passwords")


@pytest.fixture
def make_article(section):
    def make(slug, question, answer="Ответ.", keywords="", lang="ru", published=True, **extra):
        article = Article(
            section=extra.pop("in_section", section),
            slug=slug,
            question=question,
            answer=answer,
            keywords=keywords,
            lang=lang,
            is_published=published,
            **extra,
        )
        return article_save(article=article)

    return make


@pytest.fixture
def password_article(make_article):
    return make_article(
        "forgot-password",
        "Как восстановить забытый пароль?",
        "Нажмите «Забыли пароль?» и введите код из SMS.",
        keywords="сброс пароля, не помню пароль",
    )


@pytest.fixture
def sms_article(make_article):
    return make_article("sms-code", "Не приходит SMS-код", "Проверьте номер телефона и подождите минуту.", "смс, код")
