"""The channels' tables answer to the privacy registry: export, erasure, retention."""

from datetime import timedelta

import pytest
from django.utils import timezone

from chat.models import Messenger, MessengerLink
from gosupport.privacy import personal_data_erase, personal_data_export, personal_data_purge_expired
from tests.channels import mails
from tickets.channels.mail import mail_ingest
from tickets.channels.models import CallOutcome, MailRecord, PhoneCall, QuarantinedMail
from tickets.channels.phone import phone_call_log

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_category(settings, account_category):
    settings.MAIL_DEFAULT_CATEGORY = account_category.slug


@pytest.fixture
def alices_channels(citizen_a, operator_of_queue, account_category):
    citizen_a.inn = "7707083893"
    citizen_a.save()
    mail_ingest(raw=mails.plain())
    phone_call_log(
        operator=operator_of_queue,
        category=account_category,
        question="Как сменить телефон?",
        answer="В профиле.",
        outcome=CallOutcome.SOLVED,
        full_name="Смирнова Алиса",
        inn="7707083893",
    )
    MessengerLink.objects.create(
        messenger=Messenger.TELEGRAM, chat_id="523917406", user=citizen_a, created_at=timezone.now()
    )
    return citizen_a


def test_export_holds_the_citizens_mail_calls_and_messenger_chats(alices_channels):
    data = personal_data_export(subject=alices_channels, actor=alices_channels, ip=None)

    assert data["channels"]["emails"][0]["subject"] == mails.SUBJECT
    assert data["channels"]["phone_calls"][0]["question"] == "Как сменить телефон?"
    assert data["messengers"] == [{"messenger": "telegram", "chat_id": "523917406", "linked_at": None}]


def test_erasure_blanks_mail_and_call_details_and_unlinks_the_messenger(alices_channels):
    personal_data_erase(subject=alices_channels, actor=alices_channels, ip=None)

    record = MailRecord.objects.get()
    call = PhoneCall.objects.get()
    assert (record.address, record.subject) == ("", "")
    assert (call.caller_name, call.question, call.answer) == ("", "", "")
    assert not MessengerLink.objects.exists()


def test_retention_purges_old_quarantine_and_unlinked_chats(settings, db):
    settings.PD_RETENTION_DAYS = 30
    old = timezone.now() - timedelta(days=31)
    QuarantinedMail.objects.create(raw=b"x", reason="old", source="imap", received_at=old)
    QuarantinedMail.objects.create(raw=b"y", reason="new", source="imap", received_at=timezone.now())
    MessengerLink.objects.create(messenger=Messenger.TELEGRAM, chat_id="1", created_at=old, pending_text="вопрос")

    purged = personal_data_purge_expired()

    assert purged["channels"] == 1 and purged["messengers"] == 1
    assert list(QuarantinedMail.objects.values_list("reason", flat=True)) == ["new"]
    assert not MessengerLink.objects.exists()
