import pytest

from gosupport.services import citizen_register
from tickets.services import ticket_create

INN = "500100732259"
SNILS = "11223344595"
PASSPORT = "4510123456"


@pytest.fixture
def citizen(db):
    """A registered citizen whose every personal value is a marker no other row holds."""
    return citizen_register(
        last_name="Маркерова",
        first_name="Зоряна",
        middle_name="Ксаверьевна",
        birth_date="1984-03-05",
        phone="+79031112233",
        email="zoryana.markerova@example.ru",
        password="correct-horse-battery-42",
        inn=INN,
        snils="112-233-445 95",
        ip="192.0.2.10",
    )


@pytest.fixture
def file_ticket(account_category, form_policy):
    def make(citizen, text="Прошу помочь с доступом к кабинету, номер заявления 123.", **kwargs):
        kwargs.setdefault("contact_email", citizen.email)
        return ticket_create(channel="form", category=account_category, text=text, citizen=citizen, **kwargs)

    return make
