import re
from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from gosupport.models import Notification, NotificationChannel, OneTimeCode
from gosupport.services import password_reset_code_send, password_reset_code_verify

NEW_PASSWORD = "brand-new-secret-77"


def sent_code() -> str:
    sms = Notification.objects.filter(channel=NotificationChannel.SMS, reference="password_reset").latest("id")
    return re.search(r"\b(\d{6})\b", sms.body).group(1)


def wrong_code(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


@pytest.mark.django_db
def test_code_is_sent_by_sms_and_stored_only_as_a_hash(citizen_a):
    password_reset_code_send(phone="+7 916 123-45-67")
    code = sent_code()
    stored = OneTimeCode.objects.get(user=citizen_a)
    assert code not in stored.code_hash
    assert stored.expires_at - stored.created_at == timedelta(minutes=10)
    assert Notification.objects.get(reference="password_reset").recipient == "+79161234567"


@pytest.mark.django_db
def test_unknown_phone_gets_no_code_and_no_error(citizen_a):
    password_reset_code_send(phone="+7 999 000-00-00")
    password_reset_code_send(phone="not a phone")
    assert not OneTimeCode.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_right_code_sets_the_new_password_once(citizen_a):
    password_reset_code_send(phone="+79161234567")
    code = sent_code()
    password_reset_code_verify(phone="+79161234567", code=code, new_password=NEW_PASSWORD)
    citizen_a.refresh_from_db()
    assert citizen_a.check_password(NEW_PASSWORD)
    assert Notification.objects.filter(reference="password_changed").exists()
    with pytest.raises(ValidationError) as error:
        password_reset_code_verify(phone="+79161234567", code=code, new_password="another-secret-88")
    assert "code" in error.value.message_dict


@pytest.mark.django_db
def test_five_wrong_codes_burn_the_code(citizen_a):
    password_reset_code_send(phone="+79161234567")
    code = sent_code()
    for _attempt in range(5):
        with pytest.raises(ValidationError):
            password_reset_code_verify(phone="+79161234567", code=wrong_code(code), new_password=NEW_PASSWORD)
    with pytest.raises(ValidationError):
        password_reset_code_verify(phone="+79161234567", code=code, new_password=NEW_PASSWORD)
    citizen_a.refresh_from_db()
    assert citizen_a.check_password("correct-horse-42")
    assert OneTimeCode.objects.get().attempts == 5


@pytest.mark.django_db
def test_code_expires_after_ten_minutes(citizen_a):
    password_reset_code_send(phone="+79161234567")
    code = sent_code()
    with time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=1)):
        with pytest.raises(ValidationError):
            password_reset_code_verify(phone="+79161234567", code=code, new_password=NEW_PASSWORD)
    citizen_a.refresh_from_db()
    assert citizen_a.check_password("correct-horse-42")


@pytest.mark.django_db
def test_a_second_request_within_a_minute_sends_nothing(citizen_a):
    password_reset_code_send(phone="+79161234567")
    password_reset_code_send(phone="+79161234567")
    assert OneTimeCode.objects.count() == 1
    assert Notification.objects.count() == 1


@pytest.mark.django_db
def test_a_new_code_replaces_the_old_one(citizen_a):
    password_reset_code_send(phone="+79161234567")
    old_code = sent_code()
    with time_machine.travel(timezone.now() + timedelta(minutes=2)):
        password_reset_code_send(phone="+79161234567")
        new_code = sent_code()
        if new_code != old_code:
            with pytest.raises(ValidationError):
                password_reset_code_verify(phone="+79161234567", code=old_code, new_password=NEW_PASSWORD)
        password_reset_code_verify(phone="+79161234567", code=new_code, new_password=NEW_PASSWORD)
    citizen_a.refresh_from_db()
    assert citizen_a.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_weak_new_password_keeps_the_code_and_the_old_password(citizen_a):
    password_reset_code_send(phone="+79161234567")
    code = sent_code()
    with pytest.raises(ValidationError) as error:
        password_reset_code_verify(phone="+79161234567", code=code, new_password="12345678")
    assert "new_password" in error.value.message_dict
    citizen_a.refresh_from_db()
    assert citizen_a.check_password("correct-horse-42")
    assert OneTimeCode.objects.get().used_at is None


@pytest.mark.django_db
def test_unknown_phone_and_wrong_code_get_the_same_answer(citizen_a):
    password_reset_code_send(phone="+79161234567")
    code = sent_code()
    messages = []
    for phone in ("+79161234567", "+79990000000"):
        with pytest.raises(ValidationError) as error:
            password_reset_code_verify(phone=phone, code=wrong_code(code), new_password=NEW_PASSWORD)
        messages.append(error.value.message_dict)
    assert messages[0] == messages[1]


@pytest.mark.django_db
def test_request_page_answers_the_same_for_known_and_unknown_numbers(client, citizen_a):
    known = client.post(reverse("password_reset_sms"), {"phone": "+79161234567"}, follow=True)
    unknown = client.post(reverse("password_reset_sms"), {"phone": "+79990000000"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert [str(m) for m in known.context["messages"]] == [str(m) for m in unknown.context["messages"]]
    assert OneTimeCode.objects.count() == 1


@pytest.mark.django_db
def test_code_page_sets_the_password_and_sends_to_sign_in(client, citizen_a):
    client.post(reverse("password_reset_sms"), {"phone": "+7 916 123 45 67"})
    page = client.get(reverse("password_reset_sms_verify"))
    assert 'value="+79161234567"' in page.content.decode()
    response = client.post(
        reverse("password_reset_sms_verify"),
        {"phone": "+79161234567", "code": sent_code(), "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("login")
    citizen_a.refresh_from_db()
    assert citizen_a.check_password(NEW_PASSWORD)


@pytest.mark.django_db
def test_code_page_shows_a_wrong_code_next_to_the_code(client, citizen_a):
    client.post(reverse("password_reset_sms"), {"phone": "+79161234567"})
    response = client.post(
        reverse("password_reset_sms_verify"),
        {
            "phone": "+79161234567",
            "code": wrong_code(sent_code()),
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert 'id="id_code_error"' in response.content.decode()
    citizen_a.refresh_from_db()
    assert citizen_a.check_password("correct-horse-42")


@pytest.mark.django_db
def test_code_page_refuses_a_code_that_is_not_six_digits(client, citizen_a):
    response = client.post(
        reverse("password_reset_sms_verify"),
        {"phone": "+79161234567", "code": "12ab", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert 'id="id_code_error"' in response.content.decode()
