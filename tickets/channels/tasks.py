"""Celery doors of the e-mail channel: send an operator's reply, poll the support mailbox."""

from celery import shared_task

from tickets.channels.mail import MAX_SEND_ATTEMPTS, ReplyNotSent, mail_replies_resend_overdue, mail_reply_deliver


@shared_task(
    bind=True,
    name="tickets.channels.deliver_mail_reply",
    acks_late=True,
    max_retries=MAX_SEND_ATTEMPTS,
    soft_time_limit=30,
    time_limit=60,
    ignore_result=True,
)
def deliver_mail_reply(self, record_id: int) -> None:
    try:
        mail_reply_deliver(record_id=record_id)
    except ReplyNotSent as failure:
        raise self.retry(exc=failure, countdown=failure.retry_in) from failure


@shared_task(
    name="tickets.channels.mail_replies_sweep", acks_late=True, soft_time_limit=50, time_limit=60, ignore_result=True
)
def mail_replies_sweep_task() -> int:
    return mail_replies_resend_overdue()


@shared_task(
    name="tickets.channels.mailbox_poll", acks_late=True, soft_time_limit=240, time_limit=300, ignore_result=True
)
def mailbox_poll_task() -> dict:
    from tickets.channels.imap import mailbox_poll

    return mailbox_poll().as_dict()
