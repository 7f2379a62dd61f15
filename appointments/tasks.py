"""The bookings sweep as a Celery task: beat enqueues it every minute
(settings.CELERY_BEAT_SCHEDULE). Reminders never ride on countdown tasks; the sweep claims
each reminder with a conditional update, so two sweeps at once still send it once."""

from celery import shared_task

from appointments.services import bookings_sweep


@shared_task(
    name="appointments.bookings_sweep",
    acks_late=True,
    soft_time_limit=50,
    time_limit=60,
    ignore_result=True,
)
def bookings_sweep_task() -> dict[str, int]:
    return bookings_sweep()
