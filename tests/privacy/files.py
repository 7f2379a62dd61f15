"""Builders of benign and hostile upload files for the privacy and upload tests."""

import random
import zlib
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def png_bytes(width: int = 64, height: int = 48, **save_options) -> bytes:
    noise = random.Random(7).randbytes(width * height * 3)
    out = BytesIO()
    Image.frombytes("RGB", (width, height), noise).save(out, "PNG", **save_options)
    return out.getvalue()


def jpeg_bytes(width: int = 64, height: int = 48, **save_options) -> bytes:
    out = BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, "JPEG", **save_options)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims width x height pixels: a few hundred bytes that would decode to gigabytes."""
    out = BytesIO()
    Image.new("1", (1, 1)).save(out, "PNG")
    data = bytearray(out.getvalue())
    ihdr = 8 + 8  # signature, then IHDR length + type
    data[ihdr : ihdr + 8] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    crc = zlib.crc32(bytes(data[12 : ihdr + 13]))
    data[ihdr + 13 : ihdr + 17] = crc.to_bytes(4, "big")
    return bytes(data)


def classic_pdf(catalog_extra: str = "", extra_objects: tuple[str, ...] = (), trailer_bytes: bytes = b"") -> bytes:
    objects = [
        f"<< /Type /Catalog /Pages 2 0 R {catalog_extra}>>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
        *extra_objects,
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out) + trailer_bytes


def object_stream_pdf(open_action: bool) -> bytes:
    """A PDF 1.5 whose objects all sit in a compressed object stream, found through an xref stream:
    with `open_action`, the catalog runs JavaScript on opening, invisible to a byte search."""
    catalog = "<< /Type /Catalog /Pages 3 0 R" + (" /OpenAction 5 0 R" if open_action else "") + " >>"
    inner = [
        catalog,
        "<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 3 0 R /MediaBox [0 0 200 200] >>",
    ]
    if open_action:
        inner.append("<< /S /JavaScript /JS (app.alert\\(1\\)) >>")
    head, bodies = [], b""
    for index, body in enumerate(inner):
        head.append(f"{index + 2} {len(bodies)}")
        bodies += body.encode() + b"\n"
    head_bytes = (" ".join(head) + "\n").encode()
    compressed = zlib.compress(head_bytes + bodies)
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    stream_offset = len(out)
    out += (
        f"1 0 obj\n<< /Type /ObjStm /N {len(inner)} /First {len(head_bytes)} /Filter /FlateDecode "
        f"/Length {len(compressed)} >>\nstream\n"
    ).encode()
    out += compressed + b"\nendstream\nendobj\n"
    xref_number, xref_offset = len(inner) + 2, len(out)
    rows = [bytes([0]) + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    rows.append(bytes([1]) + stream_offset.to_bytes(4, "big") + (0).to_bytes(2, "big"))
    rows += [bytes([2]) + (1).to_bytes(4, "big") + index.to_bytes(2, "big") for index in range(len(inner))]
    rows.append(bytes([1]) + xref_offset.to_bytes(4, "big") + (0).to_bytes(2, "big"))
    table = b"".join(rows)
    out += (
        f"{xref_number} 0 obj\n<< /Type /XRef /Size {xref_number + 1} /W [1 4 2] /Root 2 0 R "
        f"/Length {len(table)} >>\nstream\n"
    ).encode()
    out += table + b"\nendstream\nendobj\n"
    out += f"startxref\n{xref_offset}\n%%EOF\n".encode()
    return bytes(out)


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data)
