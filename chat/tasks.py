from celery import shared_task

from chat.services import chat_offers_sweep


@shared_task(name="chat.offers_sweep", acks_late=True, soft_time_limit=20, time_limit=30, ignore_result=True)
def offers_sweep() -> int:
    return chat_offers_sweep()
