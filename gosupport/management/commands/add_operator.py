"""Bootstrap staff without the admin: `add_operator USERNAME --password ... [--categories a,b]
[--line 2] [--supervisor]`. Running it again updates the account."""

from django.core.exceptions import ValidationError
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from gosupport.management.base import LocalisedCommand
from gosupport.staff import staff_member_upsert


def _slugs(value: str) -> list[str]:
    return [slug.strip() for slug in value.split(",") if slug.strip()]


class Command(LocalisedCommand):
    help = gettext_lazy("Create or update an operator or a supervisor who can sign in with USERNAME.")

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--password", required=True)
        parser.add_argument(
            "--categories",
            type=_slugs,
            default=[],
            help=gettext_lazy("Queue slugs, comma separated; none means every queue."),
        )
        parser.add_argument("--line", type=int, default=1, choices=[1, 2])
        parser.add_argument(
            "--supervisor", action="store_true", help=gettext_lazy("A supervisor: admin access and every right.")
        )
        parser.add_argument(
            "--senior", action="store_true", help=gettext_lazy("A senior operator (takes escalations).")
        )
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args, **options):
        try:
            user = staff_member_upsert(
                username=options["username"],
                password=options["password"],
                category_slugs=options["categories"],
                line=options["line"],
                supervisor=options["supervisor"],
                senior=options["senior"],
                first_name=options["first_name"],
                last_name=options["last_name"],
                email=options["email"],
            )
        except ValidationError as exc:
            raise CommandError(_error_text(exc)) from None
        profile = user.operator_profile
        queues = ", ".join(profile.skills.values_list("slug", flat=True)) or _("every queue")
        summary = _("%(username)s: %(role)s, line %(line)s, queues: %(queues)s.") % {
            "username": user.username,
            "role": user.get_role_display(),
            "line": profile.line,
            "queues": queues,
        }
        self.stdout.write(self.style.SUCCESS(summary))


def _error_text(error: ValidationError) -> str:
    return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
