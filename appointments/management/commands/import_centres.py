"""`import_centres FILE.json`: load services and centres in the documented format (API.md).
Idempotent: centres and services are matched by slug; a bad file changes nothing."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appointments.importing import centres_import
from gosupport.management.base import LocalisedCommand


class Command(LocalisedCommand):
    help = gettext_lazy("Create or update service centres and services from a JSON file.")

    def add_arguments(self, parser):
        parser.add_argument("file", help=gettext_lazy("Path to the JSON file."))

    def handle(self, *args, **options):
        try:
            with open(options["file"], encoding="utf-8") as source:
                data = json.load(source)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": options["file"], "error": error}
            ) from error
        try:
            report = centres_import(data=data)
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from error
        labels = {"created": _("Created"), "updated": _("Updated"), "unchanged": _("Unchanged")}
        for outcome, label in labels.items():
            counts = getattr(report, outcome)
            self.stdout.write(
                _("%(outcome)s: %(services)d services, %(centres)d centres")
                % {"outcome": label, "services": counts["services"], "centres": counts["centres"]}
            )
