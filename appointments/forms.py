"""Forms of the appointment pages: they parse input, the services decide."""

from datetime import datetime

from django import forms
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from .models import Service

RADIUS_CHOICES = [
    ("", _("Any distance")),
    ("1", _("1 km")),
    ("3", _("3 km")),
    ("5", _("5 km")),
    ("10", _("10 km")),
    ("25", _("25 km")),
    ("50", _("50 km")),
]


class FinderForm(forms.Form):
    service = forms.ModelChoiceField(
        label=_("Service"),
        queryset=Service.objects.filter(is_active=True),
        to_field_name="slug",
        required=False,
        empty_label=_("Any service"),
    )
    city = forms.CharField(label=_("City"), max_length=100, required=False)
    q = forms.CharField(
        label=_("Address or name"),
        max_length=200,
        required=False,
        widget=forms.TextInput({"autocomplete": "off", "list": "centre-suggestions", "data-suggest": "1"}),
    )
    lat = forms.FloatField(min_value=-90, max_value=90, required=False, widget=forms.HiddenInput)
    lon = forms.FloatField(min_value=-180, max_value=180, required=False, widget=forms.HiddenInput)
    radius_km = forms.TypedChoiceField(
        label=_("Within"),
        choices=RADIUS_CHOICES,
        coerce=float,
        empty_value=None,
        required=False,
        help_text=_("Counted from your location, when you share it."),
    )
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    online_booking = forms.BooleanField(label=_("Online booking available"), required=False)

    def clean(self):
        data = super().clean()
        if (data.get("lat") is None) != (data.get("lon") is None):
            raise forms.ValidationError(_("A location needs both latitude and longitude."))
        return data

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "service": data.get("service"),
            "city": data.get("city", ""),
            "q": data.get("q", ""),
            "lat": data.get("lat"),
            "lon": data.get("lon"),
            "radius_km": data.get("radius_km") if data.get("lat") is not None else None,
            "open_now": data.get("open_now", False),
            "online_booking": True if data.get("online_booking") else None,
        }


class DayForm(forms.Form):
    """Which service and day the booking page shows (GET)."""

    service = forms.SlugField(required=False)
    date = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    first = forms.BooleanField(required=False)

    def day(self, default: date) -> date:
        return self.cleaned_data.get("date") or default


def _aware(value: str) -> datetime | None:
    try:
        moment = parse_datetime(value or "")
    except ValueError:
        return None
    return moment


class StartField(forms.CharField):
    """An ISO 8601 moment with its offset, as the slot buttons send it."""

    default_error_messages = {"invalid": _("Choose a time from the list.")}

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        moment = _aware(value)
        if moment is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return moment


class BookingForm(forms.Form):
    service = forms.SlugField(widget=forms.HiddenInput)
    start = StartField(label=_("Time"), error_messages={"required": _("Choose a time from the list.")})
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=500,
        help_text=_("Optional: what you are coming for, at most 500 characters."),
        widget=forms.Textarea({"rows": 3, "maxlength": 500}),
    )


class RescheduleForm(forms.Form):
    start = StartField(label=_("New time"), error_messages={"required": _("Choose a time from the list.")})


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("Booking code or QR code"),
        max_length=300,
        help_text=_("Type the code the visitor shows, or scan their QR code into this field."),
        widget=forms.TextInput({"autocomplete": "off", "autofocus": True, "autocapitalize": "characters"}),
    )
