from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "chat"
    verbose_name = _("Live chat")

    def ready(self):
        from chat import receivers  # noqa: F401  (connects the domain-event receivers)
        from chat.messengers.receivers import messengers_ready

        messengers_ready()
