"""The SLA sweep as a Celery task. Beat enqueues it every SLA_SWEEP_INTERVAL_SECONDS
(settings.CELERY_BEAT_SCHEDULE); the sweep itself is idempotent and safe to overlap, so a
redelivered or duplicated message does no harm. Deadlines never ride on countdown tasks."""

from celery import shared_task

from tickets.escalation import sla_sweep


@shared_task(
    name="tickets.sla_sweep",
    acks_late=True,
    soft_time_limit=50,
    time_limit=60,
    ignore_result=True,
)
def sla_sweep_task() -> dict:
    result = sla_sweep()
    return {"checked": result.checked, "warned": result.warned, "escalated": result.escalated}
