"""The retention job: delete personal data past PD_RETENTION_DAYS (also run daily by Celery beat)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gosupport.management.base import LocalisedCommand
from gosupport.privacy import personal_data_purge_expired


class Command(LocalisedCommand):
    help = gettext_lazy(
        "Delete closed appeals and other personal records older than the retention term (PD_RETENTION_DAYS)."
    )

    def handle(self, *args, **options):
        for section, count in personal_data_purge_expired().items():
            self.stdout.write(_("%(section)s: %(count)s purged") % {"section": section, "count": count})
