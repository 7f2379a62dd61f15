"""Polling the support mailbox over IMAP (beat runs it when IMAP_URL is set).

Unseen messages are fetched without marking them, handed to `mail_ingest` one by one and
flagged \\Seen only afterwards: a poll killed half-way leaves the rest for the next one,
and a message fetched twice is deduplicated by its Message-ID."""

import imaplib
import logging
from dataclasses import asdict, dataclass, field
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from tickets.channels.mail import mail_ingest

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MailboxConfig:
    host: str
    port: int
    user: str
    password: str
    folder: str = "INBOX"
    ssl: bool = True


@dataclass
class PollResult:
    fetched: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


def mailbox_config(url: str | None = None) -> MailboxConfig:
    """`imaps://user:password@host:993/INBOX` (or `imap://` without TLS) from IMAP_URL."""
    url = url if url is not None else getattr(settings, "IMAP_URL", "")
    parts = urlsplit(url or "")
    if parts.scheme not in ("imap", "imaps") or not parts.hostname or not parts.username:
        raise ImproperlyConfigured("IMAP_URL must look like imaps://user:password@host:993/INBOX")
    secure = parts.scheme == "imaps"
    return MailboxConfig(
        host=parts.hostname,
        port=parts.port or (993 if secure else 143),
        user=unquote(parts.username),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
        ssl=secure,
    )


def _connect(config: MailboxConfig, timeout: float) -> imaplib.IMAP4:
    if config.ssl:
        return imaplib.IMAP4_SSL(config.host, config.port, timeout=timeout)
    return imaplib.IMAP4(config.host, config.port, timeout=timeout)


def mailbox_poll(*, url: str | None = None, limit: int | None = None, timeout: float = 30) -> PollResult:
    """Ingest up to `limit` unseen messages of the mailbox; returns what became of them."""
    config = mailbox_config(url)
    limit = limit or getattr(settings, "IMAP_BATCH", 500)
    result = PollResult()
    connection = _connect(config, timeout)
    try:
        connection.login(config.user, config.password)
        _check(connection.select(_quoted(config.folder)), "SELECT")
        for uid in _unseen(connection)[:limit]:
            _ingest_one(connection, uid, result)
    finally:
        _logout(connection)
    return result


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(response: tuple, command: str) -> list:
    status, data = response
    if status != "OK":
        raise imaplib.IMAP4.error(f"{command} failed: {data!r}")
    return data


def _unseen(connection: imaplib.IMAP4) -> list[bytes]:
    data = _check(connection.uid("SEARCH", None, "UNSEEN"), "SEARCH")
    return data[0].split() if data and data[0] else []


def _ingest_one(connection: imaplib.IMAP4, uid: bytes, result: PollResult) -> None:
    data = _check(connection.uid("FETCH", uid, "(BODY.PEEK[])"), "FETCH")
    raw = next((item[1] for item in data if isinstance(item, tuple)), None)
    if raw is None:
        logger.warning("IMAP message %s vanished before it was fetched", uid)
        return
    outcome = mail_ingest(raw=raw, source="imap").outcome
    _check(connection.uid("STORE", uid, "+FLAGS", "(\\Seen)"), "STORE")
    result.fetched += 1
    result.outcomes[outcome] = result.outcomes.get(outcome, 0) + 1


def _logout(connection: imaplib.IMAP4) -> None:
    try:
        connection.logout()
    except (imaplib.IMAP4.error, OSError):
        logger.warning("IMAP logout failed")
