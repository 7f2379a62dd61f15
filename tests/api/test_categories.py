"""The category taxonomy: public, active categories only, titles in the request's language."""

from tests.factories import CategoryFactory


def test_categories_have_slug_title_and_parent_slug(api_client, account_category):
    CategoryFactory(slug="password", title="Пароль", title_en="Password", parent=account_category)

    rows = {row["slug"]: row for row in api_client.get("/api/v1/categories/").json()}

    assert rows["password"]["parent"] == "account-access"
    assert rows["account-access"]["parent"] is None
    assert rows["account-access"]["title"] == "Доступ к личному кабинету"
    assert set(rows["password"]) >= {"id", "slug", "title", "parent"}


def test_category_titles_follow_accept_language(api_client, account_category):
    rows = api_client.get("/api/v1/categories/", HTTP_ACCEPT_LANGUAGE="en").json()

    assert {row["slug"]: row["title"] for row in rows}["account-access"] == "Account access"


def test_inactive_categories_are_not_offered(api_client, account_category):
    CategoryFactory(slug="retired", is_active=False)

    slugs = {row["slug"] for row in api_client.get("/api/v1/categories/").json()}

    assert "retired" not in slugs and "account-access" in slugs
