"""E-mails ingested per second from a mailbox of 10,000 messages, over real IMAP.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gs_chan_bench \\
        .venv/bin/python bench/mail_ingest.py [--messages 10000]
    .venv/bin/python bench/mail_ingest.py          # SQLite in a scratch file

The database named in DATABASE_URL is dropped and created afresh (its name must contain
"bench"). The mailbox is served by the IMAP test double of the test suite on a local
socket; `tickets.channels.imap.mailbox_poll` fetches every message with imaplib, files it
through `mail_ingest` and flags it \\Seen, exactly as the beat task does. The mix: new
appeals from 2,000 citizens with accounts and from strangers, replies threaded by
In-Reply-To, HTML-only mail, mail with a PNG and a PDF attached, auto-replies and bounces.
Never run by pytest.
"""

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CITIZENS = 2000


def setup_django() -> str:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gosupport.settings")
    os.environ.setdefault("CELERY_BROKER_URL", "memory://")
    os.environ.setdefault("EMAIL_URL", "dummymail://")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="gs-mail-bench-media-"))
    url = os.environ.get("DATABASE_URL", "")
    if url:
        if "bench" not in url.rsplit("/", 1)[-1]:
            sys.exit("The database name in DATABASE_URL must contain 'bench': it is dropped and created afresh.")
        _recreate_postgres(url)
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp(prefix='gs-mail-bench-')}/db.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return os.environ["DATABASE_URL"].split(":", 1)[0]


def _recreate_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def seed_people() -> None:
    from gosupport.models import Category, Role, User

    Category.objects.get_or_create(slug="general", defaults={"title": "Общие вопросы"})
    User.objects.bulk_create(
        [
            User(username=f"mail-bench-{n}", email=f"citizen{n}@example.ru", password="!", role=Role.CITIZEN)
            for n in range(CITIZENS)
        ]
    )


def build_mailbox(count: int, rng: random.Random):
    from tests.channels import mails
    from tests.channels.imap_server import Mailbox

    mailbox = Mailbox()
    sent_ids: list[tuple[str, str]] = []  # (Message-ID, sender) of mail that opened an appeal
    attachments = [
        ("скан.png", "image", "png", mails.png_bytes()),
        ("заявление.pdf", "application", "pdf", mails.pdf_bytes()),
    ]
    for n in range(count):
        kind = rng.random()
        sender = f"citizen{rng.randrange(CITIZENS)}@example.ru" if rng.random() < 0.8 else f"stranger{n}@example.org"
        message_id = f"<bench-{n}@mail.example.ru>"
        if kind < 0.15 and sent_ids:
            parent, parent_sender = rng.choice(sent_ids)
            raw = mails.reply(in_reply_to=parent, sender=parent_sender, message_id=message_id)
        elif kind < 0.20:
            raw = mails.with_attachments(message_id=message_id, files=attachments).replace(
                b"alice@example.ru", sender.encode()
            )
        elif kind < 0.25:
            raw = mails.html_only(message_id=message_id).replace(b"bob@example.ru", sender.encode())
        elif kind < 0.30:
            raw = mails.auto_reply().replace(b"<auto-1@mail.example.ru>", message_id.encode())
        elif kind < 0.33:
            raw = mails.bounce().replace(b"<bounce-1@mx.example.ru>", message_id.encode())
        else:
            raw = mails.plain(sender=sender, message_id=message_id, body=f"Обращение номер {n}: не работает вход.")
            sent_ids.append((message_id, sender))
        mailbox.add(raw)
    return mailbox


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20261122)
    args = parser.parse_args()
    engine = setup_django()
    from django.conf import settings

    from tests.channels.imap_server import ImapTestServer
    from tickets.channels.imap import mailbox_poll
    from tickets.models import Ticket

    settings.MAIL_MAX_NEW_APPEALS_PER_HOUR = 1000
    seed_people()
    mailbox = build_mailbox(args.messages, random.Random(args.seed))
    size_mb = sum(len(raw) for raw in mailbox.messages.values()) / 1e6
    with ImapTestServer(mailbox) as url:
        started, cpu_started = time.perf_counter(), time.process_time()
        result = mailbox_poll(url=url, limit=args.messages)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    outcomes = ", ".join(f"{name} {count:,}" for name, count in sorted(result.outcomes.items()))
    print(f"{engine}: {result.fetched:,} messages ({size_mb:.1f} MB) in {elapsed:.1f} s over IMAP")
    print(f"  {result.fetched / elapsed:,.0f} e-mails ingested per second; {outcomes}")
    print(
        f"  this process used {cpu:.1f} s of CPU ({result.fetched / cpu:,.0f} e-mails per CPU-second); load average now {os.getloadavg()[0]:.1f}"
    )
    print(f"  appeals now: {Ticket.objects.count():,}; unseen left: {len(mailbox.messages) - len(mailbox.seen)}")


if __name__ == "__main__":
    main()
