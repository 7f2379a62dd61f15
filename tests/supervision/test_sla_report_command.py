"""`manage.py sla_report`: the three formats carry the same figures; bad input writes nothing."""

import csv
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from tests.factories import UserFactory
from tests.supervision.conftest import AS_OF

pytestmark = pytest.mark.django_db

DAY = ["--from", "2026-03-02", "--to", "2026-03-02"]


@pytest.fixture(autouse=True)
def _english_and_as_of(settings):
    settings.LANGUAGE_CODE = "en"
    with time_machine.travel(AS_OF, tick=False):
        yield


def run(*args) -> str:
    out = io.StringIO()
    call_command("sla_report", *args, stdout=out)
    return out.getvalue()


def test_csv_has_a_row_per_breakdown_with_the_known_figures(history, tmp_path):
    out = tmp_path / "day.csv"
    run(*DAY, "--format", "csv", "--out", str(out))
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    header, total = rows[0], rows[1]
    assert header[:3] == ["Breakdown", "Name", "Appeals"]
    named = dict(zip(header, total, strict=True))
    assert named["Appeals"] == "6"
    assert named["First response within SLA, %"] == "75.0"
    assert named["Median first response, min"] == "20.0"  # 1200 s
    assert named["Median resolution, h"] == "1.0"
    assert named["CSAT response rate, %"] == "66.7"
    assert named["Repeat contacts within 7 days"] == "4"
    breakdowns = [row[0] for row in rows[2:]]
    assert breakdowns.count("Channel") == 3 and breakdowns.count("Operator") == 3
    assert breakdowns.count("Queue") == 2 and breakdowns.count("Category") == 2
    email_row = next(row for row in rows if row[1] == "E-mail")
    assert email_row[3] == ""  # nothing to judge yet: an empty cell, not a zero


def test_xlsx_has_the_table_and_two_charts(history, tmp_path):
    out = tmp_path / "day.xlsx"
    run(*DAY, "--format", "xlsx", "--out", str(out))
    workbook = load_workbook(out)
    table, by_day = workbook.worksheets
    assert table.cell(row=3, column=3).value == 6
    assert table.cell(row=3, column=4).value == 75.0
    assert by_day.cell(row=2, column=2).value == 6
    with __import__("zipfile").ZipFile(out) as archive:
        assert len([name for name in archive.namelist() if name.startswith("xl/charts/chart")]) == 2


def test_html_has_the_table_and_svg_charts(history, tmp_path):
    out = tmp_path / "day.html"
    run(*DAY, "--format", "html", "--out", str(out))
    html = out.read_text(encoding="utf-8")
    assert html.count("<svg") == 2 and "<script" not in html
    assert "<td>75.0</td>" in html and "<td>66.7</td>" in html


def test_email_goes_to_supervisors_with_the_attachment(history, supervisor, tmp_path):
    UserFactory(username="retired", role="supervisor", is_staff=True, is_active=False)
    out = tmp_path / "day.csv"
    output = run(*DAY, "--out", str(out), "--email")
    assert "sent to 1" in output
    (message,) = mail.outbox
    assert message.to == [supervisor.email]
    assert message.attachments[0][0] == "day.csv"


def test_email_to_given_addresses(history, tmp_path):
    run(*DAY, "--out", str(tmp_path / "day.csv"), "--email", "a@example.ru, b@example.ru")
    assert mail.outbox[0].to == ["a@example.ru", "b@example.ru"]


def test_default_period_is_yesterday(history, tmp_path):
    output = run("--out", str(tmp_path / "y.csv"))
    assert "from 2026-03-02 to 2026-03-02" in output and ": 6 appeals" in output


@pytest.mark.parametrize(
    "args",
    [
        ["--from", "2026-03-05", "--to", "2026-03-01"],
        ["--from", "02.03.2026"],
        [*DAY, "--email", "not-an-address"],
    ],
)
def test_bad_input_is_refused_and_writes_nothing(history, tmp_path, args):
    with pytest.raises(CommandError):
        run(*args, "--out", str(tmp_path / "r.csv"))
    assert list(tmp_path.iterdir()) == []
    assert mail.outbox == []


def test_unknown_format_is_refused(history, tmp_path):
    with pytest.raises(CommandError):
        run(*DAY, "--format", "pdf", "--out", str(tmp_path / "r.pdf"))
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_refused_and_an_existing_report_stays_whole(history, tmp_path):
    with pytest.raises(CommandError):
        run(*DAY, "--out", str(tmp_path / "missing" / "r.csv"))
    previous = tmp_path / "r.csv"
    previous.write_text("yesterday's report")
    run(*DAY, "--out", str(previous))
    assert previous.read_text(encoding="utf-8-sig").startswith("Breakdown")
    assert [path.name for path in tmp_path.iterdir()] == ["r.csv"]  # no temporary file left behind
