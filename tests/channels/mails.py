"""Real RFC 822 messages for the e-mail channel tests, byte for byte as mail clients send them."""

import base64
from email.header import Header
from email.message import EmailMessage
from io import BytesIO

from PIL import Image

SUBJECT = "Не могу войти в личный кабинет"


def encoded_subject(charset: str, encoding: str) -> str:
    """The subject as an RFC 2047 encoded word, the way a client in that charset writes it."""
    data = SUBJECT.encode(charset)
    if encoding == "B":
        return f"=?{charset}?B?{base64.b64encode(data).decode()}?="
    quoted = "".join(
        chr(b) if 33 <= b < 127 and chr(b) not in "=?_" else ("_" if b == 32 else f"={b:02X}") for b in data
    )
    return f"=?{charset}?Q?{quoted}?="


def plain(
    *,
    sender: str = "Алиса Смирнова <alice@example.ru>",
    subject_header: str | None = None,
    body: str = "Здравствуйте! Не приходит код подтверждения на телефон.",
    message_id: str = "<plain-1@mail.example.ru>",
    extra_headers: str = "",
    charset: str = "utf-8",
) -> bytes:
    subject_header = subject_header or encoded_subject("utf-8", "B")
    head = (
        f"From: {Header(sender.split(' <')[0], 'utf-8').encode()} <{sender.split('<')[1].rstrip('>')}>\r\n"
        if "<" in sender
        else f"From: {sender}\r\n"
    )
    head += (
        "To: support@gosupport.local\r\n"
        f"Subject: {subject_header}\r\n"
        f"Message-ID: {message_id}\r\n"
        "Date: Mon, 16 Nov 2026 10:00:00 +0300\r\n"
        "MIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset={charset}\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        f"{extra_headers}"
        "\r\n"
    )
    return head.encode("ascii") + base64.encodebytes(body.encode(charset))


def html_only(*, message_id: str = "<html-1@mail.example.ru>") -> bytes:
    html = (
        "<html><head><style>p{color:red}</style><script>alert(1)</script></head><body>"
        "<p>Добрый день!</p><p>Заявление &laquo;№&nbsp;123&raquo; висит <b>третью неделю</b>.</p>"
        "<blockquote>старое письмо</blockquote></body></html>"
    )
    return (
        "From: bob@example.ru\r\nTo: support@gosupport.local\r\n"
        f"Subject: {encoded_subject('utf-8', 'Q')}\r\nMessage-ID: {message_id}\r\n"
        "MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode() + _qp(html)


def _qp(text: str) -> bytes:
    import quopri

    return quopri.encodestring(text.encode("utf-8"))


def png_bytes() -> bytes:
    out = BytesIO()
    Image.new("RGB", (8, 8), (200, 10, 10)).save(out, "PNG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def with_attachments(*, message_id: str = "<att-1@mail.example.ru>", files=None) -> bytes:
    message = EmailMessage()
    message["From"] = "Алиса Смирнова <alice@example.ru>"
    message["To"] = "support@gosupport.local"
    message["Subject"] = "Скан паспорта"
    message["Message-ID"] = message_id
    message.set_content("Прикладываю скан и заявление.")
    message.add_alternative("<p>Прикладываю скан и заявление.</p>", subtype="html")
    for name, maintype, subtype, data in files or [
        ("скан.png", "image", "png", png_bytes()),
        ("заявление.pdf", "application", "pdf", pdf_bytes()),
        ("резюме.docx", "application", "vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04zip"),
    ]:
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def reply(
    *,
    number: str = "",
    in_reply_to: str = "",
    sender: str = "alice@example.ru",
    message_id: str = "<reply-1@mail.example.ru>",
) -> bytes:
    subject = f"Re: Обращение {number} принято" if number else "Re: Ответ на обращение"
    headers = (
        f"In-Reply-To: {in_reply_to}\r\nReferences: <older@mail.example.ru> {in_reply_to}\r\n" if in_reply_to else ""
    )
    body = (
        "Спасибо, код пришёл, но вход всё равно не работает.\n\n"
        "16 ноября 2026 г., в 10:05, gosupport <support@gosupport.local> написал(а):\n"
        "> Ваше обращение зарегистрировано.\n> Ответим до 18.11.2026.\n"
    )
    return plain(
        sender=sender,
        subject_header=Header(subject, "utf-8").encode(),
        body=body,
        message_id=message_id,
        extra_headers=headers,
    )


def auto_reply() -> bytes:
    return plain(
        subject_header=Header("Автоответ: Обращение 1234-5678 принято", "utf-8").encode(),
        body="Я в отпуске до 30 ноября.",
        message_id="<auto-1@mail.example.ru>",
        extra_headers="Auto-Submitted: auto-replied\r\nX-Autoreply: yes\r\n",
    )


def bounce() -> bytes:
    return (
        b"From: MAILER-DAEMON@mx.example.ru (Mail Delivery System)\r\n"
        b"To: support@gosupport.local\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        b"Message-ID: <bounce-1@mx.example.ru>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="BND"\r\n\r\n'
        b"--BND\r\nContent-Type: text/plain\r\n\r\nThis is the mail system. Your message could not be delivered.\r\n"
        b"--BND\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.ru\r\n\r\n"
        b"Final-Recipient: rfc822; nobody@example.ru\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        b"--BND--\r\n"
    )


def loop() -> bytes:
    return plain(
        sender="someone@example.ru",
        body="Ваше обращение зарегистрировано.",
        message_id="<loop-1@mail.example.ru>",
        extra_headers="X-Gosupport-Loop: 1\r\n",
    )
