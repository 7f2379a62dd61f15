"""Writes of the shared core."""

import logging

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from gosupport.models import Notification, NotificationChannel, NotificationStatus
from gosupport.sms import get_sms_backend

logger = logging.getLogger(__name__)
MAX_DELIVERY_ATTEMPTS = 8


def notification_deliver(*, notification_id: int) -> bool:
    """Send one pending notification; safe to call twice (a sent one is skipped)."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, status=NotificationStatus.PENDING)
            .first()
        )
        if notification is None:
            return False
        notification.attempts += 1
        try:
            _send(notification)
        except Exception as exc:  # any transport failure is retried by the outbox sweep
            logger.warning("notification %s failed: %s", notification.pk, type(exc).__name__)
            notification.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            if notification.attempts >= MAX_DELIVERY_ATTEMPTS:
                notification.status = NotificationStatus.FAILED
            notification.save(update_fields=["attempts", "last_error", "status"])
            return False
        notification.status = NotificationStatus.SENT
        notification.sent_at = timezone.now()
        notification.save(update_fields=["attempts", "status", "sent_at"])
        return True


def _send(notification: Notification) -> None:
    if notification.channel == NotificationChannel.EMAIL:
        send_mail(notification.subject, notification.body, None, [notification.recipient])
    else:
        get_sms_backend().send(notification.recipient, notification.body)
