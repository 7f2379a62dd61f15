from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = _("Appointments")

    def ready(self):
        from appointments.privacy import provider
        from gosupport.privacy import privacy_provider_register

        privacy_provider_register(provider)
