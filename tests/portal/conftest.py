"""Helpers of the portal tests: real uploads and appeals made through the services."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tickets.models import Channel
from tickets.services import ticket_create


def _png_bytes() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


PNG_BYTES = _png_bytes()


def png_upload(name: str = "scan.png", size: int = 0) -> SimpleUploadedFile:
    """A real PNG; `size` pads it after the image data to test the size limit."""
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
