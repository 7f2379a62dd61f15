import re

import pytest
from django.core import mail
from django.urls import reverse

from gosupport.models import Consent, Role, User

VALID_REGISTRATION = {
    "last_name": "Иванова",
    "first_name": "Мария",
    "middle_name": "Петровна",
    "birth_date": "1985-04-12",
    "phone": "+7 916 555-12-34",
    "email": "Maria@Example.ru",
    "password1": "sunny-meadow-1985",
    "password2": "sunny-meadow-1985",
    "inn": "",
    "snils": "",
    "consent": "on",
}


def register(client, **changes):
    return client.post(reverse("register"), {**VALID_REGISTRATION, **changes})


@pytest.mark.django_db
def test_registration_creates_a_citizen_with_consent_and_signs_them_in(client):
    response = register(client)
    assert response.status_code == 302
    user = User.objects.get(email="maria@example.ru")
    assert user.role == Role.CITIZEN
    assert str(user.phone) == "+79165551234"
    assert user.middle_name == "Петровна"
    assert Consent.objects.filter(user=user).count() == 1
    assert client.get(reverse("portal:help")).wsgi_request.user == user


@pytest.mark.django_db
def test_registration_form_lists_every_field(client):
    html = client.get(reverse("register")).content.decode()
    for name in ("last_name", "first_name", "middle_name", "birth_date", "phone", "email", "password1", "password2"):
        assert f'name="{name}"' in html
    for name in ("inn", "snils", "consent"):
        assert f'name="{name}"' in html


@pytest.mark.django_db
def test_registration_without_consent_stores_nothing(client):
    response = register(client, consent="")
    assert response.status_code == 200
    assert not User.objects.exists()
    assert 'id="id_consent_error"' in response.content.decode()


@pytest.mark.django_db
def test_registration_with_different_passwords_stores_nothing(client):
    response = register(client, password2="another-password-1")
    assert not User.objects.exists()
    html = response.content.decode()
    assert 'id="id_password2_error"' in html
    assert re.search(r'<input[^>]*name="password2"[^>]*aria-invalid="true"', html)


@pytest.mark.django_db
def test_registration_with_a_weak_password_shows_the_service_error_at_the_password(client):
    response = register(client, password1="12345678", password2="12345678")
    assert not User.objects.exists()
    html = response.content.decode()
    assert 'id="id_password1_error"' in html
    assert re.search(r'<input[^>]*name="password1"[^>]*aria-describedby="[^"]*id_password1_error', html)


@pytest.mark.django_db
def test_registration_with_a_taken_email_explains_it_next_to_the_email(client, citizen_a):
    response = register(client, email="ALICE@example.ru")
    assert User.objects.count() == 1
    assert 'id="id_email_error"' in response.content.decode()


@pytest.mark.django_db
def test_registration_with_a_bad_inn_shows_it_next_to_the_inn(client):
    response = register(client, inn="123456789012")
    assert not User.objects.exists()
    assert 'id="id_inn_error"' in response.content.decode()


@pytest.mark.django_db
def test_registration_with_a_birth_date_in_the_future_is_refused(client):
    response = register(client, birth_date="2999-01-01")
    assert not User.objects.exists()
    assert 'id="id_birth_date_error"' in response.content.decode()


@pytest.mark.django_db
def test_registration_with_a_non_russian_phone_format_is_refused(client):
    response = register(client, phone="12")
    assert not User.objects.exists()
    assert 'id="id_phone_error"' in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("login", ["alice@example.ru", "+7 916 123-45-67", "89161234567"])
def test_citizen_signs_in_by_email_or_phone(client, citizen_a, login):
    response = client.post(reverse("login"), {"username": login, "password": "correct-horse-42"})
    assert response.status_code == 302
    assert response.wsgi_request.user == citizen_a


@pytest.mark.django_db
def test_wrong_password_does_not_sign_in_and_says_so_plainly(client, citizen_a):
    response = client.post(reverse("login"), {"username": "alice@example.ru", "password": "wrong"})
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
    assert "form-errors" in response.content.decode()


@pytest.mark.django_db
def test_sign_out_needs_a_post(client, citizen_a):
    client.force_login(citizen_a)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert not client.get(reverse("portal:help")).wsgi_request.user.is_authenticated


@pytest.mark.django_db
def test_password_reset_by_email_sends_a_working_link(client, citizen_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "alice@example.ru"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.context["validlink"]
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "brand-new-secret-77", "new_password2": "brand-new-secret-77"},
    )
    citizen_a.refresh_from_db()
    assert citizen_a.check_password("brand-new-secret-77")


@pytest.mark.django_db
def test_password_reset_by_email_does_not_reveal_unknown_addresses(
    client, citizen_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(reverse("password_reset"), {"email": "alice@example.ru"})
        unknown = client.post(reverse("password_reset"), {"email": "nobody@example.ru"})
    assert (known.status_code, known.url) == (unknown.status_code, unknown.url)
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_broken_reset_link_says_it_does_not_work(client):
    response = client.get(reverse("password_reset_confirm", args=["MQ", "bad-token"]))
    assert response.status_code == 200
    assert not response.context["validlink"]
