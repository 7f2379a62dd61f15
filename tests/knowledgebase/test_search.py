import pytest
from django.db import connection

from knowledgebase.models import SearchLog, SearchSource
from knowledgebase.search import kb_search
from knowledgebase.services import query_key
from tests.knowledgebase.faq_eval import EVAL_SET


def _evaluate():
    hit1 = hit3 = 0
    misses = []
    for query, slug, lang in EVAL_SET:
        found = [(hit.article.slug, hit.article.lang) for hit in kb_search(query=query, limit=3, log=False)]
        hit1 += found[:1] == [(slug, lang)]
        hit3 += (slug, lang) in found
        if found[:1] != [(slug, lang)]:
            misses.append((query, slug, found))
    return hit1 / len(EVAL_SET), hit3 / len(EVAL_SET), misses


def test_evaluation_set_is_large_enough_and_points_at_real_articles(faq_data):
    shipped = {(a["slug"], a["lang"]) for a in faq_data["articles"]}
    assert len(EVAL_SET) >= 60
    assert {(slug, lang) for _q, slug, lang in EVAL_SET} <= shipped


def test_faq_finds_the_right_article_for_citizen_phrasings(faq, capsys):
    hit1, hit3, misses = _evaluate()
    with capsys.disabled():
        print(f"\n[kb eval on {connection.vendor}] n={len(EVAL_SET)} hit@1={hit1:.3f} hit@3={hit3:.3f}")
    assert hit3 >= 0.90, misses
    assert hit1 >= 0.75, misses


def test_shipped_faq_covers_every_section_with_forty_russian_articles(faq_data):
    russian = [a for a in faq_data["articles"] if a["lang"] == "ru"]
    english = [a for a in faq_data["articles"] if a["lang"] == "en"]
    assert len(russian) >= 40
    assert len(english) >= 5
    assert {a["section"] for a in russian} == {s["slug"] for s in faq_data["sections"]}


@pytest.mark.parametrize("query", ["пароля", "паролем", "пароли", "ПАРОЛЬ"])
def test_search_understands_russian_inflections(password_article, sms_article, query):
    results = kb_search(query=query, log=False)
    assert results[0].article == password_article


def test_search_corrects_typos(password_article, sms_article):
    results = kb_search(query="забыл пороль", log=False)
    assert results[0].article == password_article


def test_search_finds_keywords_citizens_use(password_article, sms_article):
    assert kb_search(query="смс не пришла", log=False)[0].article == sms_article


def test_english_query_finds_the_english_version(make_article, password_article):
    english = make_article("forgot-password", "How do I recover a forgotten password?", "Use the link.", lang="en")
    results = kb_search(query="forgot my password", lang="ru", log=False)
    assert results.lang == "en"
    assert results[0].article == english


def test_unpublished_articles_are_never_found(make_article):
    make_article("draft", "Черновик про пароль", published=False)
    assert list(kb_search(query="пароль", log=False)) == []


def test_category_limits_the_search_to_a_section(password_article, make_article):
    from knowledgebase.models import Section

    other = Section.objects.create(slug="payments", title="Оплата")
    make_article("pay-password", "Пароль для оплаты", in_section=other)
    results = kb_search(query="пароль", category="payments", log=False)
    assert [hit.article.slug for hit in results] == ["pay-password"]


def test_query_of_only_stop_words_finds_nothing_and_is_logged(password_article):
    results = kb_search(query="как это", source=SearchSource.PAGE)
    assert list(results) == []
    log = SearchLog.objects.get(pk=results.search_id)
    assert (log.results_count, log.source, log.top_article) == (0, "page", None)


def test_every_search_is_logged_with_what_it_found(password_article):
    results = kb_search(query="Забыла пароль", source=SearchSource.CHAT)
    log = SearchLog.objects.get(pk=results.search_id)
    assert log.query == "Забыла пароль"
    assert log.results_count == len(results) == 1
    assert log.top_article == password_article
    assert log.query_key == query_key("пароль забыла", "ru")


def test_result_carries_a_snippet_url_and_score(password_article):
    hit = kb_search(query="восстановить пароль", log=False)[0]
    assert hit.url == "/help/faq/articles/forgot-password/"
    assert "Забыли пароль" in hit.snippet
    assert 0 < hit.score <= 1


def test_suggestions_complete_the_last_word_being_typed(password_article, sms_article):
    results = kb_search(query="не могу вспомнить пар", source=SearchSource.SUGGEST, log=False)
    assert results[0].article == password_article


def test_limit_is_respected_and_bounded(make_article):
    for i in range(25):
        make_article(f"password-{i}", f"Пароль, вопрос {i}")
    assert len(kb_search(query="пароль", limit=3, log=False)) == 3
    assert len(kb_search(query="пароль", limit=500, log=False)) == 20
