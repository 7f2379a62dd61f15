import os
from io import BytesIO

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.test import override_settings
from PIL import Image

from tests.privacy.files import classic_pdf, jpeg_bytes, object_stream_pdf, png_bytes, png_header_only, upload
from tickets.attachments import check_uploads
from tickets.models import Attachment, Ticket

LIMIT = 5 * 1024 * 1024
HTML = b"<html><body><script>fetch('/api/v1/me/export/')</script></body></html>"


def media_files() -> set[str]:
    return {os.path.join(folder, name) for folder, _dirs, names in os.walk(settings.MEDIA_ROOT) for name in names}


def stored_bytes(ticket: Ticket) -> bytes:
    with Attachment.objects.get(ticket=ticket).file.open("rb") as stored:
        return stored.read()


def oversized_pdf() -> bytes:
    pdf = classic_pdf()
    return pdf + b"%" + b"0" * (LIMIT + 1 - len(pdf) - 2) + b"\n"


HOSTILE = {
    "executable named .pdf": ("report.pdf", b"MZ\x90\x00\x03" + b"\x00" * 400),
    "pixel bomb": ("photo.png", png_header_only(100_000, 100_000)),
    "pixel bomb under Pillow's own limit": ("photo.png", png_header_only(9_000, 9_000)),
    "truncated image": ("photo.png", png_bytes(300, 300)[:4000]),
    "PDF with OpenAction JavaScript": (
        "form.pdf",
        classic_pdf("/OpenAction 4 0 R ", ("<< /S /JavaScript /JS (app.alert\\(1\\)) >>",)),
    ),
    "PDF with OpenAction JavaScript in a compressed object stream": ("form.pdf", object_stream_pdf(open_action=True)),
    "PDF with an escaped /JavaScript name": ("form.pdf", classic_pdf("/Names << /J#61vaScript 4 0 R >> ", ("<< >>",))),
    "PDF with a Launch action": ("form.pdf", classic_pdf("/OpenAction << /S /Launch /F (cmd.exe) >> ")),
    "PDF with page additional actions": ("form.pdf", classic_pdf("/AA << /O << /S /URI /URI (x) >> >> ")),
    "PDF with an embedded file": ("form.pdf", classic_pdf("/Names << /EmbeddedFiles << /Names [] >> >> ")),
    "5 MB + 1 byte": ("big.pdf", oversized_pdf()),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_file_is_refused_and_nothing_is_stored(case, citizen, file_ticket):
    name, data = HOSTILE[case]
    before = media_files()
    with pytest.raises(ValidationError) as error:
        file_ticket(citizen, files=[upload(name, data)])
    assert error.value.error_dict["files"][0].code in {"file_type", "file_unsafe", "too_large"}
    assert not Ticket.objects.exists() and not Attachment.objects.exists()
    assert media_files() == before


def test_oversized_upload_is_a_too_large_error():
    with pytest.raises(ValidationError) as error:
        check_uploads([upload("big.pdf", oversized_pdf())])
    assert error.value.error_dict["files"][0].code == "too_large"


def test_compressed_open_action_is_invisible_to_a_byte_search_yet_refused():
    hostile, benign = object_stream_pdf(open_action=True), object_stream_pdf(open_action=False)
    assert b"/OpenAction" not in hostile and b"/JavaScript" not in hostile
    assert check_uploads([upload("ok.pdf", benign)])[0].content_type == "application/pdf"
    with pytest.raises(ValidationError):
        check_uploads([upload("bad.pdf", hostile)])


def test_png_html_polyglot_is_stored_re_encoded_without_the_html(citizen, file_ticket):
    polyglot = png_bytes(pnginfo=_text_chunk(HTML)) + HTML
    ticket = file_ticket(citizen, files=[upload("page.png", polyglot)])
    stored = stored_bytes(ticket)
    assert b"<html" not in stored and b"<script" not in stored
    assert Image.open(BytesIO(stored)).size == (64, 48)


def test_jpeg_metadata_is_stripped(citizen, file_ticket):
    exif = Image.Exif()
    exif[0x010E] = "Маркерова, паспорт 4510 123456"  # ImageDescription
    ticket = file_ticket(citizen, files=[upload("photo.jpg", jpeg_bytes(exif=exif.tobytes()))])
    stored = stored_bytes(ticket)
    assert b"Exif" not in stored and "Маркерова".encode() not in stored
    assert Attachment.objects.get(ticket=ticket).size == len(stored)


def test_clean_pdf_is_stored_byte_for_byte_under_a_random_name(citizen, file_ticket):
    pdf = classic_pdf()
    ticket = file_ticket(citizen, files=[upload("Паспорт Маркеровой.pdf", pdf)])
    attachment = Attachment.objects.get(ticket=ticket)
    assert stored_bytes(ticket) == pdf
    assert "Маркеров" not in attachment.file.name and "Паспорт" not in attachment.file.name


@override_settings(ATTACHMENTS_MAX_IMAGE_PIXELS=1000)
def test_image_pixel_limit_comes_from_settings():
    with pytest.raises(ValidationError):
        check_uploads([upload("photo.png", png_bytes(64, 48))])


def test_damaged_pdf_is_refused():
    with pytest.raises(ValidationError):
        check_uploads([upload("broken.pdf", b"%PDF-1.4\n" + b"\x00garbage" * 50)])


def _text_chunk(payload: bytes):
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", payload.decode())
    return info
