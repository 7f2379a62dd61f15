"""What the channels do when the rest of the centre acts: an operator's reply on an e-mail
appeal goes out as e-mail. Connected from TicketsConfig.ready() through `channels_ready`."""

from tickets.signals import message_stored


def _send_reply_by_mail(sender, message, **kwargs) -> None:
    from tickets.channels.mail import mail_reply_prepare

    mail_reply_prepare(message=message)


def channels_ready() -> None:
    from gosupport.privacy import privacy_provider_register
    from tickets.channels import admin, tasks  # noqa: F401  (registers the admin pages and Celery tasks)
    from tickets.channels.privacy import provider

    privacy_provider_register(provider)
    message_stored.connect(_send_reply_by_mail, dispatch_uid="channels-mail-reply")
