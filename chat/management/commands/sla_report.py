"""The SLA report for cron: per channel, category, queue and operator.

    python manage.py sla_report --from 2026-03-01 --to 2026-03-31 --format xlsx --out /srv/reports/march.xlsx --email

Without --from/--to it covers yesterday. --email alone sends it to every active
supervisor with an address; --email a@x.ru,b@x.ru to those addresses."""

from datetime import date, timedelta
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chat.supervision.exports import FORMATS, sla_report_email, sla_report_write
from chat.supervision.report import Period, sla_report_build
from gosupport.management.base import LocalisedCommand

SUPERVISORS = "supervisors"


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("Not a date (YYYY-MM-DD): %(value)s") % {"value": repr(value)}) from None


def _addresses(value: str | None) -> list[str] | None:
    if value in (None, SUPERVISORS):
        return None
    addresses = [address.strip() for address in value.split(",") if address.strip()]
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            raise CommandError(_("Not an e-mail address: %(value)s") % {"value": repr(address)}) from None
    return addresses


class Command(LocalisedCommand):
    help = gettext_lazy("Write the SLA report for a period as CSV, XLSX or HTML, and optionally e-mail it.")

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="first", help=gettext_lazy("first day, YYYY-MM-DD (default: yesterday)"))
        parser.add_argument("--to", dest="last", help=gettext_lazy("last day, inclusive, YYYY-MM-DD (default: --from)"))
        parser.add_argument(
            "--format", dest="fmt", choices=FORMATS, default="csv", help=gettext_lazy("file format (default: csv)")
        )
        parser.add_argument("--out", required=True, help=gettext_lazy("the file to write (replaced whole)"))
        parser.add_argument(
            "--email",
            nargs="?",
            const=SUPERVISORS,
            help=gettext_lazy("send it: to the supervisors, or to these comma-separated addresses"),
        )

    def handle(self, *args, first, last, fmt, out, email, **options):
        first_day = _day(first) if first else timezone.localdate() - timedelta(days=1)
        last_day = _day(last) if last else first_day
        if last_day < first_day:
            raise CommandError(_("--to is before --from."))
        recipients = _addresses(email)
        report = sla_report_build(period=Period.of_days(first_day, last_day))
        try:
            path = sla_report_write(report=report, fmt=fmt, out=Path(out))
        except (FileNotFoundError, PermissionError, IsADirectoryError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{path}: {report.total.volume} appeals from {first_day} to {last_day}")
        if email is not None:
            sent = sla_report_email(report=report, path=path, fmt=fmt, recipients=recipients)
            self.stdout.write(f"sent to {sent} address(es)")
