"""Every model of the centre reads as something in admin (its own __str__), and every field
admin shows has a name in the reader's language (a translated verbose_name)."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.test import RequestFactory
from django.utils.functional import Promise

from tests.factories import UserFactory

APPS = ("gosupport", "tickets", "chat", "knowledgebase", "appointments")


def _ours(model) -> bool:
    return model._meta.app_label in APPS


MODELS = [model for label in APPS for model in apps.get_app_config(label).get_models()]


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_every_model_says_what_it_is(model):
    assert model.__str__ is not models.Model.__str__


def _names(entries) -> set[str]:
    names = set()
    for entry in entries or ():
        if isinstance(entry, list | tuple):
            names |= _names(entry)
        elif isinstance(entry, str):
            names.add(entry.split("__")[0])
    return names


def _shown_by(model_admin, request) -> set[str]:
    return (
        _names(model_admin.get_fields(request))
        | _names(model_admin.get_readonly_fields(request))
        | _names(getattr(model_admin, "list_display", ()))
        | _names(f if isinstance(f, str) else None for f in getattr(model_admin, "list_filter", ()))
    )


def _fields_admin_shows(request) -> list[tuple[type, str]]:
    shown: dict[type, set[str]] = {}
    for model, model_admin in admin.site._registry.items():
        if _ours(model):
            shown.setdefault(model, set()).update(_shown_by(model_admin, request))
            for inline in model_admin.get_inline_instances(request):
                shown.setdefault(inline.model, set()).update(_shown_by(inline, request))
    return [(model, name) for model, names in shown.items() for name in sorted(names)]


@pytest.mark.django_db
def test_every_field_admin_shows_has_a_translated_name():
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    unnamed = []
    for model, name in _fields_admin_shows(request):
        try:
            field = model._meta.get_field(name)
        except Exception:
            continue  # an admin method or annotation: it has its own description
        if field.concrete and not field.auto_created and not isinstance(field.verbose_name, Promise):
            unnamed.append(f"{model._meta.label}.{name}")
    assert unnamed == []
