"""The embedded profile in one command: migrate, demo data, static files, a Celery worker
with beat, and daphne serving HTTP and WebSockets in the foreground until Ctrl-C."""

import os
import signal
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gosupport.demo import DEFAULT_APPEALS, DemoRefused, demo_load
from gosupport.management.base import LocalisedCommand
from gosupport.management.centre import (
    Centre,
    Child,
    broker_folders_create,
    port_is_free,
    sqlite_folder_create,
    web_command,
    worker_command,
)
from gosupport.management.commands.seed_demo import credentials_text, history_summary


class Command(LocalisedCommand):
    help = gettext_lazy("Start the whole centre on one machine: web, WebSockets, worker and beat, with demo data.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST") or "127.0.0.1")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
        parser.add_argument(
            "--appeals", type=int, default=DEFAULT_APPEALS, help=gettext_lazy("Appeals in the demo month.")
        )

    def handle(self, *args, host: str, port: int, appeals: int, **options):
        if settings.PRODUCTION:
            raise CommandError(
                _("run_centre is the embedded profile. In production run daphne, Celery workers and one beat (README).")
            )
        if not port_is_free(host, port):
            raise CommandError(
                _("%(host)s:%(port)s is already in use; choose another --port.") % {"host": host, "port": port}
            )
        self._prepare(appeals)
        centre = Centre(children=[Child("worker", worker_command()), Child("web", web_command(host, port))])
        previous = centre.handle_signals()
        try:
            centre.start()
            self.stdout.write(self._banner(host, port, centre))
            died = centre.wait()
        finally:
            centre.stop()
            for number, handler in previous.items():
                signal.signal(number, handler)
        if died is not None:
            raise CommandError(_("The %(name)s process stopped; the centre is shut down.") % {"name": died.name})
        self.stdout.write(_("The centre is stopped."))

    def _prepare(self, appeals: int) -> None:
        sqlite_folder_create()
        broker_folders_create()
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write(_("Loading the demo data (the first time this replays a month and takes a minute)..."))
        try:
            self.demo = demo_load(appeals=appeals)
        except DemoRefused as error:
            raise CommandError(str(error)) from None
        self.stdout.write(history_summary(self.demo))
        if not settings.DEBUG or not Path(settings.STATIC_ROOT).exists():
            call_command("collectstatic", interactive=False, verbosity=0)

    def _banner(self, host: str, port: int, centre: Centre) -> str:
        shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        base = f"http://{shown_host}:{port}"
        pids = ", ".join(f"{child.name} {child.process.pid}" for child in centre.children)
        lines = [
            "",
            self.style.SUCCESS(_("gosupport is running at %(url)s/") % {"url": base}),
            _("  citizens' help: %(url)s/help/") % {"url": base},
            _("  operator workspace: %(url)s/workspace/") % {"url": base},
            _("  API documentation: %(url)s/api/docs/") % {"url": base},
            credentials_text(self.demo, base_url=base),
            _("Processes: %(pids)s. Press Ctrl-C to stop.") % {"pids": pids},
            "",
        ]
        return "\n".join(lines)
