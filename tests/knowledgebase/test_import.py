import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from knowledgebase.models import Article, ArticleLink, Section, Term


@pytest.fixture(autouse=True)
def english_messages():
    """These tests read the commands' English wording; the Russian one is the catalogue's."""
    with translation.override("en"):
        yield


def _write(tmp_path, data, name="kb.json"):
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def _snapshot():
    return (
        list(Section.objects.order_by("slug").values_list("slug", "title")),
        list(Article.objects.order_by("slug", "lang").values_list("slug", "lang", "question", "answer", "updated_at")),
        ArticleLink.objects.count(),
    )


SMALL = {
    "sections": [{"slug": "passwords", "title": "Пароли"}],
    "articles": [
        {
            "slug": "forgot-password",
            "section": "passwords",
            "question": "Как восстановить пароль?",
            "answer": "Нажмите **«Забыли пароль?»**.",
            "keywords": ["сброс пароля"],
            "lang": "ru",
            "links": [{"kind": "video", "title": "Видеоинструкция", "url": "https://example.org/video"}],
        }
    ],
}


def test_import_creates_sections_articles_links_and_search_data(db, tmp_path):
    call_command("import_kb", _write(tmp_path, SMALL), stdout=open("/dev/null", "w"))
    article = Article.objects.get(slug="forgot-password", lang="ru")
    assert article.keywords == "сброс пароля"
    assert " парол " in article.stems_question
    assert article.answer_text == "Нажмите «Забыли пароль?»."
    assert list(article.links.values_list("kind", "url")) == [("video", "https://example.org/video")]
    assert Term.objects.filter(lang="ru", word="пароль").exists()


def test_importing_the_same_file_twice_changes_nothing(db, tmp_path, capsys):
    path = _write(tmp_path, SMALL)
    call_command("import_kb", path)
    before = _snapshot()
    call_command("import_kb", path)
    assert _snapshot() == before
    assert "0 created, 0 updated, 1 unchanged" in capsys.readouterr().out


def test_shipped_faq_imports_idempotently(db, faq_data, tmp_path):
    path = _write(tmp_path, faq_data)
    call_command("import_kb", path, stdout=open("/dev/null", "w"))
    before = _snapshot()
    call_command("import_kb", path, stdout=open("/dev/null", "w"))
    assert _snapshot() == before
    assert Article.objects.filter(lang="ru").count() >= 40


def test_a_changed_answer_is_updated_in_place(db, tmp_path):
    call_command("import_kb", _write(tmp_path, SMALL), stdout=open("/dev/null", "w"))
    changed = json.loads(json.dumps(SMALL))
    changed["articles"][0]["answer"] = "Новый ответ про СМС."
    call_command("import_kb", _write(tmp_path, changed), stdout=open("/dev/null", "w"))
    article = Article.objects.get(slug="forgot-password")
    assert article.answer_text == "Новый ответ про СМС."
    assert " смс " in article.stems_answer
    assert Article.objects.count() == 1


def _bad(**article_changes):
    data = json.loads(json.dumps(SMALL))
    data["articles"][0].update(article_changes)
    return data


BAD_FILES = {
    "not json": ("{not json", "not valid JSON"),
    "not an object": ("[1, 2]", "must be a JSON object"),
    "missing question": (_bad(question=""), "missing question"),
    "unknown section": (_bad(section="nowhere"), "unknown section nowhere"),
    "bad language": (_bad(lang="de"), "language must be one of ru, en"),
    "bad slug": (_bad(slug="не слаг"), "is not a valid slug"),
    "keywords not a list": (_bad(keywords="a, b"), "keywords must be a list"),
    "javascript link": (_bad(links=[{"title": "x", "url": "javascript:alert(1)"}]), r"is not an http\(s\) address"),
    "bad link kind": (_bad(links=[{"kind": "podcast", "title": "x", "url": "https://e.org"}]), "kind must be"),
    "duplicate article": (
        {**SMALL, "articles": SMALL["articles"] * 2},
        "appears twice",
    ),
    # Each of these used to pass the checks and then fail in the database (a traceback, or
    # on PostgreSQL "value too long"), instead of being listed as a problem of the file.
    "section slug too long": (
        {"sections": [{"slug": "s" * 60, "title": "Пароли"}], "articles": [_bad(section="s" * 60)["articles"][0]]},
        "slug is longer than 50 characters",
    ),
    "link title too long": (
        _bad(links=[{"title": "x" * 301, "url": "https://e.org"}]),
        "title is longer than 300 characters",
    ),
    "link address too long": (
        _bad(links=[{"title": "x", "url": "https://e.org/" + "a" * 500}]),
        "url is longer than 500 characters",
    ),
    "ordering out of range": (_bad(ordering=2**31), "ordering must be a whole number"),
    "section not a string": (_bad(section=["passwords"]), "missing section"),
    "category not a string": (
        {**SMALL, "sections": [{"slug": "passwords", "title": "Пароли", "category": ["a"]}]},
        "category must be the slug",
    ),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_bad_file_gets_a_clear_error_and_changes_nothing(db, tmp_path, case):
    call_command("import_kb", _write(tmp_path, SMALL, "good.json"), stdout=open("/dev/null", "w"))
    before = _snapshot()
    data, message = BAD_FILES[case]
    with pytest.raises(CommandError, match=message):
        call_command("import_kb", _write(tmp_path, data))
    assert _snapshot() == before


def test_a_file_with_one_bad_article_imports_none_of_the_good_ones(db, tmp_path):
    data = json.loads(json.dumps(SMALL))
    data["articles"].append({**data["articles"][0], "slug": "second", "section": "missing"})
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("import_kb", _write(tmp_path, data))
    assert not Section.objects.exists()
    assert not Article.objects.exists()


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_kb", str(tmp_path / "absent.json"))
