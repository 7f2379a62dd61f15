"""Quality: CSAT and response rate per operator, queue and category, and the rated conversations."""

from django.db.models import QuerySet

from chat.supervision.report import Period, ReportRow, report_total_and_sections
from tickets.models import Rating

QUALITY_DIMENSIONS = ("operator", "queue", "category")


def quality_sections(*, period: Period) -> dict[str, list[ReportRow]]:
    """Appeals created in the period, the ones with a rating first."""
    _total, sections = report_total_and_sections(period=period, dimensions=QUALITY_DIMENSIONS)
    return {
        dimension: sorted(rows, key=lambda row: (row.csat_average is None, -row.rated, row.label))
        for dimension, rows in sections.items()
    }


def rated_conversations(*, period: Period, score: int | None = None) -> QuerySet[Rating]:
    """Ratings given in the period, newest first, with what a list needs to show them."""
    ratings = Rating.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
    if score is not None:
        ratings = ratings.filter(score=score)
    return ratings.select_related("ticket__queue", "operator").order_by("-created_at", "-pk")
