import pytest

from knowledgebase.models import ArticleVote, SearchLog


def test_faq_index_lists_sections_without_javascript(client, password_article):
    response = client.get("/help/faq/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Пароли" in body
    assert password_article.question in body


def test_search_page_shows_the_answer_first_and_logs_the_search(client, password_article, sms_article):
    response = client.get("/help/faq/", {"q": "пороль забыл"})
    body = response.content.decode()
    log = SearchLog.objects.get()
    assert log.source == "page"
    assert body.index(password_article.question) < body.index("still-need-help")
    assert f"s={log.pk}" in body


def test_search_with_no_answer_offers_the_chat_and_the_form(client, password_article):
    body = client.get("/help/faq/", {"q": "субсидия жкх"}).content.decode()
    assert "to=chat" in body
    assert "to=appeal" in body


def test_opening_an_article_from_the_results_is_logged(client, password_article):
    client.get("/help/faq/", {"q": "пароль"})
    log = SearchLog.objects.get()
    response = client.get(f"/help/faq/articles/{password_article.slug}/", {"s": log.pk})
    assert response.status_code == 200
    log.refresh_from_db()
    assert log.opened_article == password_article


def test_opening_an_article_with_someone_elses_search_leaves_that_search_alone(client, password_article):
    from django.test import Client

    client.get("/help/faq/", {"q": "пароль"})
    log = SearchLog.objects.get()

    response = Client().get(f"/help/faq/articles/{password_article.slug}/", {"s": log.pk})

    assert response.status_code == 200
    log.refresh_from_db()
    assert log.opened_article is None and log.opened_at is None


@pytest.mark.parametrize("search_id", ["abc", "-1", "999999", "1" * 20, ""])
def test_a_bad_or_unknown_search_id_opens_the_article_and_marks_nothing(client, password_article, search_id):
    client.get("/help/faq/", {"q": "пароль"})

    response = client.get(f"/help/faq/articles/{password_article.slug}/", {"s": search_id})

    assert response.status_code == 200
    assert SearchLog.objects.get().opened_article is None


def test_unknown_or_unpublished_article_is_404(client, make_article):
    make_article("draft", "Черновик", published=False)
    assert client.get("/help/faq/articles/draft/").status_code == 404
    assert client.get("/help/faq/articles/nothing/").status_code == 404
    assert client.get("/help/faq/sections/nothing/").status_code == 404


def test_vote_form_works_without_javascript(client, password_article):
    response = client.post(f"/help/faq/articles/{password_article.slug}/vote/", {"helpful": "no"})
    assert response.status_code == 302
    assert response["Location"].endswith("#still-need-help")
    assert ArticleVote.objects.get().helpful is False


def test_a_visitors_vote_after_their_search_settles_it(client, password_article):
    client.get("/help/faq/", {"q": "пароль"})
    log = SearchLog.objects.get()

    client.post(f"/help/faq/articles/{password_article.slug}/vote/", {"helpful": "yes", "s": log.pk})

    log.refresh_from_db()
    assert log.helpful is True


def test_a_vote_naming_someone_elses_search_leaves_that_search_alone(client, password_article):
    from django.test import Client

    client.get("/help/faq/", {"q": "пароль"})
    log = SearchLog.objects.get()

    response = Client().post(f"/help/faq/articles/{password_article.slug}/vote/", {"helpful": "no", "s": log.pk})

    assert response.status_code == 302
    log.refresh_from_db()
    assert log.helpful is None
    vote = ArticleVote.objects.get()
    assert vote.helpful is False and vote.article == password_article and vote.search is None


def test_vote_without_a_choice_stores_nothing(client, password_article):
    response = client.post(f"/help/faq/articles/{password_article.slug}/vote/", {"helpful": "maybe"})
    assert response.status_code == 302
    assert not ArticleVote.objects.exists()


def test_still_need_help_carries_the_question_to_the_feedback_form(client, password_article):
    client.get("/help/faq/", {"q": "пароль не подходит"})
    log = SearchLog.objects.get()
    response = client.get("/help/faq/still-need-help/", {"to": "appeal", "q": "пароль не подходит", "s": log.pk})
    assert response.status_code == 302
    assert "text=%D0%BF%D0%B0%D1%80%D0%BE%D0%BB%D1%8C" in response["Location"]
    assert f"kb_search={log.pk}" in response["Location"]
    log.refresh_from_db()
    assert log.followed_by == "appeal"


def test_still_need_help_with_someone_elses_search_leads_on_and_leaves_that_search_alone(client, password_article):
    from django.test import Client

    client.get("/help/faq/", {"q": "пароль не подходит"})
    log = SearchLog.objects.get()

    response = Client().get("/help/faq/still-need-help/", {"to": "chat", "q": "пароль", "s": log.pk})

    assert response.status_code == 302
    log.refresh_from_db()
    assert log.followed_by == "" and log.followed_at is None


def test_still_need_help_to_an_unknown_place_changes_nothing(client, password_article):
    client.get("/help/faq/", {"q": "пароль"})
    response = client.get("/help/faq/still-need-help/", {"to": "fax", "s": SearchLog.objects.get().pk})
    assert response.status_code == 302
    assert SearchLog.objects.get().followed_by == ""


def test_english_reader_gets_the_english_article(client, make_article, password_article):
    make_article("forgot-password", "How do I recover a password?", lang="en")
    body = client.get("/help/faq/articles/forgot-password/", {"lang": "en"}).content.decode()
    assert "How do I recover a password?" in body
    assert 'hreflang="ru"' in body
