"""Sign-up, tokens (with the staff second factor) and the caller's profile."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from gosupport.models import Consent, User

REGISTER_URL = "/api/v1/auth/register/"
TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"

VALID_INN = "500100732259"
VALID_SNILS = "112-233-445 95"


def sign_up(api_client, **changes):
    body = {
        "last_name": "Иванова",
        "first_name": "Мария",
        "middle_name": "Петровна",
        "birth_date": "1990-05-17",
        "phone": "+79031112233",
        "email": "Maria@Example.ru",
        "password": "long-unusual-pass-93",
        "inn": VALID_INN,
        "snils": VALID_SNILS,
    }
    body.update(changes)
    return api_client.post(REGISTER_URL, {k: v for k, v in body.items() if v is not None}, format="json")


@pytest.mark.django_db
def test_citizen_signs_up_and_consent_is_recorded(api_client):
    response = sign_up(api_client)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["email"] == "maria@example.ru"
    assert body["phone"] == "+79031112233"
    assert body["role"] == "citizen"
    assert "password" not in body
    user = User.objects.get(email="maria@example.ru")
    assert user.check_password("long-unusual-pass-93")
    assert Consent.objects.filter(user=user, withdrawn_at__isnull=True).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes, field",
    [
        ({"inn": "500100732258"}, "inn"),
        ({"snils": "112-233-445 96"}, "snils"),
        ({"password": "12345678"}, "password"),
        ({"phone": "not a phone"}, "phone"),
        ({"email": "not-an-email"}, "email"),
        ({"birth_date": "17.05.1990"}, "birth_date"),
        ({"last_name": None}, "last_name"),
    ],
)
def test_sign_up_with_bad_input_is_refused_and_stores_nothing(api_client, changes, field):
    response = sign_up(api_client, **changes)

    assert response.status_code == 400
    assert field in response.json()
    assert not User.objects.exists() and not Consent.objects.exists()


def test_sign_up_with_a_taken_email_or_phone_is_refused(api_client, citizen_a):
    response = sign_up(api_client, email="ALICE@example.ru", phone="+79161234567")

    assert response.status_code == 400
    assert set(response.json()) >= {"email", "phone"}
    assert User.objects.count() == 1


@pytest.mark.parametrize("identifier", ["alice", "alice@example.ru", "ALICE@example.ru", "+79161234567", "89161234567"])
def test_citizen_gets_a_token_by_username_email_or_phone(api_client, citizen_a, identifier):
    response = api_client.post(TOKEN_URL, {"username": identifier, "password": "correct-horse-42"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json() == {"token": Token.objects.get(user=citizen_a).key}


def test_wrong_password_gets_no_token(api_client, citizen_a):
    response = api_client.post(TOKEN_URL, {"username": "alice", "password": "wrong-horse"}, format="json")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    assert not Token.objects.exists()


def test_token_request_without_password_is_refused(api_client, citizen_a):
    response = api_client.post(TOKEN_URL, {"username": "alice"}, format="json")

    assert response.status_code == 400
    assert "password" in response.json()


def test_token_authenticates_later_requests(api_client, citizen_a):
    token = api_client.post(TOKEN_URL, {"username": "alice", "password": "correct-horse-42"}).json()["token"]

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = api_client.get(ME_URL)

    assert response.status_code == 200
    assert response.json()["username"] == "alice"


@pytest.fixture
def second_factor_on(settings):
    settings.STAFF_2FA_REQUIRED = True


def static_code_for(user, code="73914265"):
    device = StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    device.token_set.create(token=code)
    return code


def test_staff_without_one_time_code_gets_no_token(api_client, operator_of_queue, second_factor_on):
    static_code_for(operator_of_queue)

    response = api_client.post(TOKEN_URL, {"username": "olga", "password": "correct-horse-42"}, format="json")

    assert response.status_code == 400
    assert "otp" in response.json()
    assert not Token.objects.exists()


def test_staff_with_a_wrong_one_time_code_gets_no_token(api_client, operator_of_queue, second_factor_on):
    static_code_for(operator_of_queue)

    response = api_client.post(
        TOKEN_URL, {"username": "olga", "password": "correct-horse-42", "otp": "11111111"}, format="json"
    )

    assert response.status_code == 400
    assert "otp" in response.json()
    assert not Token.objects.exists()


def test_staff_recovery_code_gives_a_token_once(api_client, supervisor, second_factor_on):
    code = static_code_for(supervisor)
    body = {"username": "svetlana", "password": "correct-horse-42", "otp": code}

    first = api_client.post(TOKEN_URL, body, format="json")
    second = api_client.post(TOKEN_URL, body, format="json")

    assert first.status_code == 200 and first.json()["token"]
    assert second.status_code == 400 and "otp" in second.json()


def test_staff_totp_code_gives_a_token(api_client, operator_of_queue, second_factor_on):
    device = TOTPDevice.objects.create(user=operator_of_queue, name="phone", confirmed=True)
    code = f"{totp(device.bin_key, step=device.step, digits=device.digits):0{device.digits}d}"

    response = api_client.post(
        TOKEN_URL, {"username": "olga", "password": "correct-horse-42", "otp": code}, format="json"
    )

    assert response.status_code == 200, response.content


def test_citizen_is_never_asked_for_a_one_time_code(api_client, citizen_a, second_factor_on):
    response = api_client.post(TOKEN_URL, {"username": "alice", "password": "correct-horse-42"}, format="json")

    assert response.status_code == 200


def test_repeated_wrong_passwords_lock_the_token_endpoint(api_client, citizen_a, settings):
    settings.AXES_ENABLED = True
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        api_client.post(TOKEN_URL, {"username": "alice", "password": "wrong-horse"}, format="json")

    response = api_client.post(TOKEN_URL, {"username": "alice", "password": "correct-horse-42"}, format="json")

    assert response.status_code != 200
    assert not Token.objects.exists()


@pytest.mark.parametrize(
    "persona, role",
    [("citizen_a", "citizen"), ("operator_of_queue", "operator"), ("supervisor", "supervisor")],
)
def test_me_shows_the_profile_and_role(client_for, everyone, persona, role):
    response = client_for(everyone[persona]).get(ME_URL)

    assert response.status_code == 200
    assert response.json()["role"] == role
    assert response.json()["username"] == everyone[persona].username


def test_me_needs_authentication(api_client, db):
    response = api_client.get(ME_URL)

    assert response.status_code == 401


@pytest.mark.parametrize("header", ["Token no-such-token", "Token ", "Token two words"])
def test_an_unknown_or_malformed_token_is_refused(api_client, citizen_a, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)

    response = api_client.get(ME_URL)

    assert response.status_code == 401
    assert response.json()["detail"]


def test_the_token_of_a_deactivated_user_stops_working_at_once(api_client, citizen_a):
    token = Token.objects.create(user=citizen_a)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert api_client.get(ME_URL).status_code == 200

    User.objects.filter(pk=citizen_a.pk).update(is_active=False)

    response = api_client.get(ME_URL)
    assert response.status_code == 401


def test_a_token_request_reads_the_user_fresh(api_client, citizen_a):
    token = Token.objects.create(user=citizen_a)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    User.objects.filter(pk=citizen_a.pk).update(first_name="Алиса-новая")

    assert api_client.get(ME_URL).json()["first_name"] == "Алиса-новая"


def test_a_token_request_sees_the_user_as_the_orm_reads_it(api_client, citizen_a):
    from phonenumber_field.phonenumber import PhoneNumber

    from gosupport.api_tokens import user_for_api_token

    User.objects.filter(pk=citizen_a.pk).update(phone="+79161234567")
    citizen_a.refresh_from_db()
    citizen_a.inn = "7707083893"
    citizen_a.save()
    token = Token.objects.create(user=citizen_a)

    user = user_for_api_token(token.key)

    assert isinstance(user.phone, PhoneNumber) and user.phone.as_e164 == "+79161234567"
    assert user.inn == "7707083893"  # deferred, read and decrypted on access
    assert user_for_api_token("no-such-token") is None
