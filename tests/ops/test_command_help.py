"""What an administrator reads in `manage.py help …` comes from the catalogue at the
moment it is shown, not frozen in whatever language was active at import."""

import pytest
from django.core.management import load_command_class
from django.utils import translation

COMMANDS = [
    ("knowledgebase", "import_kb"),
    ("gosupport", "purge_expired"),
    ("gosupport", "rotate_pd_key"),
    ("gosupport", "add_operator"),
    ("gosupport", "seed_demo"),
    ("tickets", "ingest_mail"),
    ("chat", "sla_report"),
]


@pytest.mark.parametrize("app, name", COMMANDS)
def test_command_help_is_translated_when_shown(monkeypatch, app, name):
    command = load_command_class(app, name)  # imported under the real catalogue first
    monkeypatch.setattr(translation._trans, "gettext", lambda message: f"«{message}»", raising=False)

    parser = command.create_parser("manage.py", name)

    assert parser.description.startswith("«")
    helps = [str(action.help) for action in parser._actions if action.help and _ours(action)]
    assert all(text.startswith("«") for text in helps), helps


def _ours(action) -> bool:
    """Arguments the command adds, not Django's --verbosity, --settings and the like."""
    return action.dest != "help" and not any(option in DJANGO_OPTIONS for option in action.option_strings)


DJANGO_OPTIONS = {
    "--version", "-v", "--verbosity", "--settings", "--pythonpath", "--traceback",
    "--no-color", "--force-color", "--skip-checks",
}  # fmt: skip


@pytest.mark.parametrize("app, name", [*COMMANDS, ("gosupport", "run_centre"), ("appointments", "import_centres")])
def test_command_help_can_be_printed(app, name):
    """argparse formats the description as plain text: a lazy translation must not break --help."""
    parser = load_command_class(app, name).create_parser("manage.py", name)
    assert parser.format_help().strip()
