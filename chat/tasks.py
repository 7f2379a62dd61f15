"""The chat's periodic sweeps (beat schedules them, gosupport.settings.CELERY_BEAT_SCHEDULE).
Each takes no arguments, is idempotent and safe to overlap, so a redelivered or doubled
message does no harm."""

from celery import shared_task

from chat.callbacks import callbacks_sweep
from chat.presence import operators_presence_sweep
from chat.services import chat_offers_sweep


@shared_task(name="chat.offers_sweep", acks_late=True, soft_time_limit=20, time_limit=30, ignore_result=True)
def offers_sweep() -> int:
    return chat_offers_sweep()


@shared_task(name="chat.presence_sweep", acks_late=True, soft_time_limit=20, time_limit=30, ignore_result=True)
def presence_sweep() -> int:
    return operators_presence_sweep()


@shared_task(name="chat.callbacks_sweep", acks_late=True, soft_time_limit=50, time_limit=60, ignore_result=True)
def callbacks_sweep_task() -> int:
    return callbacks_sweep()
