"""Categories by slug, kept per process for CATEGORY_CACHE_SECONDS: every appeal filed through
the API names one, and supervisors change them rarely (see gosupport.process_cache)."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from gosupport.models import Category
from gosupport.process_cache import ProcessCache

_categories = ProcessCache("CATEGORY_CACHE_SECONDS")


def category_by_slug(slug: str) -> Category | None:
    """Shared between requests: callers read it and never change it."""
    by_slug = _categories.get("by_slug")
    if by_slug is None:
        by_slug = {category.slug: category for category in Category.objects.all()}
        _categories.put("by_slug", by_slug)
    return by_slug.get(slug)


def categories_forget() -> None:
    _categories.clear()


@receiver(post_save, sender=Category, dispatch_uid="category-cache-saved")
@receiver(post_delete, sender=Category, dispatch_uid="category-cache-deleted")
def _categories_changed(sender, **kwargs) -> None:
    categories_forget()
    transaction.on_commit(categories_forget)
