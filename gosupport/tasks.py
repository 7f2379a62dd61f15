"""Delivery of the notifications outbox: one task per notification, retried with backoff,
and a periodic sweep that re-sends what a lost message left behind."""

from celery import shared_task

from gosupport.notifications import (
    MAX_DELIVERY_ATTEMPTS,
    DeliveryFailed,
    notification_deliver,
    notifications_resend_overdue,
)


@shared_task(
    bind=True,
    name="gosupport.deliver_notification",
    acks_late=True,
    max_retries=MAX_DELIVERY_ATTEMPTS,
    soft_time_limit=30,
    time_limit=60,
    ignore_result=True,
)
def deliver_notification(self, notification_id: int) -> None:
    try:
        notification_deliver(notification_id=notification_id)
    except DeliveryFailed as failure:
        raise self.retry(exc=failure, countdown=failure.retry_in) from failure


@shared_task(
    name="gosupport.outbox_sweep",
    acks_late=True,
    soft_time_limit=50,
    time_limit=60,
    ignore_result=True,
)
def outbox_sweep() -> int:
    return notifications_resend_overdue()


@shared_task(
    name="gosupport.purge_expired_personal_data",
    acks_late=True,
    soft_time_limit=1800,
    time_limit=1900,
    ignore_result=True,
)
def purge_expired_personal_data() -> dict[str, int]:
    """The retention job (daily in CELERY_BEAT_SCHEDULE); idempotent, batched."""
    from gosupport.privacy import personal_data_purge_expired

    return personal_data_purge_expired()
