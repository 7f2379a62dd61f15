from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.utils import timezone

from gosupport import notifications
from gosupport.models import Notification, NotificationChannel, NotificationStatus
from gosupport.notifications import (
    MAX_DELIVERY_ATTEMPTS,
    DeliveryFailed,
    notification_create,
    notification_deliver,
    notifications_overdue,
)
from gosupport.tasks import deliver_notification, outbox_sweep

pytestmark = pytest.mark.django_db

SENT_SMS: list[tuple[str, str]] = []


class FailingSms:
    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("gateway down")


class RecordingSms:
    def send(self, phone: str, text: str) -> None:
        SENT_SMS.append((phone, text))


@pytest.fixture
def failing_sms(settings):
    settings.SMS_BACKEND = "tests.gosupport.test_notifications.FailingSms"


def email(**fields) -> Notification:
    return Notification.objects.create(
        channel=NotificationChannel.EMAIL, recipient="alice@example.ru", subject="Заявка", body="Текст", **fields
    )


def sms(**fields) -> Notification:
    return Notification.objects.create(channel=NotificationChannel.SMS, recipient="+79161234567", body="Код", **fields)


def test_an_email_is_sent_once_and_marked_sent():
    notification = email()
    assert notification_deliver(notification_id=notification.pk) is True
    assert notification_deliver(notification_id=notification.pk) is False
    notification.refresh_from_db()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.ru"]
    assert notification.status == NotificationStatus.SENT and notification.attempts == 1 and notification.sent_at


def test_sms_goes_through_the_configured_backend(settings):
    settings.SMS_BACKEND = "tests.gosupport.test_notifications.RecordingSms"
    SENT_SMS.clear()
    notification_deliver(notification_id=sms().pk)
    assert SENT_SMS == [("+79161234567", "Код")]


def test_a_failed_attempt_stays_pending_with_the_error_and_a_backoff(failing_sms):
    notification = sms()
    with pytest.raises(DeliveryFailed) as failure:
        notification_deliver(notification_id=notification.pk)
    notification.refresh_from_db()
    assert failure.value.retry_in == notifications.BACKOFF_FIRST_SECONDS
    assert notification.status == NotificationStatus.PENDING and notification.attempts == 1
    assert "gateway down" in notification.last_error and notification.sent_at is None


def test_the_task_retries_with_backoff_then_gives_up(failing_sms):
    notification = sms()
    with pytest.raises(Retry) as retry:
        deliver_notification.apply(args=[notification.pk])
    assert retry.value.when == notifications.BACKOFF_FIRST_SECONDS
    Notification.objects.filter(pk=notification.pk).update(attempts=MAX_DELIVERY_ATTEMPTS - 1)
    deliver_notification.apply(args=[notification.pk])
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.FAILED and notification.attempts == MAX_DELIVERY_ATTEMPTS
    assert notification_deliver(notification_id=notification.pk) is False


def test_backoff_doubles_up_to_an_hour():
    delays = [notifications.delivery_backoff_seconds(n) for n in range(1, 12)]
    assert delays[:4] == [10, 20, 40, 80] and delays[-1] == 3600


def test_a_notification_in_flight_is_not_sent_twice(monkeypatch):
    notification = email()
    nested = []
    real_send = notifications._send

    def send_while_another_worker_tries(row):
        nested.append(notification_deliver(notification_id=row.pk))
        real_send(row)

    monkeypatch.setattr(notifications, "_send", send_while_another_worker_tries)
    assert notification_deliver(notification_id=notification.pk) is True
    assert nested == [False] and len(mail.outbox) == 1


def test_a_lease_left_by_a_killed_worker_expires():
    notification = email(attempts=1, sent_at=timezone.now() - notifications.CLAIM_LEASE - timedelta(seconds=1))
    assert notification_deliver(notification_id=notification.pk) is True
    assert len(mail.outbox) == 1


def test_the_outbox_sweep_resends_what_a_lost_message_left_behind(django_capture_on_commit_callbacks):
    now = timezone.now()
    lost = email()
    Notification.objects.filter(pk=lost.pk).update(created_at=now - timedelta(minutes=2))
    fresh = email()
    failed_recently = sms(attempts=3, last_error="x")
    Notification.objects.filter(pk=failed_recently.pk).update(created_at=now - timedelta(minutes=1, seconds=30))
    assert notifications_overdue(now=now) == [lost.pk]
    assert outbox_sweep.apply().get() == 1
    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.status == NotificationStatus.SENT and fresh.status == NotificationStatus.PENDING


def test_notifications_are_handed_over_only_after_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = notification_create(channel=NotificationChannel.EMAIL, recipient="a@b.ru", body="x")
    assert len(callbacks) == 1 and not mail.outbox
    callbacks[0]()
    notification.refresh_from_db()
    assert notification.status == NotificationStatus.SENT


def test_a_broker_failure_after_commit_does_not_fail_the_caller(monkeypatch, django_capture_on_commit_callbacks):
    def broker_down(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(deliver_notification, "delay", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        notification = notification_create(channel=NotificationChannel.EMAIL, recipient="a@b.ru", body="x")
    assert Notification.objects.get(pk=notification.pk).status == NotificationStatus.PENDING
    assert notifications_overdue(now=timezone.now() + timedelta(minutes=2)) == [notification.pk]
