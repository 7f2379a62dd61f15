"""Schemathesis against our own OpenAPI schema: no input, however odd, gets a 500.

Bounded in time: a few examples per operation, as a citizen (the widest surface a
stranger reaches) and as a supervisor (every staff route)."""

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from rest_framework.authtoken.models import Token

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _load_schema():
    from gosupport.wsgi import application

    return schemathesis.openapi.from_wsgi("/api/schema/", application)


schema = _load_schema()


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Like Django's test client: a request must not close the connection that holds the
    test's transaction (schemathesis calls the WSGI app directly)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def token_header(user) -> dict:
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


FUZZ = hypothesis_settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


def call_and_check(case, headers) -> None:
    response = case.call(headers=headers)
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"


@schema.parametrize()
@FUZZ
def test_no_input_from_a_citizen_makes_the_server_fail(case, citizen_a, account_category, form_policy):
    call_and_check(case, token_header(citizen_a))


@schema.parametrize()
@FUZZ
def test_no_input_from_a_supervisor_makes_the_server_fail(case, supervisor, account_category, form_policy):
    call_and_check(case, token_header(supervisor))
