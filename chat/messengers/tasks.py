"""Sending to a messenger: a task, so a slow or unreachable Bot API never holds a request."""

from celery import shared_task

from chat.messengers import ADAPTERS


@shared_task(
    bind=True,
    name="chat.messengers.send_text",
    acks_late=True,
    max_retries=5,
    soft_time_limit=20,
    time_limit=30,
    ignore_result=True,
)
def send_messenger_text(self, messenger: str, chat_id: str, text: str) -> None:
    try:
        ADAPTERS[messenger].get_client().send_message(chat_id, text)
    except Exception as error:  # network and API failures are retried with backoff
        raise self.retry(exc=error, countdown=min(5 * 2**self.request.retries, 600)) from error
