from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Appeals")

    def ready(self):
        from gosupport.privacy import privacy_provider_register
        from tickets.privacy import privacy_signals_connect, provider

        privacy_provider_register(provider)
        privacy_signals_connect()

        from tickets.channels.receivers import channels_ready

        channels_ready()

        import tickets.policies  # noqa: F401  (connects the cache's receivers)
