"""The notifications outbox: rows are written in the caller's transaction and handed to
Celery after commit, so a rolled-back change never notifies anybody."""

from django.db import transaction

from gosupport.models import Notification, NotificationChannel


def notification_create(
    *, channel: str, recipient: str, body: str, subject: str = "", user=None, reference: str = ""
) -> Notification:
    notification = Notification.objects.create(
        channel=channel, recipient=recipient, subject=subject, body=body, user=user, reference=reference
    )
    transaction.on_commit(lambda: _enqueue_delivery(notification.pk))
    return notification


def notify_contact(
    *, email: str = "", phone: str = "", subject: str, body: str, user=None, reference: str = ""
) -> list[Notification]:
    """Notify a person by every contact they gave: e-mail and/or SMS."""
    sent = []
    if email:
        sent.append(
            notification_create(
                channel=NotificationChannel.EMAIL,
                recipient=email,
                subject=subject,
                body=body,
                user=user,
                reference=reference,
            )
        )
    if phone:
        sent.append(
            notification_create(
                channel=NotificationChannel.SMS,
                recipient=phone,
                body=f"{subject}. {body}"[:480],
                user=user,
                reference=reference,
            )
        )
    return sent


def _enqueue_delivery(notification_id: int) -> None:
    from gosupport.tasks import deliver_notification

    deliver_notification.delay(notification_id)
