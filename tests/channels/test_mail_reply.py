"""E-mail out: an operator's public reply on an e-mail appeal goes back in the same thread.

message_add does not send tickets.signals.message_stored yet (another engineer is wiring
it); these tests send the signal the way message_add will, after the commit."""

from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from tests.channels import mails
from tickets.channels.mail import ReplyNotSent, mail_ingest, mail_reply_deliver
from tickets.channels.mailparse import LOOP_HEADER
from tickets.channels.models import MailDirection, MailOutcome, MailRecord
from tickets.models import Channel, Message
from tickets.services import message_add, ticket_create
from tickets.signals import message_stored

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_category(settings, account_category):
    settings.MAIL_DEFAULT_CATEGORY = account_category.slug
    settings.SUPPORT_EMAIL = "support@gosupport.local"


def _stored(message: Message, capture) -> None:
    with capture(execute=True):
        message_stored.send(sender=Message, message=message)


def _sent_replies():
    return [m for m in mail.outbox if m.extra_headers.get(LOOP_HEADER)]


def test_operator_reply_goes_out_in_the_mail_thread(citizen_a, operator_of_queue, django_capture_on_commit_callbacks):
    ticket = mail_ingest(raw=mails.plain()).ticket
    reply = message_add(ticket=ticket, author=operator_of_queue, text="Проверьте номер телефона в профиле.")

    _stored(reply, django_capture_on_commit_callbacks)

    [sent] = _sent_replies()
    assert sent.to == ["alice@example.ru"]
    assert ticket.number in sent.subject and mails.SUBJECT in sent.subject
    assert "Проверьте номер телефона" in sent.body
    assert sent.extra_headers["In-Reply-To"] == "<plain-1@mail.example.ru>"
    assert sent.extra_headers["References"].endswith("<plain-1@mail.example.ru>")
    record = MailRecord.objects.get(direction=MailDirection.OUTBOUND)
    assert record.outcome == MailOutcome.SENT and record.message == reply
    assert sent.extra_headers["Message-ID"] == record.mail_id


def test_the_citizens_answer_to_the_reply_joins_the_appeal(
    citizen_a, operator_of_queue, django_capture_on_commit_callbacks
):
    ticket = mail_ingest(raw=mails.plain()).ticket
    reply = message_add(ticket=ticket, author=operator_of_queue, text="Проверьте номер телефона.")
    _stored(reply, django_capture_on_commit_callbacks)
    ours = MailRecord.objects.get(direction=MailDirection.OUTBOUND).mail_id

    result = mail_ingest(raw=mails.reply(in_reply_to=ours, message_id="<answer@mail.example.ru>"))

    assert result.ticket == ticket and result.outcome == MailOutcome.APPENDED


def test_our_own_reply_coming_back_is_a_loop(citizen_a, operator_of_queue, django_capture_on_commit_callbacks):
    ticket = mail_ingest(raw=mails.plain()).ticket
    reply = message_add(ticket=ticket, author=operator_of_queue, text="Ответ")
    _stored(reply, django_capture_on_commit_callbacks)

    ours = _sent_replies()[0].message()
    same = mail_ingest(raw=ours.as_bytes())
    ours.replace_header("Message-ID", "<relayed-copy@elsewhere.example>")
    relayed = mail_ingest(raw=ours.as_bytes())

    assert (same.outcome, relayed.outcome) == ("duplicate", MailOutcome.LOOP)
    assert ticket.messages.count() == 2


def test_signal_delivered_twice_sends_one_mail(citizen_a, operator_of_queue, django_capture_on_commit_callbacks):
    ticket = mail_ingest(raw=mails.plain()).ticket
    reply = message_add(ticket=ticket, author=operator_of_queue, text="Ответ")

    _stored(reply, django_capture_on_commit_callbacks)
    _stored(reply, django_capture_on_commit_callbacks)

    assert len(_sent_replies()) == 1


def test_private_notes_and_citizen_messages_are_not_mailed(
    citizen_a, operator_of_queue, django_capture_on_commit_callbacks
):
    ticket = mail_ingest(raw=mails.plain()).ticket
    note = message_add(ticket=ticket, author=operator_of_queue, text="Похоже на сбой СМС-шлюза", internal=True)
    own = message_add(ticket=ticket, author=citizen_a, text="Ещё вопрос")

    _stored(note, django_capture_on_commit_callbacks)
    _stored(own, django_capture_on_commit_callbacks)

    assert _sent_replies() == []
    assert not MailRecord.objects.filter(direction=MailDirection.OUTBOUND).exists()


def test_replies_on_other_channels_are_not_mailed_by_the_email_channel(
    citizen_a, account_category, operator_of_queue, django_capture_on_commit_callbacks
):
    ticket = ticket_create(
        channel=Channel.FORM, category=account_category, text="x" * 30, citizen=citizen_a, contact_email=citizen_a.email
    )
    reply = message_add(ticket=ticket, author=operator_of_queue, text="Ответ")

    _stored(reply, django_capture_on_commit_callbacks)

    assert _sent_replies() == []


def test_a_failed_send_stays_pending_with_the_error_and_is_sent_on_retry(citizen_a, operator_of_queue, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    ticket = mail_ingest(raw=mails.plain()).ticket
    reply = message_add(ticket=ticket, author=operator_of_queue, text="Ответ")
    with mock.patch("tickets.channels.mail._enqueue_reply"):
        from tickets.channels.mail import mail_reply_prepare

        record = mail_reply_prepare(message=reply)

    start = timezone.now()
    with (
        time_machine.travel(start, tick=False),
        mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("SMTP down")),
        pytest.raises(ReplyNotSent) as failed,
    ):
        mail_reply_deliver(record_id=record.pk)
    record.refresh_from_db()
    assert record.outcome == MailOutcome.PENDING and "SMTP down" in record.last_error and record.attempts == 1
    assert failed.value.retry_in == 10

    with time_machine.travel(start + timedelta(seconds=failed.value.retry_in), tick=False):
        assert mail_reply_deliver(record_id=record.pk) is True
    record.refresh_from_db()
    assert record.outcome == MailOutcome.SENT and len(_sent_replies()) == 1
    assert mail_reply_deliver(record_id=record.pk) is False
