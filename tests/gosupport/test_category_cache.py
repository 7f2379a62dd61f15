"""Categories named by slug are read once per process and kept for a few seconds."""

import pytest

from gosupport import process_cache
from gosupport.categories import category_by_slug
from gosupport.models import Category
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db


def test_a_category_saved_in_this_process_is_found_at_once():
    assert category_by_slug("new-topic") is None
    CategoryFactory(slug="new-topic")
    assert category_by_slug("new-topic").slug == "new-topic"


def test_a_category_deleted_in_this_process_is_gone_at_once():
    CategoryFactory(slug="short-lived")
    assert category_by_slug("short-lived") is not None
    Category.objects.get(slug="short-lived").delete()
    assert category_by_slug("short-lived") is None


def test_a_change_made_by_another_process_is_read_after_the_cache_time(monkeypatch, settings):
    settings.CATEGORY_CACHE_SECONDS = 5
    now = [1000.0]
    monkeypatch.setattr(process_cache.clock, "monotonic", lambda: now[0])
    CategoryFactory(slug="retiring")
    assert category_by_slug("retiring").is_active
    # A queryset update sends no signal, like a change made in another process.
    Category.objects.filter(slug="retiring").update(is_active=False)
    now[0] += 4
    assert category_by_slug("retiring").is_active
    now[0] += 2
    assert not category_by_slug("retiring").is_active


def test_reading_again_within_the_cache_time_asks_the_database_nothing(django_assert_num_queries):
    CategoryFactory(slug="steady")
    category_by_slug("steady")
    with django_assert_num_queries(0):
        assert category_by_slug("steady") is not None
        assert category_by_slug("unknown") is None
