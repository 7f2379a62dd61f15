import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from tickets.services import ticket_create

TEXT = "Не могу войти в личный кабинет, пишет неверный пароль."


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    settings.STAFF_2FA_REQUIRED = False


@pytest.fixture
def make_ticket(citizen_a, account_category, form_policy):
    def make(citizen=citizen_a, category=account_category, **kwargs):
        kwargs.setdefault("contact_email", citizen.email if citizen else "anon@example.ru")
        return ticket_create(channel="form", category=category, text=TEXT, citizen=citizen, **kwargs)

    return make


@pytest.fixture
def signed_in(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


def _blank_pdf() -> bytes:
    buffer = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.write(buffer)
    return buffer.getvalue()


@pytest.fixture
def pdf_file():
    content = _blank_pdf()

    def make(name="scan.pdf"):
        return SimpleUploadedFile(name, content)

    return make
