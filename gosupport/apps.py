from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GosupportConfig(AppConfig):
    name = "gosupport"
    verbose_name = _("Contact centre")

    def ready(self):
        import gosupport.categories  # noqa: F401  (connects the cache's receivers)
        from gosupport import portal_applications
        from gosupport.privacy import privacy_provider_register, privacy_signals_connect

        privacy_signals_connect()
        privacy_provider_register(portal_applications.privacy_provider())
