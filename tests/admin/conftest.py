import pytest

from tickets.services import ticket_create

TEXT = "Не могу войти в личный кабинет, пишет неверный пароль."


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_2FA_REQUIRED = False


@pytest.fixture
def make_ticket(citizen_a, account_category, form_policy):
    def make(category=account_category, **kwargs):
        return ticket_create(
            channel="form", category=category, text=TEXT, citizen=citizen_a, contact_email=citizen_a.email, **kwargs
        )

    return make


@pytest.fixture
def admin_as(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
