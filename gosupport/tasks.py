"""Delivery of the notifications outbox."""

from celery import shared_task

from gosupport.services import notification_deliver


@shared_task(
    name="gosupport.deliver_notification",
    queue="default",
    acks_late=True,
    max_retries=None,
    soft_time_limit=30,
    time_limit=60,
)
def deliver_notification(notification_id: int) -> None:
    notification_deliver(notification_id=notification_id)
