from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = _("Live chat")

    def ready(self):
        from chat import receivers  # noqa: F401  (connects the domain-event receivers)
        from chat.messengers.receivers import messengers_ready

        messengers_ready()
        _register_with_tickets_and_privacy()


def _register_with_tickets_and_privacy() -> None:
    """Who may transfer or close a chat is the chat's rule, whichever door asks; call backs
    hold phones, so exports, erasures and the retention purge must reach them."""
    from chat.privacy import provider
    from chat.services import chat_control_check
    from gosupport.privacy import privacy_provider_register
    from tickets.control import ticket_control_check_register
    from tickets.models import Channel

    ticket_control_check_register(channel=Channel.CHAT, check=chat_control_check)
    privacy_provider_register(provider)
