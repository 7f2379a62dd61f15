from django.core.management.base import BaseCommand


class LocalisedCommand(BaseCommand):
    """A command whose `help` is a lazy translation: argparse needs it as plain text,
    in the language active when the help is shown."""

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)
