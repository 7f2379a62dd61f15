"""The notifications outbox: rows are written in the caller's transaction and handed to
Celery after commit, so a rolled-back change never notifies anybody. The hand-over may
be lost (a broker down, a worker killed): the periodic outbox sweep sends those later."""

import functools
import logging
from datetime import datetime, timedelta

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from gosupport.models import Notification, NotificationChannel, NotificationStatus
from gosupport.sms import get_sms_backend

logger = logging.getLogger(__name__)


def notification_create(
    *, channel: str, recipient: str, body: str, subject: str = "", user=None, reference: str = ""
) -> Notification:
    notification = Notification.objects.create(
        channel=channel, recipient=recipient, subject=subject, body=body, user=user, reference=reference
    )
    transaction.on_commit(lambda: _enqueue_delivery(notification.pk))
    return notification


def notifications_create_bulk(notifications: list[Notification]) -> list[Notification]:
    """Store many outbox rows with one insert (the SLA sweep's digests)."""
    if not notifications:
        return []
    created = Notification.objects.bulk_create(notifications)
    notifications_deliver_after_commit(created)
    return created


def notify_contact(
    *, email: str = "", phone: str = "", subject: str, body: str, user=None, reference: str = ""
) -> list[Notification]:
    """Notify a person by every contact they gave: e-mail and/or SMS."""
    notices = contact_notifications(
        email=email, phone=phone, subject=subject, body=body, user=user, reference=reference
    )
    for notice in notices:
        notice.save()
        transaction.on_commit(functools.partial(_enqueue_delivery, notice.pk))
    return notices


def contact_notifications(
    *, email: str = "", phone: str = "", subject: str, body: str, user=None, reference: str = ""
) -> list[Notification]:
    """The outbox rows of `notify_contact`, not yet stored: for a caller that writes them in
    its own statement and then calls `notifications_deliver_after_commit`. Such a caller
    applies the processing-restriction rule itself (their pre_save signal is not sent)."""
    notices = []
    if email:
        notices.append(
            Notification(
                channel=NotificationChannel.EMAIL,
                recipient=email,
                subject=subject,
                body=body,
                user=user,
                reference=reference,
            )
        )
    if phone:
        notices.append(
            Notification(
                channel=NotificationChannel.SMS,
                recipient=phone,
                body=f"{subject}. {body}"[:480],
                user=user,
                reference=reference,
            )
        )
    return notices


def notifications_deliver_after_commit(notices: list[Notification]) -> None:
    """Hand stored outbox rows to Celery once the caller's transaction commits."""
    ids = [notice.pk for notice in notices]
    if ids:
        transaction.on_commit(lambda: [_enqueue_delivery(pk) for pk in ids])


def _enqueue_delivery(notification_id: int) -> None:
    """Runs after the commit: a broker failure must not fail the caller, the sweep catches up."""
    from gosupport.tasks import deliver_notification

    try:
        deliver_notification.delay(notification_id)
    except Exception:
        logger.warning("notification %s not handed to Celery; the outbox sweep will send it", notification_id)


MAX_DELIVERY_ATTEMPTS = 8
BACKOFF_FIRST_SECONDS = 10
BACKOFF_MAX_SECONDS = 3600
# Grace given to a Celery retry before the outbox sweep assumes its message was lost.
SWEEP_GRACE = timedelta(minutes=1)
# While an attempt is in flight, `sent_at` of the pending row holds its start (a lease);
# a worker killed mid-send leaves it behind, so it expires after the task's hard time limit.
CLAIM_LEASE = timedelta(seconds=90)
SWEEP_LIMIT = 1000
PASSWORD_RESET_REFERENCE = "password_reset"
# What lets its reader into an account (a reset link, a recovery code) is not kept once sent.
SECRET_REFERENCES = frozenset({PASSWORD_RESET_REFERENCE})
SECRET_REMOVED = "[removed after delivery]"


class DeliveryFailed(Exception):
    """This attempt failed; the notification stays pending and is due again in `retry_in` seconds."""

    def __init__(self, notification_id: int, retry_in: int, error: str):
        super().__init__(f"notification {notification_id}: {error}")
        self.retry_in = retry_in


def delivery_backoff_seconds(attempts: int) -> int:
    """The pause after the `attempts`-th failed attempt: 10 s, 20 s, 40 s, … at most an hour."""
    return min(BACKOFF_FIRST_SECONDS * 2 ** max(attempts - 1, 0), BACKOFF_MAX_SECONDS)


def notification_deliver(*, notification_id: int) -> bool:
    """Claim a pending notification, send it with no transaction or lock open, record the outcome.

    True when sent; False when there is nothing to do (sent already, failed for good, or
    another worker claimed this attempt); DeliveryFailed when a retry is due."""
    notification = _claim(notification_id)
    if notification is None:
        return False
    try:
        _send(notification)
    except Exception as exc:  # any transport failure is retried, then given up on
        _record_failure(notification, exc)
        return False
    sent = {"status": NotificationStatus.SENT, "sent_at": timezone.now(), "last_error": ""}
    if notification.reference in SECRET_REFERENCES:
        sent["body"] = SECRET_REMOVED
    Notification.objects.filter(pk=notification.pk, attempts=notification.attempts).update(**sent)
    return True


def _unclaimed(now: datetime) -> Q:
    return Q(status=NotificationStatus.PENDING) & (Q(sent_at__isnull=True) | Q(sent_at__lt=now - CLAIM_LEASE))


def _claim(notification_id: int) -> Notification | None:
    """One conditional update takes the next attempt and a lease on it: of two workers
    holding messages for the same notification, only one sends while the lease lasts."""
    now = timezone.now()
    notification = Notification.objects.filter(_unclaimed(now), pk=notification_id).first()
    if notification is None or notification.attempts >= MAX_DELIVERY_ATTEMPTS:
        return None
    claimed = Notification.objects.filter(_unclaimed(now), pk=notification.pk, attempts=notification.attempts).update(
        attempts=F("attempts") + 1, sent_at=now
    )
    if not claimed:
        return None
    notification.attempts += 1
    return notification


def _send(notification: Notification) -> None:
    if notification.channel == NotificationChannel.EMAIL:
        send_mail(notification.subject, notification.body, None, [notification.recipient])
    else:
        get_sms_backend().send(notification.recipient, notification.body)


def _record_failure(notification: Notification, exc: Exception) -> None:
    error = f"{type(exc).__name__}: {exc}"[:1000]
    logger.warning("notification %s attempt %s failed: %s", notification.pk, notification.attempts, type(exc).__name__)
    give_up = notification.attempts >= MAX_DELIVERY_ATTEMPTS
    Notification.objects.filter(pk=notification.pk, attempts=notification.attempts).update(
        last_error=error, sent_at=None, status=NotificationStatus.FAILED if give_up else NotificationStatus.PENDING
    )
    if not give_up:
        raise DeliveryFailed(notification.pk, delivery_backoff_seconds(notification.attempts), error)


def _next_attempt_offset(attempts: int) -> timedelta:
    """When, counted from creation, the attempt after `attempts` is due on the backoff schedule."""
    return timedelta(seconds=sum(delivery_backoff_seconds(n) for n in range(1, attempts + 1)))


def notifications_overdue(*, now: datetime | None = None) -> list[int]:
    """Pending notifications whose next attempt is over a minute late: their Celery message
    was lost (never sent at all, or a retry that vanished with a worker)."""
    now = now or timezone.now()
    late = Q()
    for attempts in range(MAX_DELIVERY_ATTEMPTS):
        late |= Q(attempts=attempts, created_at__lte=now - SWEEP_GRACE - _next_attempt_offset(attempts))
    overdue = Notification.objects.filter(late, _unclaimed(now)).order_by("created_at")
    return list(overdue.values_list("pk", flat=True)[:SWEEP_LIMIT])


def notifications_resend_overdue(*, now: datetime | None = None) -> int:
    """The outbox sweep: hand every overdue notification to Celery again."""
    overdue = notifications_overdue(now=now)
    for notification_id in overdue:
        _enqueue_delivery(notification_id)
    return len(overdue)
