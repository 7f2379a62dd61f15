"""Re-encrypt every stored personal value with the first key of PD_ENCRYPTION_KEYS."""

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gosupport.management.base import LocalisedCommand
from gosupport.privacy import encrypted_values_rotate


class Command(LocalisedCommand):
    help = gettext_lazy(
        "Re-encrypt INN, SNILS, passport numbers (every encrypted column) with the first key of "
        "PD_ENCRYPTION_KEYS. Idempotent and batched: values already on that key are left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500, help=gettext_lazy("Rows per transaction."))

    def handle(self, *args, batch_size: int, **options):
        if batch_size < 1:
            raise CommandError(_("--batch-size must be a positive number."))
        rotated = encrypted_values_rotate(batch_size=batch_size)
        self.stdout.write(_("Re-encrypted %(count)s values.") % {"count": rotated})
