"""Every figure of the SLA report on the hand-made history of conftest.py."""

from datetime import date

import pytest

from chat.supervision.report import Period, ReportRow, report_section, report_total, sla_report_build
from tests.supervision.conftest import AS_OF, PERIOD

pytestmark = pytest.mark.django_db


def figures(row: ReportRow) -> dict:
    return {
        "volume": row.volume,
        "first_response_within_percent": row.first_response_within_percent,
        "resolution_within_percent": row.resolution_within_percent,
        "first_response_median": row.first_response_median,
        "first_response_p95": row.first_response_p95,
        "resolution_median": row.resolution_median,
        "escalations": row.escalations,
        "csat_average": row.csat_average,
        "csat_response_rate": row.csat_response_rate,
        "deflected": row.deflected,
        "deflection_percent": row.deflection_percent,
        "repeat_contacts": row.repeat_contacts,
    }


def by_key(rows: list[ReportRow]) -> dict:
    return {row.key: row for row in rows}


def test_total_figures_of_the_period(history):
    assert figures(report_total(period=PERIOD, as_of=AS_OF)) == {
        "volume": 6,
        "first_response_within_percent": 75.0,  # #1 #4 #6 of #1 #2 #4 #6; #3 closed before its due, #5 not due
        "resolution_within_percent": 50.0,  # #1 #3 of #1 #2 #3 #4; #5 not due, #6 paused
        "first_response_median": 1200.0,  # 60, 600, 1800, 5400
        "first_response_p95": 4860.0,  # 1800 + 0.85 × 3600
        "resolution_median": 3600.0,  # 120, 3600, 10800
        "escalations": 1,
        "csat_average": 4.5,
        "csat_response_rate": 66.7,  # #1 and #3 of the closed #1 #2 #3
        "deflected": 1,
        "deflection_percent": 50.0,
        "repeat_contacts": 4,  # #1 (the appeal before the period), #2, #4, #5
    }


def test_figures_per_channel(history):
    rows = by_key(report_section(period=PERIOD, dimension="channel", as_of=AS_OF))
    assert set(rows) == {"chat", "email", "form"}
    assert figures(rows["chat"]) == {
        "volume": 2,
        "first_response_within_percent": 100.0,
        "resolution_within_percent": 50.0,
        "first_response_median": 60.0,
        "first_response_p95": 60.0,
        "resolution_median": 120.0,
        "escalations": 0,
        "csat_average": 4.0,
        "csat_response_rate": 100.0,
        "deflected": 1,
        "deflection_percent": 50.0,
        "repeat_contacts": 1,
    }
    assert figures(rows["form"]) == {
        "volume": 3,
        "first_response_within_percent": 66.7,
        "resolution_within_percent": 50.0,
        "first_response_median": 1800.0,
        "first_response_p95": 5040.0,
        "resolution_median": 7200.0,
        "escalations": 1,
        "csat_average": 5.0,
        "csat_response_rate": 50.0,
        "deflected": 0,
        "deflection_percent": None,
        "repeat_contacts": 2,
    }
    email = figures(rows["email"])
    assert email["volume"] == 1 and email["first_response_within_percent"] is None
    assert email["first_response_median"] is None and email["csat_response_rate"] is None
    assert rows["chat"].label == "Чат" or rows["chat"].label == "Chat"


def test_figures_per_operator_with_the_unassigned_row(history):
    rows = by_key(report_section(period=PERIOD, dimension="operator", as_of=AS_OF))
    assert set(rows) == {history.olga.pk, history.oleg.pk, None}
    assert figures(rows[history.olga.pk]) == {
        "volume": 2,
        "first_response_within_percent": 50.0,
        "resolution_within_percent": 50.0,
        "first_response_median": 3600.0,
        "first_response_p95": 5220.0,
        "resolution_median": 7200.0,
        "escalations": 1,
        "csat_average": 5.0,
        "csat_response_rate": 50.0,
        "deflected": 0,
        "deflection_percent": None,
        "repeat_contacts": 2,
    }
    oleg = figures(rows[history.oleg.pk])
    assert (oleg["volume"], oleg["first_response_within_percent"], oleg["resolution_within_percent"]) == (2, 100.0, 0.0)
    assert (oleg["csat_average"], oleg["csat_response_rate"], oleg["deflection_percent"]) == (None, None, 0.0)
    unassigned = figures(rows[None])
    assert (unassigned["volume"], unassigned["first_response_within_percent"], unassigned["csat_average"]) == (
        2,
        100.0,
        4.0,
    )
    assert rows[history.olga.pk].label == history.olga.full_name()


def test_queue_and_category_split_a_transferred_appeal(history):
    queues = by_key(report_section(period=PERIOD, dimension="queue", as_of=AS_OF))
    categories = by_key(report_section(period=PERIOD, dimension="category", as_of=AS_OF))
    a, b = history.queue_a.pk, history.queue_b.pk
    assert (queues[a].volume, queues[b].volume) == (4, 2)  # #5 was moved to queue A
    assert (categories[a].volume, categories[b].volume) == (3, 3)
    assert queues[a].label == history.queue_a.title


def test_daily_trend_and_whole_report(history):
    report = sla_report_build(period=Period.of_days(date(2026, 2, 27), date(2026, 3, 2)), as_of=AS_OF)
    days = {point.day: point for point in report.trend}
    assert list(days) == [date(2026, 2, 27), date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 2)]
    assert days[date(2026, 2, 28)].volume == 0 and days[date(2026, 2, 28)].first_response_within_percent is None
    assert days[date(2026, 3, 2)].volume == 6
    assert days[date(2026, 3, 2)].first_response_within_percent == 75.0
    assert report.total.volume == 7
    assert set(report.sections) == {"channel", "category", "queue", "operator"}


def test_empty_period_gives_zero_volume_and_no_shares(history):
    total = report_total(period=Period.of_days(date(2025, 1, 1), date(2025, 1, 2)), as_of=AS_OF)
    assert total.volume == 0 and total.first_response_within_percent is None and total.first_response_median is None


def test_period_ending_before_it_starts_is_refused(history):
    with pytest.raises(ValueError):
        sla_report_build(period=Period(start=PERIOD.end, end=PERIOD.start), as_of=AS_OF)
