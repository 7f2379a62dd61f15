"""`manage.py ingest_mail [FILE]`: one RFC 822 message from a file or standard input.

A mail server can pipe mail straight in (e.g. a Postfix alias `|manage.py ingest_mail`).
The exit status is 0 whenever the mail was taken (an appeal, a reply, an ignored
auto-reply, or kept in quarantine for a supervisor), so the server never bounces it."""

import sys

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gosupport.management.base import LocalisedCommand
from tickets.channels.mail import mail_ingest


class Command(LocalisedCommand):
    help = gettext_lazy("Ingest one e-mail (RFC 822) from FILE or standard input as an appeal on the e-mail channel.")

    def add_arguments(self, parser):
        parser.add_argument(
            "file", nargs="?", help=gettext_lazy("Path of the message; standard input when omitted or '-'.")
        )

    def handle(self, *args, file=None, **options):
        raw = self._read(file)
        result = mail_ingest(raw=raw, source="file" if file and file != "-" else "stdin")
        number = result.ticket.number if result.ticket else "-"
        self.stdout.write(f"{result.outcome} {number}{' ' + result.reason if result.reason else ''}")

    def _read(self, file: str | None) -> bytes:
        if not file or file == "-":
            return sys.stdin.buffer.read()
        try:
            with open(file, "rb") as handle:
                return handle.read()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
            ) from error
