"""Input of the supervisor's pages."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from gosupport.models import Presence

QUALITY_DEFAULT_DAYS = 30
QUALITY_MAX_DAYS = 366


class PresenceForm(forms.Form):
    presence = forms.ChoiceField(label=_("presence"), choices=Presence.choices)


class PeriodForm(forms.Form):
    first = forms.DateField(label=_("from"), required=False)
    last = forms.DateField(label=_("to"), required=False)
    score = forms.TypedChoiceField(
        label=_("score"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("any"))] + [(n, str(n)) for n in range(1, 6)],
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        data["last"] = data.get("last") or today
        data["first"] = data.get("first") or data["last"] - timedelta(days=QUALITY_DEFAULT_DAYS - 1)
        if data["last"] < data["first"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        if (data["last"] - data["first"]).days >= QUALITY_MAX_DAYS:
            raise forms.ValidationError(_("Choose a period of at most a year; the SLA report covers longer ones."))
        return data
