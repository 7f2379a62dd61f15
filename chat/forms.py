"""Forms of the call-back pages: the citizen's booking and the operator's outcome."""

from datetime import datetime
from itertools import groupby

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from chat.models import CallbackStatus


def slot_choices(slots: list[datetime]) -> list:
    """Slots grouped by day (an <optgroup> each), the value an ISO time with its offset."""
    local = [timezone.localtime(slot) for slot in slots]
    return [
        (date_format(day, "l, j E"), [(slot.isoformat(), slot.strftime("%H:%M")) for slot in day_slots])
        for day, day_slots in ((day, list(group)) for day, group in groupby(local, key=lambda s: s.date()))
    ]


class CallbackForm(forms.Form):
    scheduled_at = forms.ChoiceField(
        label=_("When shall we call you?"),
        help_text=_("Times within operator hours of the next working days (Moscow time)."),
        error_messages={
            "invalid_choice": _("Choose one of the offered times."),
            "required": _("Choose a time."),
        },
    )
    phone = forms.CharField(
        label=_("Phone number to call"),
        max_length=32,
        help_text=_("A Russian number: +7 and ten digits."),
        error_messages={"required": _("Give a phone number we can call.")},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )

    def __init__(self, *args, slots: list[datetime], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheduled_at"].choices = slot_choices(slots)

    def clean_scheduled_at(self) -> datetime:
        return datetime.fromisoformat(self.cleaned_data["scheduled_at"])


class CallbackOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(CallbackStatus.DONE, _("Called — done")), (CallbackStatus.MISSED, _("No answer"))],
    )
    comment = forms.CharField(label=_("Comment for colleagues"), required=False, max_length=1000)
