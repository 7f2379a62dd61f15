"""`manage.py ingest_mail [FILE]`: one message from a file or standard input."""

import io
import sys

import pytest
from django.core.management import CommandError, call_command

from tests.channels import mails
from tickets.channels.models import QuarantinedMail
from tickets.models import Channel, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_category(settings, account_category):
    settings.MAIL_DEFAULT_CATEGORY = account_category.slug


def test_ingest_mail_reads_a_file(tmp_path, citizen_a):
    path = tmp_path / "message.eml"
    path.write_bytes(mails.plain())
    out = io.StringIO()

    call_command("ingest_mail", str(path), stdout=out)

    ticket = Ticket.objects.get()
    assert ticket.channel == Channel.EMAIL and ticket.citizen == citizen_a
    assert out.getvalue().strip() == f"created {ticket.number}"


def test_ingest_mail_reads_standard_input(monkeypatch, citizen_a):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(mails.with_attachments())))
    out = io.StringIO()

    call_command("ingest_mail", stdout=out)

    assert Ticket.objects.get().attachments.count() == 2
    assert out.getvalue().startswith("created ")


def test_unreadable_input_is_quarantined_and_reported(monkeypatch, db):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"")))
    out = io.StringIO()

    call_command("ingest_mail", "-", stdout=out)

    assert out.getvalue().startswith("quarantined - ")
    assert QuarantinedMail.objects.get().source == "stdin"


def test_missing_file_is_a_clear_error_and_stores_nothing(tmp_path, db):
    with pytest.raises(CommandError, match="absent.eml"):  # in the administrator's language
        call_command("ingest_mail", str(tmp_path / "absent.eml"))

    assert not Ticket.objects.exists() and not QuarantinedMail.objects.exists()
