"""Query-string filters of the appeal list: parsed like any input, then applied to a
queryset that is already scoped to what the caller may see."""

import re
from datetime import datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from tickets.models import Channel, Status, Ticket

NUMBER_PATTERN = re.compile(r"^\s*(\d{4})-?(\d{4})\s*$")


@extend_schema_field({"type": "string", "example": "2026-11-21"})
class DayOrMomentField(serializers.Field):
    """A date (YYYY-MM-DD, the whole day in the centre's time zone) or an ISO 8601 moment."""

    default_error_messages = {"invalid": _("Give a date (YYYY-MM-DD) or a date and time (ISO 8601).")}

    def to_internal_value(self, value):
        text = str(value).strip()
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            self.fail("invalid")
        if len(text) == 10:
            return parsed.date()
        return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)

    def to_representation(self, value):
        return value.isoformat()


class TicketFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    category = serializers.SlugField(required=False, help_text=_("A category slug; its subcategories are included."))
    created_after = DayOrMomentField(required=False, help_text=_("Created at or after (a date or a moment)."))
    created_before = DayOrMomentField(required=False, help_text=_("Created before (a date counts as a whole day)."))
    q = serializers.CharField(
        required=False, max_length=200, help_text=_("An appeal number (1234-5678) or words of its text.")
    )


def tickets_filter(tickets: QuerySet[Ticket], params) -> QuerySet[Ticket]:
    """Apply the list filters; raises ValidationError for a malformed parameter."""
    form = TicketFilterSerializer(data=params)
    form.is_valid(raise_exception=True)
    wanted = form.validated_data
    if "status" in wanted:
        tickets = tickets.filter(status=wanted["status"])
    if "channel" in wanted:
        tickets = tickets.filter(channel=wanted["channel"])
    if "category" in wanted:
        slug = wanted["category"]
        tickets = tickets.filter(Q(category__slug=slug) | Q(category__parent__slug=slug))
    if "created_after" in wanted:
        tickets = tickets.filter(created_at__gte=_start_of(wanted["created_after"]))
    if "created_before" in wanted:
        tickets = tickets.filter(created_at__lt=_end_of(wanted["created_before"]))
    if wanted.get("q", "").strip():
        tickets = tickets.filter(_matching(wanted["q"]))
    return tickets


def _start_of(value) -> datetime:
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value, time.min))


def _end_of(value) -> datetime:
    if isinstance(value, datetime):
        return value
    return timezone.make_aware(datetime.combine(value + timedelta(days=1), time.min))


def _matching(query: str) -> Q:
    number = NUMBER_PATTERN.match(query)
    if number:
        return Q(number=f"{number[1]}-{number[2]}")
    words = query.strip()
    return Q(text__icontains=words) | Q(subject__icontains=words) | Q(number__contains=words)
