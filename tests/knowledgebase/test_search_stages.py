"""The search reads articles with the query's words in their question or keywords first
and the answers only when those cannot fill the result: the same hits, fewer rows read."""

import pytest

from knowledgebase import search, selectors
from knowledgebase.search import ANSWER_ONLY_MAX_SCORE, article_score, kb_search, plan_query

pytestmark = pytest.mark.django_db


def full_search(query: str, limit: int) -> list[tuple[str, float]]:
    """The ranking over every article that has a query word anywhere."""
    groups = plan_query(query, "ru")
    candidates = selectors.article_candidates(lang="ru", category=None, groups=groups)
    return [(hit.article.slug, hit.score) for hit in search._hits(groups, search._scored(groups, candidates)[:limit])]


def slugs_and_scores(query: str, limit: int) -> list[tuple[str, float]]:
    return [(hit.article.slug, hit.score) for hit in kb_search(query=query, limit=limit, log=False)]


@pytest.fixture
def answers_mention_passwords(make_article):
    for n in range(6):
        make_article(f"other-{n}", f"Как оплатить пошлину номер {n}?", "Если забыли пароль, сначала восстановите его.")


def test_an_article_with_the_words_only_in_its_answer_is_still_found(make_article):
    make_article("duty", "Как оплатить госпошлину?", "Оплатите картой. Квитанция придёт на почту.")
    hits = kb_search(query="квитанция", log=False)
    assert [hit.article.slug for hit in hits] == ["duty"]
    assert hits[0].score <= ANSWER_ONLY_MAX_SCORE


def test_question_matches_that_fill_the_result_leave_the_answers_unread(
    password_article, sms_article, answers_mention_passwords, monkeypatch
):
    searched = []
    original = selectors.article_candidates

    def spy(**kwargs):
        searched.append(kwargs.get("in_answers", True))
        return original(**kwargs)

    monkeypatch.setattr(selectors, "article_candidates", spy)
    hits = kb_search(query="забыл пароль", limit=1, log=False)
    assert [hit.article.slug for hit in hits] == ["forgot-password"]
    assert hits[0].score > ANSWER_ONLY_MAX_SCORE
    assert searched == [False]
    kb_search(query="квитанция пароль", limit=5, log=False)  # too few question matches
    assert searched == [False, False, True]


def test_the_answers_of_the_hits_are_read_in_one_query(
    password_article, sms_article, answers_mention_passwords, django_assert_max_num_queries
):
    kb_search(query="пароль", limit=5, log=False)
    # terms, question candidates, answer candidates, the hits' answers (the count is cached)
    with django_assert_max_num_queries(4):
        hits = kb_search(query="пароль", limit=5, log=False)
    assert len(hits) == 5 and all(hit.snippet for hit in hits)


@pytest.mark.parametrize("limit", [1, 2, 5, 10])
def test_the_hits_are_those_of_a_search_over_every_matching_article(
    password_article, sms_article, make_article, answers_mention_passwords, limit
):
    make_article("reset", "Не приходит код для сброса пароля", keywords="пароль, код")
    for query in ("забыл пароль", "пароль", "не приходит смс", "код пароль пошлина"):
        assert slugs_and_scores(query, limit) == full_search(query, limit)


def test_no_article_without_the_words_in_its_question_or_keywords_beats_the_threshold(
    answers_mention_passwords,
):
    from knowledgebase.models import Article

    groups = plan_query("забыл пароль", "ru")
    for article in Article.objects.all():
        assert article_score(groups, article) <= ANSWER_ONLY_MAX_SCORE


def test_each_hit_carries_a_snippet_of_its_answer(password_article, sms_article):
    hits = kb_search(query="пароль код", limit=5, log=False)
    assert hits and all(hit.snippet for hit in hits)
    assert any("пароль" in hit.snippet.lower() for hit in hits)
