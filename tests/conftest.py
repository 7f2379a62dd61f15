"""Named personas shared by every test: two citizens, an operator of the right queue,
an operator of another queue, a second-line operator and a supervisor."""

import pytest
from rest_framework.test import APIClient

from gosupport.models import Role
from tests.browser_fixtures import (  # noqa: F401  (shared Playwright fixtures, one Chromium per session)
    browser_page,
    chromium_browser,
    no_script_page,
    serious_a11y_violations,
    sign_in,
)
from tests.factories import CategoryFactory, OperatorFactory, SlaPolicyFactory, UserFactory


@pytest.fixture(autouse=True)
def _sign_in_protection_off_by_default(settings):
    """The staff second factor and django-axes lockouts are off unless a test turns them on
    (tests/trust does): Django's `client.login()` passes no request, which axes refuses, and
    a staff persona would otherwise be sent to the second-factor page by every staff view."""
    settings.AXES_ENABLED = False
    settings.STAFF_2FA_REQUIRED = False


@pytest.fixture(autouse=True)
def _api_throttle_counters_empty():
    """REST throttling counts requests in the default cache, per user or per address; every
    test client comes from 127.0.0.1, so counters must not carry over from test to test."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _business_calendars_read_afresh():
    """Each process keeps the calendars, SLA policies and categories it read; a test's rolled-back rows must not outlive it."""
    from gosupport.calendar import calendars_forget
    from gosupport.categories import categories_forget
    from tickets.policies import sla_policies_forget

    for forget in (calendars_forget, sla_policies_forget, categories_forget):
        forget()
    yield
    for forget in (calendars_forget, sla_policies_forget, categories_forget):
        forget()


@pytest.fixture
def account_category(db):
    return CategoryFactory(slug="account-access", title="Доступ к личному кабинету", title_en="Account access")


@pytest.fixture
def applications_category(db):
    return CategoryFactory(slug="applications", title="Статусы заявлений", title_en="Application statuses")


@pytest.fixture
def form_policy(db):
    return SlaPolicyFactory(name="Feedback form")


@pytest.fixture
def citizen_a(db):
    return UserFactory(
        username="alice", email="alice@example.ru", first_name="Алиса", last_name="Смирнова", phone="+79161234567"
    )


@pytest.fixture
def citizen_b(db):
    return UserFactory(
        username="bob", email="bob@example.ru", first_name="Борис", last_name="Кузнецов", phone="+79167654321"
    )


@pytest.fixture
def operator_of_queue(account_category):
    return OperatorFactory(username="olga", profile__skills=[account_category])


@pytest.fixture
def operator_of_other_queue(applications_category):
    return OperatorFactory(username="oleg", profile__skills=[applications_category])


@pytest.fixture
def second_line_operator(account_category):
    return OperatorFactory(username="sergey", profile__skills=[account_category], profile__line=2)


@pytest.fixture
def supervisor(db):
    return UserFactory(username="svetlana", role=Role.SUPERVISOR, is_staff=True, is_superuser=True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for():
    """An API client signed in as the given user."""

    def make(user):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture(scope="session", autouse=True)
def _end_stray_database_sessions(django_db_setup, django_db_blocker):
    """Subprocesses and threads (daphne, concurrent sweeps) can leave sessions on the test
    database; end them so it can be dropped at the end of the run."""
    yield
    from django.db import connection

    with django_db_blocker.unblock():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


def pytest_collection_modifyitems(config, items):
    """A test that drives the browser is a browser test, whether or not its author marked it,
    so `make test` always runs it in the browser process."""
    for item in items:
        if "chromium_browser" in getattr(item, "fixturenames", ()) and not item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.browser)
