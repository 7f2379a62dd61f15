"""Forms of the operator workspace and of the supervisor's admin actions.

They only parse input; every change is made by a service in tickets.services or tickets.routing.
"""

from datetime import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Least
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from gosupport.models import Category, Line, Role, User
from tickets.models import OPEN_STATUSES, Channel, Status, Ticket
from tickets.selectors import tickets_visible_to
from tickets.services import TRANSITIONS


class SlaState:
    BREACHED = "breached"
    AT_RISK = "at_risk"
    ON_TIME = "on_time"


def _pending_first_response() -> Q:
    return Q(first_responded_at__isnull=True, first_response_due__isnull=False)


def _breached(now: datetime) -> Q:
    """Flagged by the sweep, or past a deadline the sweep has not looked at yet."""
    return (
        Q(first_response_breached=True)
        | Q(resolution_breached=True)
        | (_pending_first_response() & Q(first_response_due__lt=now))
        | Q(sla_paused_at__isnull=True, resolution_due__lt=now)
    )


def _at_risk(now: datetime) -> Q:
    """Warned by the sweep, or less than (100 - warn_at_percent)% of the span is left."""
    return Q(sla_warned=True) | Q(sla_paused_at__isnull=True, time_left__lte=F("warning_allowance"))


def open_queue(user: User, *, now: datetime) -> QuerySet[Ticket]:
    """Open appeals the user may see, each with its nearest deadline and SLA state."""
    nearest_due = Case(
        When(
            _pending_first_response() & Q(resolution_due__isnull=False),
            then=Least("first_response_due", "resolution_due"),
        ),
        When(_pending_first_response(), then=F("first_response_due")),
        default=F("resolution_due"),
        output_field=DateTimeField(),
    )
    return (
        tickets_visible_to(user)
        .filter(status__in=OPEN_STATUSES)
        .select_related("citizen")
        .annotate(nearest_due=nearest_due)
        .annotate(
            time_left=ExpressionWrapper(F("nearest_due") - Value(now, DateTimeField()), DurationField()),
            warning_allowance=ExpressionWrapper(
                (F("nearest_due") - F("created_at")) * (100 - F("sla_policy__warn_at_percent")) / 100,
                DurationField(),
            ),
        )
        .annotate(
            sla_state=Case(
                When(_breached(now), then=Value(SlaState.BREACHED)),
                When(_at_risk(now), then=Value(SlaState.AT_RISK)),
                default=Value(SlaState.ON_TIME),
                output_field=CharField(),
            )
        )
        .order_by(F("nearest_due").asc(nulls_last=True), "created_at", "pk")
    )


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return obj.localized_title(get_language())


class QueueFilterForm(forms.Form):
    VIEW_MINE = "mine"
    VIEW_UNASSIGNED = "unassigned"
    VIEW_ALL = "all"
    VIEWS = (
        (VIEW_MINE, _("Assigned to me")),
        (VIEW_UNASSIGNED, _("Unassigned in my queues")),
        (VIEW_ALL, _("All open")),
    )

    view = forms.ChoiceField(label=_("Show"), choices=VIEWS, required=False, initial=VIEW_ALL)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status"))] + [(s.value, s.label) for s in OPEN_STATUSES]
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("Any channel")), *Channel.choices])
    category = CategoryChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.all(), empty_label=_("Any category")
    )
    sla = forms.ChoiceField(
        label=_("SLA"),
        required=False,
        choices=[("", _("Any SLA state")), (SlaState.AT_RISK, _("At risk")), (SlaState.BREACHED, _("Breached"))],
    )
    q = forms.CharField(label=_("Number or text"), required=False, max_length=100)

    def filter(self, tickets: QuerySet[Ticket], *, user: User) -> QuerySet[Ticket]:
        data = self.cleaned_data
        view = data.get("view") or self.VIEW_ALL
        if view == self.VIEW_MINE:
            tickets = tickets.filter(assignee=user)
        elif view == self.VIEW_UNASSIGNED:
            tickets = tickets.filter(assignee__isnull=True)
        for field, lookup in (
            ("status", "status"),
            ("channel", "channel"),
            ("category", "category"),
            ("sla", "sla_state"),
        ):
            if data.get(field):
                tickets = tickets.filter(**{lookup: data[field]})
        if query := data.get("q", "").strip():
            tickets = tickets.filter(
                Q(number__icontains=query) | Q(subject__icontains=query) | Q(text__icontains=query)
            )
        return tickets


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: per field where the form has it."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, field_errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_errors)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field; checking their content is the service's job."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)] if data else []


class MessageForm(forms.Form):
    text = forms.CharField(label=_("Text"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 4}))
    files = MultipleFileField(label=_("Files (PDF, JPG, PNG)"), required=False)


class AttachForm(forms.Form):
    files = MultipleFileField(label=_("Files (PDF, JPG, PNG)"))
    text = forms.CharField(label=_("Comment to the citizen"), required=False, max_length=2000)


class StatusForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"))
    comment = forms.CharField(
        label=_("Comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    resolution = forms.CharField(
        label=_("Result"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )
    rejection_reasons = forms.CharField(
        label=_("Reasons for rejection"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    regulation_references = forms.CharField(
        label=_("Regulation references"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    appeal_instructions = forms.CharField(
        label=_("How to appeal"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )

    result_files = MultipleFileField(label=_("Result documents (only when completing)"), required=False)

    def __init__(self, *args, from_status: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        targets = TRANSITIONS.get(from_status, set()) if from_status else set(Status.values)
        self.fields["to_status"].choices = [(s.value, s.label) for s in Status if s.value in targets]

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class BulkStatusForm(StatusForm):
    """The admin action's intermediate page: the same fields, no result documents per appeal."""

    result_files = None


class TransferForm(forms.Form):
    queue = CategoryChoiceField(label=_("Queue"), queryset=Category.objects.filter(is_active=True))
    line = forms.TypedChoiceField(label=_("Line"), choices=Line.choices, coerce=int)
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


class AssignForm(forms.Form):
    """The intermediate page of the admin action "assign to an operator"."""

    operator = forms.ModelChoiceField(
        label=_("Operator"),
        queryset=User.objects.filter(role=Role.OPERATOR, is_active=True).order_by("last_name", "username"),
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)
