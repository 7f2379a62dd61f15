"""Idempotent demo data for the embedded profile; refused in production."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gosupport.demo import DEFAULT_APPEALS, DEFAULT_DAYS, DEFAULT_SEED, DemoRefused, DemoResult, demo_load
from gosupport.demo.people import CITIZEN_PASSWORD, OPERATOR_PASSWORD, SUPERVISOR_PASSWORD
from gosupport.management.base import LocalisedCommand


class Command(LocalisedCommand):
    help = gettext_lazy("Load the demo categories, people and a month of appeals (never in production).")

    def add_arguments(self, parser):
        parser.add_argument("--appeals", type=int, default=DEFAULT_APPEALS, help=gettext_lazy("Appeals in the month."))
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help=gettext_lazy("Days of history."))
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=gettext_lazy("Random seed of the month."))

    def handle(self, *args, **options):
        if options["appeals"] < 0 or options["days"] < 1:
            raise CommandError(_("--appeals must be 0 or more and --days at least 1."))
        try:
            result = demo_load(appeals=options["appeals"], days=options["days"], seed=options["seed"])
        except (DemoRefused, ValidationError) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from None
        self.stdout.write(self.style.SUCCESS(history_summary(result)))
        for refusal in result.report.refused[:10] if result.report else []:
            self.stderr.write(refusal)
        self.stdout.write(credentials_text(result))


def history_summary(result: DemoResult) -> str:
    if not result.replayed:
        return _("Demo categories and people refreshed; the demo history was already there.")
    report = result.report
    text = _("Demo month replayed: %(appeals)s appeals, %(steps)s steps, %(sweeps)s SLA sweeps.") % {
        "appeals": report.appeals,
        "steps": report.steps,
        "sweeps": report.sweeps,
    }
    if report.refused:
        text += " " + _("%(n)s steps were refused by the domain and left out.") % {"n": len(report.refused)}
    return text


def _path(name: str, fallback: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback


def credentials_text(result: DemoResult, base_url: str = "") -> str:
    """Who can sign in to the demo, and with what. Demo passwords only exist outside production."""
    people = result.people
    citizen = people.citizens[0]
    codes = people.recovery_codes
    lines = [
        _("Sign in at %(url)s") % {"url": base_url + _path("login", "/accounts/login/")},
        _("  supervisor: %(user)s / %(password)s, admin at %(admin)s; second-factor codes: %(codes)s")
        % {
            "user": people.supervisor.username,
            "password": SUPERVISOR_PASSWORD,
            "admin": base_url + _path("admin:index", "/admin/"),
            "codes": " ".join(codes[people.supervisor.username]),
        },
    ]
    for operator in people.operators:
        lines.append(
            _("  operator (line %(line)s): %(user)s / %(password)s; second-factor codes: %(codes)s")
            % {
                "line": operator.operator_profile.line,
                "user": operator.username,
                "password": OPERATOR_PASSWORD,
                "codes": " ".join(codes[operator.username]),
            }
        )
    lines.append(
        _("  citizen: %(email)s or %(phone)s / %(password)s")
        % {"email": citizen.email, "phone": citizen.phone, "password": CITIZEN_PASSWORD}
    )
    return "\n".join(lines)
