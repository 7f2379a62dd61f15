"""Reading an RFC 822 message: who wrote, about what, the new text without the quoted
history, the files, and whether a machine wrote it (auto-reply, bounce, our own mail).

Pure functions of the bytes: no database, no settings except where passed in."""

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import parseaddr
from html import unescape
from html.parser import HTMLParser

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

# Our own outgoing mail carries this header; seeing it come back in means a loop.
LOOP_HEADER = "X-Gosupport-Loop"
# More hops than this and a message is circling between servers.
MAX_RECEIVED_HEADERS = 30
# Charsets tried, in order, for raw 8-bit headers that declare none.
FALLBACK_CHARSETS = ("utf-8", "cp1251", "koi8-r")
MESSAGE_ID_MAX_LENGTH = 255
TEXT_MAX_LENGTH = 20_000

AUTO_SUBJECT_RE = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response)|auto:|out of (the )?office|автоответ|автоматический ответ|"
    r"вне офиса|нахожусь в отпуске|отсутствую)",
    re.IGNORECASE,
)
BULK_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}
BOUNCE_SENDER_RE = re.compile(r"^(mailer-daemon|postmaster)@", re.IGNORECASE)
BOUNCE_SUBJECT_RE = re.compile(
    r"^\s*(undeliver|undelivered mail|delivery status notification|mail delivery (failed|failure)|"
    r"returned mail|failure notice|недоставленное|не доставлено|уведомление о доставке)",
    re.IGNORECASE,
)
# Where the quoted history of a reply starts: "On … wrote:", "… написал(а):", Outlook's separators.
QUOTE_START_RE = re.compile(
    r"^\s*(on .{0,200} wrote:|.{0,200}(написал|написала|пишет)\s*(\(а\))?:|"
    r"-{2,}\s*(original message|исходное сообщение|пересылаемое сообщение|forwarded message)\s*-{2,}|"
    r"_{10,}|(from|от):\s.+)\s*$",
    re.IGNORECASE,
)
BLOCK_TAGS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol"}


class Unreadable(Exception):
    """The bytes are not a message we can read; the reason goes to the supervisor."""


@dataclass(frozen=True)
class MailFile:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    sender: str
    subject: str
    text: str
    in_reply_to: str = ""
    references: tuple[str, ...] = ()
    files: tuple[MailFile, ...] = field(default_factory=tuple)
    machine_kind: str = ""  # "", "auto_reply", "bounce" or "loop"


def parse_mail(raw: bytes, *, own_addresses: frozenset[str] = frozenset()) -> ParsedMail:
    """Parse one message; raises Unreadable with a reason when it cannot be read."""
    if not raw or not raw.strip():
        raise Unreadable("empty message")
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        return _parsed(message, raw, own_addresses)
    except Unreadable:
        raise
    except Exception as error:  # the stdlib parser has many ways to fail on broken mail
        raise Unreadable(f"cannot parse: {type(error).__name__}") from error


def _parsed(message: EmailMessage, raw: bytes, own_addresses: frozenset[str]) -> ParsedMail:
    if not message.keys():
        raise Unreadable("no headers")
    sender = _sender(message)
    subject = _header_text(message, "Subject")
    return ParsedMail(
        message_id=_message_id(message, raw),
        sender=sender,
        subject=subject,
        text=_body_text(message),
        in_reply_to=_first_id(message.get("In-Reply-To", "")),
        references=tuple(_ids(message.get("References", ""))),
        files=tuple(_files(message)),
        machine_kind=machine_kind(message, sender=sender, subject=subject, own_addresses=own_addresses),
    )


# --- headers


def _header_text(message: EmailMessage, name: str) -> str:
    """A header as text: RFC 2047 words decoded, raw 8-bit bytes decoded by a likely charset."""
    value = message.get(name)
    if value is None:
        return ""
    text = str(value)
    if "\ufffd" in text:
        raw = next((v for k, v in message.raw_items() if k.lower() == name.lower()), "")
        if _has_raw_bytes(raw):
            text = _redecode(raw)
    return " ".join(text.split())


def _has_raw_bytes(text: str) -> bool:
    """True when the parser kept undecodable 8-bit bytes as surrogates."""
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _redecode(text: str) -> str:
    """Undeclared 8-bit text: UTF-8 if it is valid UTF-8, else the single-byte Cyrillic
    charset that reads most like Russian (mostly lower-case letters, KOI8-R read as
    Windows-1251 comes out mostly in capitals, and the other way round)."""
    data = text.encode("utf-8", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    candidates = [data.decode(charset, "replace") for charset in FALLBACK_CHARSETS[1:]]
    return max(candidates, key=_lower_case_share)


def _lower_case_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum(ch.islower() for ch in letters) / len(letters) if letters else 0.0


def _sender(message: EmailMessage) -> str:
    address = parseaddr(_header_text(message, "Reply-To") or _header_text(message, "From"))[1].strip().lower()
    if not address:
        address = parseaddr(_header_text(message, "From"))[1].strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise Unreadable("no valid sender address") from None
    return address


def _ids(value) -> list[str]:
    return re.findall(r"<[^<>\s]+>", str(value or ""))


def _first_id(value) -> str:
    found = _ids(value)
    return normalise_message_id(found[0]) if found else ""


def normalise_message_id(value: str) -> str:
    """Ids longer than the column are replaced by a hash, so lookups still match."""
    value = value.strip()
    if len(value) <= MESSAGE_ID_MAX_LENGTH:
        return value
    return "<sha256:" + hashlib.sha256(value.encode()).hexdigest() + ">"


def _message_id(message: EmailMessage, raw: bytes) -> str:
    """The sender's Message-ID; without one, a hash of the bytes, so a re-delivery still dedups."""
    found = _ids(message.get("Message-ID", ""))
    if found:
        return normalise_message_id(found[0])
    return "<sha256:" + hashlib.sha256(raw).hexdigest() + "@no-message-id>"


# --- machines


def machine_kind(message: EmailMessage, *, sender: str, subject: str, own_addresses: frozenset[str]) -> str:
    """ "loop", "bounce", "auto_reply" or "" for a person's message."""
    if message.get(LOOP_HEADER) or sender in own_addresses:
        return "loop"
    if len(message.get_all("Received") or ()) > MAX_RECEIVED_HEADERS:
        return "loop"
    if _is_bounce(message, sender, subject):
        return "bounce"
    if _is_auto_reply(message, subject):
        return "auto_reply"
    return ""


def _is_bounce(message: EmailMessage, sender: str, subject: str) -> bool:
    if message.get_content_type() == "multipart/report":
        return True
    if str(message.get("Return-Path", "")).strip() == "<>":
        return True
    return bool(BOUNCE_SENDER_RE.match(sender) or BOUNCE_SUBJECT_RE.match(subject))


def _is_auto_reply(message: EmailMessage, subject: str) -> bool:
    auto_submitted = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if any(message.get(name) for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Reply")):
        return True
    if str(message.get("Precedence", "")).strip().lower() in BULK_PRECEDENCE:
        return True
    if message.get("List-Id") or message.get("List-Unsubscribe"):
        return True
    return bool(AUTO_SUBJECT_RE.match(subject))


# --- body


def _body_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    content = _part_text(body)
    if body.get_content_type() == "text/html":
        content = html_to_text(content)
    return strip_quoted(content)[:TEXT_MAX_LENGTH]


def _part_text(part: EmailMessage) -> str:
    """The part's text in its declared charset; a wrong or unknown charset falls back."""
    try:
        return part.get_content()
    except (LookupError, UnicodeDecodeError):
        payload = part.get_payload(decode=True) or b""
        return _redecode(payload.decode("utf-8", "surrogateescape"))


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0
        self._quote_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "head"):
            self._skipping += 1
        elif tag == "blockquote":
            self._quote_depth += 1
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "head") and self._skipping:
            self._skipping -= 1
        elif tag == "blockquote" and self._quote_depth:
            self._quote_depth -= 1
        if tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skipping and not self._quote_depth:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable text of an HTML mail: no markup, no scripts, no quoted blockquotes."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    lines = (" ".join(unescape(line).split()) for line in "".join(extractor.parts).splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def strip_quoted(text: str) -> str:
    """The new part of a reply: up to the quoted history; the whole text if nothing is left."""
    kept = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if QUOTE_START_RE.match(line) and "".join(kept).strip():
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    new = "\n".join(kept).strip()
    return new or text.strip()


def _files(message: EmailMessage):
    body = message.get_body(preferencelist=("plain", "html"))
    for part in message.walk():
        if part.is_multipart() or part is body:
            continue
        name = part.get_filename()
        if not name and not part.is_attachment():
            continue
        data = part.get_payload(decode=True) or b""
        yield MailFile(name=_header_safe_name(name or "attachment"), content_type=part.get_content_type(), data=data)


def _header_safe_name(name: str) -> str:
    if _has_raw_bytes(name):
        name = _redecode(name)
    return name.replace("/", "_").replace("\\", "_")[-255:]
