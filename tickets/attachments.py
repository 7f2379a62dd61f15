"""What an uploaded file really is, decided by its content, never by its name."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

ALLOWED_SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)


@dataclass(frozen=True)
class CheckedFile:
    upload: object
    name: str
    content_type: str
    extension: str
    size: int


def sniff_content_type(head: bytes) -> tuple[str, str] | None:
    for signature, content_type, extension in ALLOWED_SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None


def check_uploads(uploads, *, already_stored_bytes: int = 0) -> list[CheckedFile]:
    """Validate every upload; raises ValidationError under the `files` field."""
    checked = []
    total = already_stored_bytes
    for upload in uploads:
        upload.seek(0)
        head = upload.read(16)
        upload.seek(0)
        kind = sniff_content_type(head)
        if kind is None:
            raise ValidationError(
                {"files": _("File “%(name)s” is not a PDF, JPG or PNG.") % {"name": upload.name}}, code="file_type"
            )
        total += upload.size
        checked.append(CheckedFile(upload, upload.name[-255:], kind[0], kind[1], upload.size))
    limit = settings.ATTACHMENTS_MAX_TOTAL_BYTES
    if total > limit:
        raise ValidationError(
            {"files": _("Files may take %(mb)s MB in total.") % {"mb": limit // (1024 * 1024)}}, code="too_large"
        )
    return checked
