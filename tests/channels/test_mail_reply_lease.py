"""An e-mail reply is sent once even when two copies of its task run at the same time, and
a reply whose sender died mid-send is sent again once the sender's lease has run out."""

import threading
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMessage
from django.db import connection
from django.utils import timezone

from tests.channels import mails
from tickets.channels.mail import (
    REPLY_LEASE,
    REPLY_SWEEP_GRACE,
    ReplyNotSent,
    mail_ingest,
    mail_replies_resend_overdue,
    mail_reply_deliver,
    mail_reply_prepare,
)
from tickets.channels.mailparse import LOOP_HEADER
from tickets.channels.models import MailOutcome, MailRecord
from tickets.services import message_add


@pytest.fixture(autouse=True)
def _mail_category(settings, account_category):
    settings.MAIL_DEFAULT_CATEGORY = account_category.slug
    settings.SUPPORT_EMAIL = "support@gosupport.local"


def _sent_replies():
    return [m for m in mail.outbox if m.extra_headers.get(LOOP_HEADER)]


@pytest.fixture
def pending_reply(citizen_a, operator_of_queue) -> MailRecord:
    """A reply queued for sending, its Celery hand-over held back so each test delivers it."""
    ticket = mail_ingest(raw=mails.plain()).ticket
    with mock.patch("tickets.channels.mail._enqueue_reply"):
        reply = message_add(ticket=ticket, author=operator_of_queue, text="Проверьте номер телефона.")
        return mail_reply_prepare(message=reply)


class SenderKilled(BaseException):
    """What a worker killed in the middle of the SMTP conversation looks like to the service."""


def _crash_while_sending(record: MailRecord) -> None:
    with mock.patch.object(EmailMessage, "send", side_effect=SenderKilled), pytest.raises(SenderKilled):
        mail_reply_deliver(record_id=record.pk)


@pytest.mark.django_db
def test_a_copy_started_while_the_first_is_sending_does_not_send_again(pending_reply):
    real_send = EmailMessage.send
    second: list[object] = []

    def send_with_a_second_copy_arriving(message, *args, **kwargs):
        try:
            second.append(mail_reply_deliver(record_id=pending_reply.pk))
        except ReplyNotSent as busy:
            second.append(busy)
        return real_send(message, *args, **kwargs)

    with mock.patch.object(EmailMessage, "send", send_with_a_second_copy_arriving):
        assert mail_reply_deliver(record_id=pending_reply.pk) is True

    assert len(_sent_replies()) == 1
    [busy] = second
    assert isinstance(busy, ReplyNotSent) and 0 < busy.retry_in <= REPLY_LEASE.total_seconds() + 1
    pending_reply.refresh_from_db()
    assert pending_reply.outcome == MailOutcome.SENT and pending_reply.attempts == 1
    assert pending_reply.claimed_until is None


@pytest.mark.django_db
def test_a_crashed_senders_lease_expires_and_the_retry_sends(pending_reply):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _crash_while_sending(pending_reply)
        with pytest.raises(ReplyNotSent) as busy:
            mail_reply_deliver(record_id=pending_reply.pk)
    assert _sent_replies() == []

    with time_machine.travel(start + timedelta(seconds=busy.value.retry_in), tick=False):
        assert mail_reply_deliver(record_id=pending_reply.pk) is True

    assert len(_sent_replies()) == 1
    pending_reply.refresh_from_db()
    assert pending_reply.outcome == MailOutcome.SENT and pending_reply.attempts == 2


@pytest.mark.django_db
def test_the_sweep_resends_a_reply_whose_task_was_lost_and_leaves_live_ones(pending_reply):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        _crash_while_sending(pending_reply)

    with time_machine.travel(start + REPLY_LEASE, tick=False):
        assert mail_replies_resend_overdue() == 0
    assert _sent_replies() == []

    with time_machine.travel(start + REPLY_LEASE + REPLY_SWEEP_GRACE, tick=False):
        assert mail_replies_resend_overdue() == 1  # the eager task sends it at once
        assert mail_replies_resend_overdue() == 0

    assert len(_sent_replies()) == 1
    pending_reply.refresh_from_db()
    assert pending_reply.outcome == MailOutcome.SENT


@pytest.mark.django_db
def test_the_sweep_does_not_hurry_a_retry_waiting_for_its_backoff(pending_reply):
    start = timezone.now()
    with (
        time_machine.travel(start, tick=False),
        mock.patch.object(EmailMessage, "send", side_effect=OSError("SMTP down")),
        pytest.raises(ReplyNotSent) as failed,
    ):
        mail_reply_deliver(record_id=pending_reply.pk)

    with time_machine.travel(start + timedelta(seconds=failed.value.retry_in), tick=False):
        assert mail_replies_resend_overdue() == 0
    assert _sent_replies() == []


@pytest.mark.django_db
def test_a_reply_never_handed_to_celery_is_swept_after_the_grace(pending_reply):
    with time_machine.travel(pending_reply.created_at + REPLY_SWEEP_GRACE / 2, tick=False):
        assert mail_replies_resend_overdue() == 0
    with time_machine.travel(pending_reply.created_at + REPLY_SWEEP_GRACE, tick=False):
        assert mail_replies_resend_overdue() == 1

    assert len(_sent_replies()) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="needs PostgreSQL")
def test_two_concurrent_deliveries_send_one_mail(pending_reply):
    real_send = EmailMessage.send
    first_sending, second_done = threading.Event(), threading.Event()
    sends: list[int] = []

    def slow_send(message, *args, **kwargs):
        sends.append(1)
        if len(sends) == 1:  # the first sender is mid-conversation with the SMTP server
            first_sending.set()
            second_done.wait(10)
        return real_send(message, *args, **kwargs)

    outcomes: dict[str, object] = {}

    def deliver(name: str, wait_for: threading.Event | None, then: threading.Event | None) -> None:
        try:
            if wait_for is not None:
                wait_for.wait(10)
            outcomes[name] = mail_reply_deliver(record_id=pending_reply.pk)
        except ReplyNotSent as busy:
            outcomes[name] = busy
        finally:
            if then is not None:
                then.set()
            connection.close()

    with mock.patch.object(EmailMessage, "send", slow_send):
        threads = [
            threading.Thread(target=deliver, args=("first", None, None)),
            threading.Thread(target=deliver, args=("second", first_sending, second_done)),
        ]
        [thread.start() for thread in threads]
        [thread.join(30) for thread in threads]

    assert len(_sent_replies()) == 1
    assert outcomes["first"] is True and isinstance(outcomes["second"], ReplyNotSent)
    assert MailRecord.objects.get(pk=pending_reply.pk).outcome == MailOutcome.SENT
