"""`python manage.py import_kb FILE.json`: load FAQ sections and articles, idempotently."""

import json

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gosupport.management.base import LocalisedCommand
from knowledgebase.services import kb_import


class Command(LocalisedCommand):
    help = gettext_lazy(
        "Import FAQ sections and articles from a JSON file (see API.md); running it twice changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=gettext_lazy("Path to the JSON file."))

    def handle(self, *args, file: str, **options):
        try:
            with open(file, encoding="utf-8") as source:
                data = json.load(source)
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc.strerror}) from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(_("%(file)s is not valid JSON: %(error)s") % {"file": file, "error": exc}) from exc
        try:
            report = kb_import(data=data)
        except ValidationError as exc:
            problems = "\n".join(f"  - {message}" for message in exc.messages)
            raise CommandError(
                _("Nothing was imported. Problems in %(file)s:\n%(problems)s") % {"file": file, "problems": problems}
            ) from exc
        self.stdout.write(
            _("Sections: %(sc)d created, %(su)d updated. Articles: %(ac)d created, %(au)d updated, %(an)d unchanged.")
            % {
                "sc": report.sections_created,
                "su": report.sections_updated,
                "ac": report.articles_created,
                "au": report.articles_updated,
                "an": report.articles_unchanged,
            }
        )
