"""Helpers of the portal tests: real uploads and appeals made through the services."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tickets.models import Channel
from tickets.services import ticket_create

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF_BYTES = b"%PDF-1.4\n" + b"0" * 64


def png_upload(name: str = "scan.png", size: int = 0) -> SimpleUploadedFile:
    content = PNG_BYTES + b"\x00" * max(0, size - len(PNG_BYTES))
    return SimpleUploadedFile(name, content, content_type="image/png")


def fake_png_upload(name: str = "virus.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"MZ\x90\x00 this is not an image", content_type="image/png")


@pytest.fixture
def make_appeal(account_category, form_policy):
    def make(citizen, text="Не могу войти в личный кабинет, пишет ошибку", channel=Channel.FORM, **extra):
        extra.setdefault("contact_email", citizen.email if citizen else "guest@example.ru")
        return ticket_create(channel=channel, category=account_category, text=text, citizen=citizen, **extra)

    return make
