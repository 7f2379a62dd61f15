import pytest

from knowledgebase.models import ArticleVote, CannedResponse, SearchLog

SEARCH = "/api/v1/kb/search/"


def test_search_answers_anonymous_callers_in_the_contract_shape(api_client, password_article):
    response = api_client.get(SEARCH, {"q": "забыл пароль"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"results", "search_id"}
    first = body["results"][0]
    assert set(first) >= {"id", "title", "snippet", "url", "score"}
    assert first["id"] == password_article.pk
    assert SearchLog.objects.get(pk=body["search_id"]).source == "api"


def test_suggestions_come_with_a_heading(api_client, password_article):
    body = api_client.get(SEARCH, {"q": "забыл пароль", "source": "suggest"}).json()
    assert body["heading"]
    assert SearchLog.objects.get(pk=body["search_id"]).source == "suggest"


@pytest.mark.parametrize(
    "params, field",
    [
        ({}, "q"),
        ({"q": "a"}, "q"),
        ({"q": "x" * 301}, "q"),
        ({"q": "пароль", "lang": "de"}, "lang"),
        ({"q": "пароль", "limit": "0"}, "limit"),
        ({"q": "пароль", "limit": "many"}, "limit"),
        ({"q": "пароль", "category": "no-such-section"}, "category"),
        ({"q": "пароль", "source": "chat"}, "source"),
    ],
)
def test_search_refuses_bad_input_and_logs_nothing(api_client, password_article, params, field):
    response = api_client.get(SEARCH, params)
    assert response.status_code == 400
    assert field in response.json()
    assert not SearchLog.objects.exists()


def test_search_by_section_slug(api_client, password_article):
    response = api_client.get(SEARCH, {"q": "пароль", "category": "passwords"})
    assert [r["id"] for r in response.json()["results"]] == [password_article.pk]


def test_article_detail_is_public_with_sanitised_answer_and_links(api_client, make_article):
    article = make_article("links", "Вопрос", answer="Текст <script>x()</script>")
    article.links.create(kind="regulation", title="210-ФЗ", url="https://example.org/210")
    body = api_client.get(f"/api/v1/kb/articles/{article.pk}/").json()
    assert body["title"] == "Вопрос"
    assert "<script" not in body["answer_html"]
    assert body["links"] == [{"kind": "regulation", "title": "210-ФЗ", "url": "https://example.org/210"}]
    assert body["section"] == "passwords"


def test_unpublished_or_missing_article_is_404(api_client, make_article):
    draft = make_article("draft", "Черновик", published=False)
    assert api_client.get(f"/api/v1/kb/articles/{draft.pk}/").status_code == 404
    assert api_client.get("/api/v1/kb/articles/999999/").status_code == 404


def test_opening_an_article_through_the_api_records_the_search(client_for, citizen_a, password_article):
    alice = client_for(citizen_a)
    search_id = alice.get(SEARCH, {"q": "пароль"}).json()["search_id"]
    alice.get(f"/api/v1/kb/articles/{password_article.pk}/", {"s": search_id})
    assert SearchLog.objects.get(pk=search_id).opened_article == password_article


@pytest.mark.parametrize("caller", ["citizen_b", None])
def test_opening_an_article_with_somebody_elses_search_id_leaves_that_search_alone(
    request, client_for, citizen_a, password_article, caller
):
    search_id = client_for(citizen_a).get(SEARCH, {"q": "пароль"}).json()["search_id"]
    stranger = client_for(request.getfixturevalue(caller) if caller else None)

    response = stranger.get(f"/api/v1/kb/articles/{password_article.pk}/", {"s": search_id})

    assert response.status_code == 200
    assert SearchLog.objects.get(pk=search_id).opened_article is None


def test_vote_through_the_api(api_client, password_article):
    response = api_client.post(f"/api/v1/kb/articles/{password_article.pk}/vote/", {"helpful": True}, format="json")
    assert response.status_code == 201
    assert ArticleVote.objects.get().helpful is True


def test_a_signed_in_callers_vote_settles_only_their_own_search(client_for, citizen_a, citizen_b, password_article):
    alice, bob = client_for(citizen_a), client_for(citizen_b)
    search_id = alice.get(SEARCH, {"q": "пароль"}).json()["search_id"]
    vote_url = f"/api/v1/kb/articles/{password_article.pk}/vote/"

    foreign = bob.post(vote_url, {"helpful": False, "search_id": search_id}, format="json")
    assert foreign.status_code == 201
    assert SearchLog.objects.get(pk=search_id).helpful is None

    own = alice.post(vote_url, {"helpful": True, "search_id": search_id}, format="json")
    assert own.status_code == 201
    assert SearchLog.objects.get(pk=search_id).helpful is True
    assert ArticleVote.objects.filter(article=password_article).count() == 2


def test_an_anonymous_caller_without_a_session_settles_no_search(api_client, password_article):
    search_id = api_client.get(SEARCH, {"q": "пароль"}).json()["search_id"]

    response = api_client.post(
        f"/api/v1/kb/articles/{password_article.pk}/vote/", {"helpful": True, "search_id": search_id}, format="json"
    )

    assert response.status_code == 201
    assert SearchLog.objects.get(pk=search_id).helpful is None
    assert ArticleVote.objects.get().helpful is True


def test_vote_without_an_answer_is_refused(api_client, password_article):
    response = api_client.post(f"/api/v1/kb/articles/{password_article.pk}/vote/", {}, format="json")
    assert response.status_code == 400
    assert "helpful" in response.json()
    assert not ArticleVote.objects.exists()


def test_sections_list_for_the_mobile_app(api_client, password_article):
    body = api_client.get("/api/v1/kb/sections/", {"lang": "en"}).json()
    assert body[0]["title"] == "Passwords"
    assert body[0]["articles"][0]["id"] == password_article.pk


def test_operator_gets_canned_responses_and_articles_for_an_appeal(
    client_for, operator_of_queue, account_category, password_article
):
    CannedResponse.objects.create(shortcut="pwd", title="Пароль", body="Здравствуйте, {citizen_name}!")
    CannedResponse.objects.create(shortcut="other", title="Другое", body="Текст", category=account_category)
    response = client_for(operator_of_queue).get("/api/v1/kb/workspace/", {"q": "пароль"})
    assert response.status_code == 200
    body = response.json()
    assert [c["shortcut"] for c in body["canned"]] == ["pwd"]
    assert body["articles"][0]["url"] == "http://testserver/help/faq/articles/forgot-password/"


def test_citizen_cannot_use_the_workspace_assist(client_for, citizen_a):
    assert client_for(citizen_a).get("/api/v1/kb/workspace/").status_code == 403


def test_anonymous_cannot_use_the_workspace_assist(api_client):
    assert api_client.get("/api/v1/kb/workspace/").status_code in (401, 403)


def test_schema_describes_the_knowledge_base(api_client, supervisor):
    api_client.force_authenticate(supervisor)
    schema = api_client.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/kb/search/" in schema["paths"]
    assert "/api/v1/kb/articles/{article_id}/" in schema["paths"]
