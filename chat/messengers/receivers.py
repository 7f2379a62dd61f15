"""Messages stored on a messenger conversation (operator, bot) are sent to that chat."""

from django.dispatch import receiver

from tickets.signals import message_stored


@receiver(message_stored, dispatch_uid="chat.messengers.reply")
def send_to_messenger(sender, message, **kwargs):
    from chat.messengers.services import messenger_reply_prepare

    messenger_reply_prepare(message=message)


def messengers_ready() -> None:
    """Called from ChatConfig.ready(): the receiver above is connected by importing this module."""
    from chat.messengers import tasks  # noqa: F401  (registers the Celery task)
    from chat.messengers.privacy import provider
    from gosupport.privacy import privacy_provider_register

    privacy_provider_register(provider)
