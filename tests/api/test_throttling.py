"""Per-user throttling: generous for a person, 429 for a flood."""

import pytest
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


@pytest.fixture
def tight_rates(monkeypatch):
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "user": "5/min", "anon": "3/min", "auth": "2/min"}
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)


def test_default_rates_are_generous_for_normal_use():
    rates = api_settings.DEFAULT_THROTTLE_RATES
    per_minute = {scope: SimpleRateThrottle.parse_rate(None, rates[scope]) for scope in ("user", "anon", "auth")}

    assert per_minute["user"][0] / per_minute["user"][1] * 60 >= 600
    assert per_minute["anon"][0] / per_minute["anon"][1] * 60 >= 60
    assert per_minute["auth"][0] / per_minute["auth"][1] * 60 >= 10


def test_a_user_over_the_rate_gets_429(client_for, citizen_a, tight_rates):
    client = client_for(citizen_a)
    answers = [client.get("/api/v1/tickets/").status_code for _ in range(6)]

    assert answers == [200] * 5 + [429]
    assert "Retry-After" in client.get("/api/v1/tickets/").headers


def test_one_users_flood_does_not_throttle_another(client_for, citizen_a, citizen_b, tight_rates):
    for _ in range(6):
        client_for(citizen_a).get("/api/v1/me/")

    assert client_for(citizen_b).get("/api/v1/me/").status_code == 200


def test_token_requests_are_throttled_per_address(api_client, citizen_a, tight_rates):
    body = {"username": "alice", "password": "correct-horse-42"}
    answers = [api_client.post("/api/v1/auth/token/", body, format="json").status_code for _ in range(3)]

    assert answers == [200, 200, 429]


def test_anonymous_callers_are_throttled(api_client, db, tight_rates):
    answers = [api_client.get("/api/v1/categories/").status_code for _ in range(4)]

    assert answers == [200, 200, 200, 429]


def test_a_forged_forwarded_address_does_not_reset_the_count(api_client, db, tight_rates):
    answers = [
        api_client.get("/api/v1/categories/", HTTP_X_FORWARDED_FOR=f"10.0.0.{attempt}").status_code
        for attempt in range(4)
    ]

    assert answers == [200, 200, 200, 429]
