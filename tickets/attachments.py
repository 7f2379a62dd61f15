"""What an uploaded file really is, decided by its content, never by its name.

Images are decoded and re-encoded, so whatever rode along (EXIF with GPS, text chunks,
an HTML page glued after the image) is not stored; decompression bombs and truncated
images are refused. PDFs cannot be re-encoded faithfully, so they are inspected instead:
anything that runs or carries files (JavaScript, OpenAction, Launch, additional actions,
embedded files) is refused, both in the raw bytes and in the parsed object tree, which
includes compressed object streams that a byte search cannot see.
"""

import re
import warnings
from dataclasses import dataclass
from io import BytesIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

ALLOWED_SIGNATURES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)
PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}
JPEG_MODES = {"L", "RGB", "CMYK"}
PNG_MODES = {"1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"}
JPEG_QUALITY = 90

FORBIDDEN_PDF_NAMES = frozenset(
    {"/JavaScript", "/JS", "/OpenAction", "/AA", "/Launch", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia"}
)
PDF_NAME_RE = re.compile(rb"/(?:[^\s/<>\[\]()%{}#]|#[0-9A-Fa-f]{2})+")
PDF_NAME_ESCAPE_RE = re.compile(rb"#([0-9A-Fa-f]{2})")
MAX_PDF_OBJECTS = 100_000


@dataclass(frozen=True)
class CheckedFile:
    upload: object
    name: str
    content_type: str
    extension: str
    size: int


class _Refused(Exception):
    """An upload that is not safe to store; the message names the reason for the citizen."""


def sniff_content_type(head: bytes) -> tuple[str, str] | None:
    for signature, content_type, extension in ALLOWED_SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None


def check_uploads(uploads, *, already_stored_bytes: int = 0) -> list[CheckedFile]:
    """Validate and sanitise every upload; raises ValidationError under the `files` field.

    The size limit is checked on the declared sizes before any file is decoded, and again
    on what will be stored (a re-encoded image may differ in size)."""
    uploads = list(uploads)
    _check_total(already_stored_bytes + sum(upload.size for upload in uploads))
    checked = [_check_one(upload) for upload in uploads]
    _check_total(already_stored_bytes + sum(file.size for file in checked))
    return checked


def check_room(checked: list[CheckedFile], *, already_stored_bytes: int) -> None:
    """The total alone, for files checked already: recounted under the appeal's row lock,
    where two uploads at the same moment can no longer both fit in the room left."""
    _check_total(already_stored_bytes + sum(file.size for file in checked))


def _check_total(total: int) -> None:
    limit = settings.ATTACHMENTS_MAX_TOTAL_BYTES
    if total > limit:
        message = _("Files may take %(mb)s MB in total.") % {"mb": limit // (1024 * 1024)}
        raise ValidationError({"files": ValidationError(message, code="too_large")})


def _check_one(upload) -> CheckedFile:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    kind = sniff_content_type(data[:16])
    name = str(upload.name or "file")[-255:]
    if kind is None:
        message = _("File “%(name)s” is not a PDF, JPG or PNG.") % {"name": name}
        raise ValidationError({"files": ValidationError(message, code="file_type")})
    content_type, extension = kind
    try:
        if content_type == "application/pdf":
            _check_pdf(data)
            return CheckedFile(upload, name, content_type, extension, len(data))
        clean = _reencode_image(data, PILLOW_FORMATS[content_type])
    except _Refused as refused:
        message = _("File “%(name)s” was refused: %(reason)s") % {"name": name, "reason": refused}
        raise ValidationError({"files": ValidationError(message, code="file_unsafe")}) from None
    return CheckedFile(ContentFile(clean, name=name), name, content_type, extension, len(clean))


# --- images


def _reencode_image(data: bytes, pillow_format: str) -> bytes:
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            return _decode_and_encode(data, pillow_format)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _Refused(_("the image has too many pixels.")) from None
        except (OSError, SyntaxError, ValueError, EOFError):
            raise _Refused(_("the image is damaged or incomplete.")) from None


def _decode_and_encode(data: bytes, pillow_format: str) -> bytes:
    with Image.open(BytesIO(data), formats=[pillow_format]) as image:
        if image.width * image.height > settings.ATTACHMENTS_MAX_IMAGE_PIXELS:
            raise _Refused(_("the image has too many pixels."))
        image.load()
        if pillow_format == "JPEG":
            return _encode_jpeg(ImageOps.exif_transpose(image))
        return _encode_png(image)


def _encode_jpeg(image: Image.Image) -> bytes:
    clean = image if image.mode in JPEG_MODES else image.convert("RGB")
    clean.info = {}
    out = BytesIO()
    clean.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def _encode_png(image: Image.Image) -> bytes:
    transparency = image.info.get("transparency")
    clean = image.copy() if image.mode in PNG_MODES else image.convert("RGBA")
    clean.info = {}
    options = {"transparency": transparency} if transparency is not None and clean.mode == image.mode else {}
    out = BytesIO()
    clean.save(out, "PNG", **options)
    return out.getvalue()


# --- PDFs


def _check_pdf(data: bytes) -> None:
    if _raw_pdf_names(data) & FORBIDDEN_PDF_NAMES:
        raise _Refused(_("PDF files with scripts, actions or embedded files are not accepted."))
    try:
        reader = PdfReader(BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _Refused(_("password-protected PDF files are not accepted."))
        found = _parsed_pdf_names(reader) & FORBIDDEN_PDF_NAMES
    except (PyPdfError, OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
        raise _Refused(_("the PDF file is damaged.")) from None
    if found:
        raise _Refused(_("PDF files with scripts, actions or embedded files are not accepted."))


def _raw_pdf_names(data: bytes) -> set[str]:
    """Every name token in the bytes, with #xx escapes decoded (`/J#61vaScript` is /JavaScript)."""
    names = set()
    for token in PDF_NAME_RE.findall(data):
        decoded = PDF_NAME_ESCAPE_RE.sub(lambda m: bytes([int(m.group(1), 16)]), token)
        names.add(decoded.decode("latin-1"))
    return names


def _parsed_pdf_names(reader: PdfReader) -> set[str]:
    """Names used as keys or values in every object of the file, object streams included."""
    names: set[str] = set()
    visited: set[tuple[int, int]] = set()
    pending: list = [reader.trailer, *_all_indirect_objects(reader)]
    while pending:
        item = pending.pop()
        if isinstance(item, IndirectObject):
            if (item.idnum, item.generation) in visited:
                continue
            visited.add((item.idnum, item.generation))
            if len(visited) > MAX_PDF_OBJECTS:
                raise _Refused(_("the PDF file is too complex."))
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            names.update(str(key) for key in dict.keys(item))
            pending.extend(dict.values(item))
        elif isinstance(item, ArrayObject):
            pending.extend(list.__iter__(item))
        elif isinstance(item, NameObject):
            names.add(str(item))
    return names


def _all_indirect_objects(reader: PdfReader) -> list[IndirectObject]:
    ids = {(number, generation) for generation, table in reader.xref.items() for number in table}
    ids |= {(number, 0) for number in reader.xref_objStm}
    return [IndirectObject(number, generation, reader) for number, generation in sorted(ids) if number > 0]
