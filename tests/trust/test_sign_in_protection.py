"""Brute-force protection (django-axes): five failures lock one account from one address."""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from gosupport import twofactor

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-42"
HOME_ADDRESS = "203.0.113.7"
OTHER_ADDRESS = "198.51.100.20"


@pytest.fixture(autouse=True)
def lockouts_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
    settings.TRUSTED_PROXY_COUNT = 0
    cache.clear()  # the API's own throttle counts in the cache


def client_from(address: str) -> Client:
    return Client(REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE="en")


def sign_in(client: Client, username: str, password: str, url: str | None = None):
    return client.post(url or reverse("login"), {"username": username, "password": password})


def fail(client: Client, username: str, times: int = 5, url: str | None = None) -> list[int]:
    return [sign_in(client, username, "wrong password", url).status_code for _ in range(times)]


def test_five_failures_lock_the_account_from_that_address(citizen_a):
    client = client_from(HOME_ADDRESS)
    assert fail(client, "alice@example.ru") == [200, 200, 200, 200, 429]
    response = sign_in(client, "alice@example.ru", PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed sign-in attempts" in page and "15 minutes" in page
    assert response["Retry-After"] == "900"
    assert "_auth_user_id" not in client.session


def test_four_failures_still_let_the_right_password_in(citizen_a):
    client = client_from(HOME_ADDRESS)
    fail(client, "alice@example.ru", times=4)
    assert sign_in(client, "alice@example.ru", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(citizen_a.pk)


def test_success_resets_the_count(citizen_a):
    client = client_from(HOME_ADDRESS)
    fail(client, "alice@example.ru", times=4)
    assert sign_in(client, "alice@example.ru", PASSWORD).status_code == 302
    client.logout()
    fail(client, "alice@example.ru", times=4)
    assert sign_in(client, "alice@example.ru", PASSWORD).status_code == 302


def test_another_account_on_the_same_address_is_not_locked(citizen_a, citizen_b):
    client = client_from(HOME_ADDRESS)
    fail(client, "alice@example.ru")
    assert sign_in(client, "bob@example.ru", PASSWORD).status_code == 302


def test_the_same_account_from_another_address_is_not_locked(citizen_a):
    fail(client_from(HOME_ADDRESS), "alice@example.ru")
    assert sign_in(client_from(OTHER_ADDRESS), "alice@example.ru", PASSWORD).status_code == 302


def test_username_email_and_phone_of_one_person_share_one_counter(citizen_a):
    client = client_from(HOME_ADDRESS)
    for identifier in ["alice", "ALICE@example.ru", "+7 916 123-45-67", "89161234567", "alice@example.ru"]:
        sign_in(client, identifier, "wrong password")
    assert sign_in(client, "alice@example.ru", PASSWORD).status_code == 429


def test_the_lock_lifts_after_the_cool_off(citizen_a):
    client = client_from(HOME_ADDRESS)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        fail(client, "alice@example.ru")
        assert sign_in(client, "alice@example.ru", PASSWORD).status_code == 429
        clock.shift(dt.timedelta(minutes=16))
        assert sign_in(client, "alice@example.ru", PASSWORD).status_code == 302


def test_admin_login_is_protected(supervisor):
    client = client_from(HOME_ADDRESS)
    admin_login = reverse("admin:login")
    assert fail(client, "svetlana", url=admin_login) == [200, 200, 200, 200, 429]
    response = sign_in(client, "svetlana", PASSWORD, url=admin_login)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_api_token_endpoint_is_protected(citizen_a):
    client = APIClient(REMOTE_ADDR=HOME_ADDRESS, HTTP_ACCEPT_LANGUAGE="en")
    url = "/api/v1/auth/token/"
    statuses = [
        client.post(url, {"username": "alice", "password": "wrong"}, format="json").status_code for _ in range(5)
    ]
    assert statuses == [400, 400, 400, 400, 429]
    response = client.post(url, {"username": "alice", "password": PASSWORD}, format="json")
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.json()["detail"]
    assert "token" not in response.json()


def test_unknown_accounts_are_counted_too_and_reveal_nothing():
    client = client_from(HOME_ADDRESS)
    fail(client, "nobody@example.ru")
    assert sign_in(client, "nobody@example.ru", "anything").status_code == 429
    assert AccessAttempt.objects.filter(username="nobody@example.ru").exists()


def test_forged_forwarded_for_header_does_not_change_the_address(citizen_a):
    for number in range(5):
        forged = Client(REMOTE_ADDR=HOME_ADDRESS, HTTP_X_FORWARDED_FOR=f"10.0.0.{number}")
        sign_in(forged, "alice", "wrong password")
    assert sign_in(client_from(HOME_ADDRESS), "alice", PASSWORD).status_code == 429


def test_disabled_protection_never_locks(settings, citizen_a):
    settings.AXES_ENABLED = False
    client = client_from(HOME_ADDRESS)
    fail(client, "alice", times=7)
    assert sign_in(client, "alice", PASSWORD).status_code == 302


# The pieces axes is configured with


class FakeRequest:
    def __init__(self, remote_addr: str, forwarded_for: str = "", post: dict | None = None):
        self.META = {"REMOTE_ADDR": remote_addr}
        if forwarded_for:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded_for
        self.POST = post or {}


def test_client_address_trusts_only_the_configured_proxies(settings):
    request = FakeRequest("10.1.1.1", forwarded_for="6.6.6.6, 203.0.113.7")
    assert twofactor.sign_in_client_address(request) == "10.1.1.1"
    settings.TRUSTED_PROXY_COUNT = 1
    assert twofactor.sign_in_client_address(request) == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 3
    assert twofactor.sign_in_client_address(request) == "10.1.1.1"


def test_account_key_names_the_account_or_the_identifier(citizen_a):
    key = f"account:{citizen_a.pk}"
    assert twofactor.sign_in_account_key(FakeRequest(HOME_ADDRESS), {"username": " Alice "}) == key
    assert twofactor.sign_in_account_key(FakeRequest(HOME_ADDRESS), {"username": "8 916 123 45 67"}) == key
    assert twofactor.sign_in_account_key(FakeRequest(HOME_ADDRESS, post={"username": "alice@example.ru"})) == key
    assert twofactor.sign_in_account_key(FakeRequest(HOME_ADDRESS), {"username": "Stranger"}) == "stranger"
    assert twofactor.sign_in_account_key(FakeRequest(HOME_ADDRESS), {}) == ""


def test_successful_staff_sign_ins_are_not_counted_as_failures(settings, supervisor):
    settings.STAFF_2FA_REQUIRED = True
    client = client_from(HOME_ADDRESS)
    for _ in range(6):
        assert sign_in(client, "svetlana", PASSWORD).status_code == 302
        client.logout()
    assert not AccessAttempt.objects.filter(failures_since_start__gt=0).exists()
