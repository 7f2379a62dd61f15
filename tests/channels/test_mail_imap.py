"""The mailbox poll speaks real IMAP (imaplib over a socket) to a test double of the server."""

import imaplib

import pytest
from django.core.exceptions import ImproperlyConfigured

from tests.channels import mails
from tests.channels.imap_server import ImapTestServer, Mailbox
from tickets.channels.imap import mailbox_config, mailbox_poll
from tickets.channels.models import MailRecord, QuarantinedMail
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_category(settings, account_category):
    settings.MAIL_DEFAULT_CATEGORY = account_category.slug


def test_poll_ingests_unseen_mail_and_marks_it_seen(citizen_a):
    mailbox = Mailbox()
    mailbox.add(mails.plain())
    mailbox.add(mails.auto_reply())
    mailbox.add(b"\x00garbage")
    mailbox.add(mails.html_only(), seen=True)

    with ImapTestServer(mailbox) as url:
        result = mailbox_poll(url=url)

    assert result.fetched == 3
    assert result.outcomes == {"created": 1, "auto_reply": 1, "quarantined": 1}
    assert Ticket.objects.get().citizen == citizen_a
    assert QuarantinedMail.objects.count() == 1
    assert mailbox.seen == {1, 2, 3, 4}
    assert "UID FETCH" in mailbox.commands and "UID STORE" in mailbox.commands


def test_second_poll_finds_nothing_new(citizen_a):
    mailbox = Mailbox()
    mailbox.add(mails.plain())

    with ImapTestServer(mailbox) as url:
        mailbox_poll(url=url)
        again = mailbox_poll(url=url)

    assert again.fetched == 0
    assert Ticket.objects.count() == 1


def test_mail_fetched_again_after_a_crash_before_the_seen_flag_is_not_filed_twice(citizen_a):
    mailbox = Mailbox()
    mailbox.add(mails.plain())
    with ImapTestServer(mailbox) as url:
        mailbox_poll(url=url)
        mailbox.seen.clear()  # as if the poll died between ingesting and flagging
        again = mailbox_poll(url=url)

    assert again.outcomes == {"duplicate": 1}
    assert Ticket.objects.count() == 1 and MailRecord.objects.count() == 1


def test_poll_respects_the_batch_limit(db):
    mailbox = Mailbox()
    for n in range(5):
        mailbox.add(mails.plain(sender=f"p{n}@example.org", message_id=f"<m{n}@x>"))

    with ImapTestServer(mailbox) as url:
        first = mailbox_poll(url=url, limit=2)

    assert first.fetched == 2 and len(mailbox.seen) == 2


def test_wrong_password_stores_nothing(db):
    mailbox = Mailbox()
    mailbox.add(mails.plain())
    with ImapTestServer(mailbox) as url, pytest.raises(imaplib.IMAP4.error):
        mailbox_poll(url=url.replace(":secret@", ":wrong@"))

    assert not Ticket.objects.exists() and not mailbox.seen


@pytest.mark.parametrize("url", ["", "pop3://u:p@host/", "imaps://host/INBOX", "imap://:p@host"])
def test_bad_imap_url_is_a_clear_configuration_error(url):
    with pytest.raises(ImproperlyConfigured):
        mailbox_config(url)


def test_imap_url_parts_are_read():
    config = mailbox_config("imaps://support%40gov.ru:p%40ss@mail.gov.ru/Support%20Inbox")

    assert (config.host, config.port, config.user, config.password) == ("mail.gov.ru", 993, "support@gov.ru", "p@ss")
    assert config.folder == "Support Inbox" and config.ssl
