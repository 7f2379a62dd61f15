"""Helpers of the API tests: real PNG, JPEG and PDF bytes, and appeals made through the services."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from tickets.models import Status
from tickets.services import ticket_create, ticket_transition

APPEAL_TEXT = "Не могу войти в личный кабинет: пишет, что пароль неверный."


def png_bytes(padding: int = 0) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="PNG")
    return buffer.getvalue() + b"\x00" * padding


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "white").save(buffer, format="JPEG")
    return buffer.getvalue()


def pdf_bytes(padding: int = 0) -> bytes:
    """A one-page PDF; `padding` adds that many bytes of metadata, kept as they are when stored."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if padding:
        writer.add_metadata({"/Note": "x" * padding})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def png_upload(name: str = "scan.png", padding: int = 0) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(padding), content_type="image/png")


def appeal_of(citizen, category, text: str = APPEAL_TEXT, **kwargs):
    kwargs.setdefault("contact_email", citizen.email)
    return ticket_create(channel="form", category=category, text=text, citizen=citizen, **kwargs)


def closed_appeal_of(citizen, category, operator):
    ticket = appeal_of(citizen, category)
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, actor=operator)
    return ticket_transition(
        ticket=ticket, to_status=Status.COMPLETED, actor=operator, resolution="Доступ восстановлен."
    )


@pytest.fixture
def appeal_of_a(citizen_a, account_category, form_policy):
    return appeal_of(citizen_a, account_category)


@pytest.fixture
def everyone(citizen_a, citizen_b, operator_of_queue, operator_of_other_queue, second_line_operator, supervisor):
    return {
        "citizen_a": citizen_a,
        "citizen_b": citizen_b,
        "operator_of_queue": operator_of_queue,
        "operator_of_other_queue": operator_of_other_queue,
        "second_line_operator": second_line_operator,
        "supervisor": supervisor,
        "anonymous": None,
    }
