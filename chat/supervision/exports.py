"""Writing the SLA report as CSV, XLSX (with native charts) or HTML (with SVG charts),
and sending it to the supervisors.

A file appears whole or not at all: it is written beside its destination and renamed."""

import csv
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from chat.supervision import charts
from chat.supervision.report import ReportRow, SlaReport
from gosupport.models import Role, User

FORMATS = ("csv", "xlsx", "html")
CONTENT_TYPES = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "html": "text/html",
}
DIMENSION_TITLES = {
    "total": gettext_lazy("Total"),
    "channel": gettext_lazy("Channel"),
    "category": gettext_lazy("Category"),
    "queue": gettext_lazy("Queue"),
    "operator": gettext_lazy("Operator"),
}


def _minutes(seconds: float | None) -> float | None:
    return round(seconds / 60, 1) if seconds is not None else None


def _hours(seconds: float | None) -> float | None:
    return round(seconds / 3600, 2) if seconds is not None else None


COLUMNS: list[tuple[object, Callable[[ReportRow], object]]] = [
    (gettext_lazy("Appeals"), lambda r: r.volume),
    (gettext_lazy("First response within SLA, %"), lambda r: r.first_response_within_percent),
    (gettext_lazy("Resolution within SLA, %"), lambda r: r.resolution_within_percent),
    (gettext_lazy("Median first response, min"), lambda r: _minutes(r.first_response_median)),
    (gettext_lazy("p95 first response, min"), lambda r: _minutes(r.first_response_p95)),
    (gettext_lazy("Median resolution, h"), lambda r: _hours(r.resolution_median)),
    (gettext_lazy("Escalated"), lambda r: r.escalations),
    (gettext_lazy("CSAT, average of 5"), lambda r: r.csat_average),
    (gettext_lazy("CSAT response rate, %"), lambda r: r.csat_response_rate),
    (gettext_lazy("Chats closed by the bot"), lambda r: r.deflected),
    (gettext_lazy("Bot deflection, %"), lambda r: r.deflection_percent),
    (gettext_lazy("Repeat contacts within 7 days"), lambda r: r.repeat_contacts),
]


def header() -> list[str]:
    return [_("Breakdown"), pgettext("sla report column", "Name"), *(str(title) for title, _getter in COLUMNS)]


def report_lines(report: SlaReport) -> Iterator[list]:
    """The table, breakdown by breakdown, one list per row."""
    yield [str(DIMENSION_TITLES["total"]), str(report.total.label), *(get(report.total) for _t, get in COLUMNS)]
    for dimension, rows in report.sections.items():
        for row in rows:
            yield [str(DIMENSION_TITLES[dimension]), str(row.label), *(get(row) for _t, get in COLUMNS)]


@contextmanager
def _replaced_atomically(out: Path):
    directory = out.resolve().parent
    if not directory.is_dir():
        raise FileNotFoundError(_("The folder %(folder)s does not exist.") % {"folder": directory})
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{out.name}.", suffix=".part")
    os.close(handle)
    os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes it private; the report is as shareable as any new file
    try:
        yield Path(temporary)
        os.replace(temporary, out)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _write_csv(report: SlaReport, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as stream:
        writer = csv.writer(stream)
        writer.writerow(header())
        writer.writerows(report_lines(report))


def _write_xlsx(report: SlaReport, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, LineChart, Reference

    workbook = Workbook(write_only=True)
    table = workbook.create_sheet(_("SLA report")[:31])
    table.append([_period_title(report)])
    table.append(header())
    for line in report_lines(report):
        table.append(line)
    trend = workbook.create_sheet(_("By day")[:31])
    trend.append([_("Day"), _("Appeals"), str(COLUMNS[1][0]), str(COLUMNS[2][0])])
    for point in report.trend:
        trend.append([point.day, point.volume, point.first_response_within_percent, point.resolution_within_percent])
    days = len(report.trend)
    if days:
        volume = BarChart()
        volume.title = _("Appeals per day")
        volume.add_data(Reference(trend, min_col=2, min_row=1, max_row=days + 1), titles_from_data=True)
        volume.set_categories(Reference(trend, min_col=1, min_row=2, max_row=days + 1))
        shares = LineChart()
        shares.title = _("SLA compliance per day, %")
        shares.add_data(Reference(trend, min_col=3, max_col=4, min_row=1, max_row=days + 1), titles_from_data=True)
        shares.set_categories(Reference(trend, min_col=1, min_row=2, max_row=days + 1))
        trend.add_chart(volume, "F2")
        trend.add_chart(shares, "F20")
    workbook.save(path)


def _period_title(report: SlaReport) -> str:
    last_day = timezone.localtime(report.period.end - timedelta(microseconds=1)).date()
    return _("SLA report from %(start)s to %(end)s") % {
        "start": formats.date_format(timezone.localtime(report.period.start).date(), "SHORT_DATE_FORMAT"),
        "end": formats.date_format(last_day, "SHORT_DATE_FORMAT"),
    }


def trend_charts(report: SlaReport) -> dict:
    labels = [point.day.strftime("%d.%m") for point in report.trend]
    return {
        "volume": charts.bar_chart(
            title=_("Appeals per day"), labels=labels, values=[point.volume for point in report.trend]
        ),
        "sla": charts.line_chart(
            title=_("SLA compliance per day, %"),
            labels=labels,
            top=100,
            series=[
                charts.Series(str(COLUMNS[1][0]), [p.first_response_within_percent for p in report.trend]),
                charts.Series(str(COLUMNS[2][0]), [p.resolution_within_percent for p in report.trend]),
            ],
        ),
    }


def _write_html(report: SlaReport, path: Path) -> None:
    html = render_to_string(
        "supervision/report.html",
        {
            "title": _period_title(report),
            "header": header(),
            "lines": report_lines(report),
            "charts": trend_charts(report),
            "as_of": report.as_of,
        },
    )
    path.write_text(html, encoding="utf-8")


WRITERS = {"csv": _write_csv, "xlsx": _write_xlsx, "html": _write_html}


def sla_report_write(*, report: SlaReport, fmt: str, out: Path) -> Path:
    """Write the report to `out` in one of FORMATS; an existing file is replaced whole."""
    if fmt not in WRITERS:
        raise ValueError(_("Unknown format %(format)s.") % {"format": fmt})
    with _replaced_atomically(out) as temporary:
        WRITERS[fmt](report, temporary)
    return out


def report_recipients() -> list[str]:
    return list(
        User.objects.filter(role=Role.SUPERVISOR, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )


def sla_report_email(*, report: SlaReport, path: Path, fmt: str, recipients: list[str] | None = None) -> int:
    """Send the written report as an attachment; returns how many addresses it went to."""
    recipients = recipients if recipients is not None else report_recipients()
    if not recipients:
        return 0
    message = EmailMessage(
        subject=_period_title(report),
        body=_("The SLA report is attached."),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
    )
    message.attach(path.name, path.read_bytes(), CONTENT_TYPES[fmt])
    message.send()
    return len(recipients)
