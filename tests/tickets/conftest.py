"""Fixtures of the appeal domain's time and routing tests."""

import importlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps

from tests.factories import OperatorFactory, SlaPolicyFactory
from tickets.models import SlaPolicy

MOSCOW = ZoneInfo("Europe/Moscow")
TEXT = "Не могу войти в личный кабинет, пишет неверный пароль."


def moscow(*args) -> datetime:
    return datetime(*args, tzinfo=MOSCOW)


@pytest.fixture
def default_policies(db):
    """The seeded calendar and figures, whatever an earlier transactional test flushed."""
    seeding = importlib.import_module("tickets.migrations.0003_default_calendar_and_policies")
    seeding.seed_defaults(apps)
    return {policy.name: policy for policy in SlaPolicy.objects.all()}


@pytest.fixture
def only_policy(db):
    """One form policy in calendar time (1 h first response, 10 h resolution, warn at 80%),
    the seeded ones switched off so the figures below are exactly these."""
    SlaPolicy.objects.update(is_active=False)
    return SlaPolicyFactory(name="Test form", first_response_seconds=3600, resolution_seconds=10 * 3600)


@pytest.fixture
def senior_of_queue(account_category):
    return OperatorFactory(username="semyon", profile__skills=[account_category], profile__is_senior=True)
