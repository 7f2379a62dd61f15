"""The staff second factor: set-up, verification, recovery codes and the guard on staff pages."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from gosupport import twofactor
from tests.trust.conftest import current_code, wrong_code

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("second_factor_on")]

VERIFY = reverse("twofactor:verify")
SETUP = reverse("twofactor:setup")


def signed_in(client, user):
    client.force_login(user)
    return client


def verify(client, code, next_url="/admin/"):
    return client.post(VERIFY, {"token": code, "next": next_url})


# The guard on staff pages


def test_unverified_operator_is_sent_from_workspace_to_verify(client, operator_of_queue, authenticator):
    authenticator(operator_of_queue)
    response = signed_in(client, operator_of_queue).get("/workspace/")
    assert response.status_code == 302
    assert response["Location"] == f"{VERIFY}?next=/workspace/"


def test_signing_in_with_a_password_alone_leads_staff_to_the_second_factor(client, supervisor, authenticator):
    authenticator(supervisor)
    response = client.post(reverse("login"), {"username": "svetlana", "password": "correct-horse-42"}, follow=True)
    assert response.redirect_chain[-1][0].startswith(VERIFY)
    assert client.get("/admin/")["Location"] == f"{VERIFY}?next=/admin/"


def test_supervisor_without_authenticator_is_sent_from_admin_to_setup(client, supervisor):
    response = signed_in(client, supervisor).get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=/admin/"


def test_supervisor_reaches_admin_only_after_verifying(client, supervisor, authenticator):
    device = authenticator(supervisor)
    signed_in(client, supervisor)
    assert client.get("/admin/").status_code == 302
    response = verify(client, current_code(device), next_url="/admin/")
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_operator_reaches_workspace_after_verifying(client, operator_of_queue, authenticator):
    device = authenticator(operator_of_queue)
    signed_in(client, operator_of_queue)
    verify(client, current_code(device), next_url="/workspace/")
    response = client.get("/workspace/")
    assert not response.get("Location", "").startswith("/account/2fa/")
    assert response.status_code == 200


def test_citizen_is_never_asked_for_a_second_factor(client, citizen_a):
    signed_in(client, citizen_a)
    assert client.get("/help/").status_code == 200
    assert client.get(VERIFY).status_code == 404
    assert client.get(SETUP).status_code == 404
    assert not TOTPDevice.objects.filter(user=citizen_a).exists()


def test_nothing_is_asked_when_the_setting_is_off(client, settings, supervisor):
    settings.STAFF_2FA_REQUIRED = False
    assert signed_in(client, supervisor).get("/admin/").status_code == 200


def test_unverified_staff_may_still_sign_out_and_switch_language(client, supervisor, authenticator):
    authenticator(supervisor)
    signed_in(client, supervisor)
    language = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert not language["Location"].startswith("/account/2fa/")
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and not response["Location"].startswith("/account/2fa/")
    assert "_auth_user_id" not in client.session


def test_redirect_keeps_the_query_string_of_the_page_asked_for(client, operator_of_queue, authenticator):
    authenticator(operator_of_queue)
    response = signed_in(client, operator_of_queue).get("/workspace/?status=accepted")
    assert response["Location"] == f"{VERIFY}?next=/workspace/%3Fstatus%3Daccepted"


# The API


def test_session_api_call_by_unverified_staff_is_forbidden(supervisor, authenticator):
    authenticator(supervisor)
    client = APIClient()
    client.force_login(supervisor)
    response = client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "second factor" in response.json()["detail"]


def test_session_api_call_after_verifying_passes(supervisor, authenticator):
    device = authenticator(supervisor)
    client = APIClient()
    client.force_login(supervisor)
    verify(client, current_code(device))
    assert client.get("/api/schema/").status_code == 200


def test_token_api_call_is_not_redirected(supervisor):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=supervisor).key}")
    assert client.get("/api/schema/").status_code == 200


def test_api_sign_in_endpoints_stay_open_to_an_unverified_session(supervisor, authenticator):
    authenticator(supervisor)
    client = APIClient()
    client.force_login(supervisor)
    response = client.post("/api/v1/auth/token/", {"username": "svetlana", "password": "wrong"}, format="json")
    assert response.status_code != 403


# Verification


def test_wrong_code_is_refused_with_a_clear_message(client, supervisor, authenticator):
    device = authenticator(supervisor)
    signed_in(client, supervisor)
    response = client.post(VERIFY, {"token": wrong_code(device), "next": "/admin/"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "The code is wrong or has expired" in response.content.decode()
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get("/admin/").status_code == 302


def test_codes_are_refused_for_a_while_after_wrong_ones(client, supervisor, authenticator):
    device = authenticator(supervisor)
    signed_in(client, supervisor)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert verify(client, wrong_code(device)).status_code == 400
        response = client.post(VERIFY, {"token": current_code(device)}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 400
        assert "Too many wrong codes. Wait 1 second and try again." in response.content.decode()
        clock.shift(dt.timedelta(seconds=2))
        assert verify(client, current_code(device)).status_code == 302
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("token", ["", "   ", "12 34 5x!", "<script>", "9" * 40])
def test_malformed_code_is_refused(client, supervisor, authenticator, token):
    authenticator(supervisor)
    signed_in(client, supervisor)
    response = client.post(VERIFY, {"token": token})
    assert response.status_code == 400
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_code_from_another_staff_members_app_is_refused(client, supervisor, operator_of_queue, authenticator):
    authenticator(supervisor)
    other_device = authenticator(operator_of_queue)
    signed_in(client, supervisor)
    assert verify(client, current_code(other_device)).status_code == 400
    assert client.get("/admin/").status_code == 302


def test_a_code_cannot_be_used_twice(client, supervisor, authenticator):
    device = authenticator(supervisor)
    code = current_code(device)
    assert twofactor.verify_second_factor(user=supervisor, token=code)
    assert not twofactor.verify_second_factor(user=supervisor, token=code)


def test_recovery_code_works_once(client, supervisor, authenticator):
    authenticator(supervisor)
    codes = twofactor.recovery_codes_issue(user=supervisor)
    signed_in(client, supervisor)
    response = verify(client, codes[0].upper())
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert StaticToken.objects.filter(device__user=supervisor).count() == 9

    second_session = signed_in(type(client)(), supervisor)
    again = verify(second_session, codes[0])
    assert again.status_code == 400
    assert second_session.get("/admin/").status_code == 302


def test_using_a_recovery_code_warns_how_many_are_left(client, supervisor, authenticator):
    authenticator(supervisor)
    codes = twofactor.recovery_codes_issue(user=supervisor)
    signed_in(client, supervisor)
    response = client.post(VERIFY, {"token": codes[3], "next": "/admin/"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "9 recovery codes are left" in response.content.decode()


def test_verifying_rotates_the_session_id(client, supervisor, authenticator):
    device = authenticator(supervisor)
    signed_in(client, supervisor)
    before = client.session.session_key
    verify(client, current_code(device))
    assert client.session.session_key != before


def test_verify_never_redirects_to_another_site(client, supervisor, authenticator):
    device = authenticator(supervisor)
    signed_in(client, supervisor)
    response = verify(client, current_code(device), next_url="https://evil.example/")
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_verify_without_an_authenticator_leads_to_setup(client, supervisor):
    response = signed_in(client, supervisor).get(VERIFY)
    assert response.status_code == 302 and response["Location"].startswith(SETUP)


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(VERIFY)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# Set-up


def test_setup_shows_a_qr_code_and_the_secret_and_keeps_them_on_reload(client, operator_of_queue):
    signed_in(client, operator_of_queue)
    first = client.get(SETUP)
    second = client.get(SETUP)
    device = TOTPDevice.objects.get(user=operator_of_queue)
    assert not device.confirmed
    page = first.content.decode()
    assert "<svg" in page and "<script" not in page
    assert twofactor.totp_secret_text(device) in page
    assert twofactor.totp_secret_text(device) in second.content.decode()


def test_setup_with_a_wrong_first_code_confirms_nothing(client, operator_of_queue):
    signed_in(client, operator_of_queue)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=operator_of_queue)
    response = client.post(SETUP, {"token": wrong_code(device)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "The code is wrong or has expired" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert not StaticDevice.objects.filter(user=operator_of_queue).exists()
    assert DEVICE_ID_SESSION_KEY not in client.session


def test_setup_confirms_the_app_and_shows_ten_recovery_codes_once(client, operator_of_queue):
    signed_in(client, operator_of_queue)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=operator_of_queue)
    response = client.post(SETUP, {"token": current_code(device), "next": "/workspace/"})
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.confirmed
    codes = list(StaticToken.objects.filter(device__user=operator_of_queue).values_list("token", flat=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    page = response.content.decode()
    assert all(code in page for code in codes)
    assert client.get("/workspace/").status_code == 200
    assert not any(code in client.get(SETUP).content.decode() for code in codes)


def test_confirming_without_starting_setup_is_refused(client, operator_of_queue):
    signed_in(client, operator_of_queue)
    response = client.post(SETUP, {"token": "123456"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "Start the set-up again" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=operator_of_queue, confirmed=True).exists()


def test_password_alone_cannot_replace_an_existing_authenticator(client, supervisor, authenticator):
    authenticator(supervisor)
    signed_in(client, supervisor)
    response = client.get(SETUP)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    client.post(SETUP, {"token": "123456"})
    assert TOTPDevice.objects.filter(user=supervisor).count() == 1


def test_verified_staff_can_replace_the_authenticator(client, supervisor, authenticator):
    old_device = authenticator(supervisor)
    signed_in(client, supervisor)
    verify(client, current_code(old_device))
    client.get(SETUP)
    new_device = TOTPDevice.objects.get(user=supervisor, confirmed=False)
    assert client.post(SETUP, {"token": current_code(new_device)}).status_code == 200
    assert list(TOTPDevice.objects.filter(user=supervisor).values_list("pk", flat=True)) == [new_device.pk]


def test_new_recovery_codes_replace_the_old_ones(client, supervisor, authenticator):
    device = authenticator(supervisor)
    old_codes = twofactor.recovery_codes_issue(user=supervisor)
    signed_in(client, supervisor)
    verify(client, current_code(device))
    response = client.post(reverse("twofactor:recovery_codes"))
    assert response.status_code == 200
    new_codes = set(StaticToken.objects.filter(device__user=supervisor).values_list("token", flat=True))
    assert len(new_codes) == 10 and not new_codes & set(old_codes)
    assert all(code in response.content.decode() for code in new_codes)


def test_unverified_session_cannot_issue_recovery_codes(client, supervisor, authenticator):
    authenticator(supervisor)
    old_codes = set(twofactor.recovery_codes_issue(user=supervisor))
    signed_in(client, supervisor)
    response = client.post(reverse("twofactor:recovery_codes"))
    assert response.status_code == 302
    assert set(StaticToken.objects.values_list("token", flat=True)) == old_codes


# The service for doors without OTPMiddleware (WebSocket consumers)


def test_session_check_for_consumers(client, supervisor, operator_of_queue, authenticator):
    device = authenticator(supervisor)
    signed_in(client, supervisor)
    assert not twofactor.second_factor_passed_in_session(user=supervisor, session=client.session)
    verify(client, current_code(device))
    assert twofactor.second_factor_passed_in_session(user=supervisor, session=client.session)
    assert not twofactor.second_factor_passed_in_session(user=operator_of_queue, session=client.session)
