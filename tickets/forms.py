"""Forms of the citizen's appeal pages. They parse input; `tickets.services` decides."""

import re

from django import forms
from django.db.models import Q, QuerySet
from django.utils.functional import lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from gosupport.models import Category
from tickets.models import Channel, Status, Ticket
from tickets.services import TEXT_MAX_LENGTH, TEXT_MIN_LENGTH

ACCEPTED_FILE_TYPES = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"
RATING_CHOICES = [("", _("No rating"))] + [(str(score), str(score)) for score in range(1, 6)]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files; what they may be is checked by content in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput({"accept": ACCEPTED_FILE_TYPES}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [item for item in (data if isinstance(data, (list, tuple)) else [data]) if item]
        if not files:
            super().clean(None, initial)  # raises "required" when the field is
            return []
        cleaned = []
        for item in files:
            cleaned.append(super().clean(item, initial))
        return cleaned


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Category) -> str:
        return obj.localized_title(get_language())


def _files_field(*, required: bool = False) -> MultipleFileField:
    return MultipleFileField(
        label=_("Files"),
        required=required,
        help_text=_("PDF, JPG or PNG, up to 5 MB in total. You may choose several files."),
    )


def _length_hint() -> str:
    # Interpolated when rendered: `%` on a lazy string would fix the language at import.
    return _("From %(min)s to %(max)s characters.") % {"min": TEXT_MIN_LENGTH, "max": TEXT_MAX_LENGTH}


class AppealForm(forms.Form):
    category = CategoryChoiceField(
        label=_("Topic"), queryset=Category.objects.filter(is_active=True), empty_label=_("Choose a topic")
    )
    text = forms.CharField(
        label=_("Describe your question"),
        strip=True,
        help_text=lazy(_length_hint, str)(),
        widget=forms.Textarea(
            {"rows": 8, "data-kb-suggest": "", "data-min-length": TEXT_MIN_LENGTH, "data-max-length": TEXT_MAX_LENGTH}
        ),
    )
    files = _files_field()
    rating = forms.TypedChoiceField(
        label=_("How do you rate the portal's service? (optional)"),
        choices=RATING_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("1 is very bad, 5 is excellent."),
    )
    contact_email = forms.EmailField(
        label=_("E-mail for the answer"), required=False, widget=forms.EmailInput({"autocomplete": "email"})
    )
    contact_phone = PhoneNumberField(
        label=_("Phone for the answer"),
        region="RU",
        required=False,
        help_text=_("Give an e-mail, a phone or both."),
        widget=forms.TextInput({"type": "tel", "autocomplete": "tel"}),
    )


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Your message"), required=False, max_length=5000, widget=forms.Textarea({"rows": 5}))
    files = _files_field()


class DocumentsForm(forms.Form):
    files = _files_field(required=True)
    text = forms.CharField(
        label=_("Comment (optional)"), required=False, max_length=5000, widget=forms.Textarea({"rows": 3})
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with the answer?"),
        choices=[(str(score), str(score)) for score in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("1 is very bad, 5 is excellent."),
    )
    comment = forms.CharField(label=_("Comment (optional)"), required=False, widget=forms.Textarea({"rows": 3}))


class AppealFilterForm(forms.Form):
    """Search and filters of "My appeals"; every field is optional and a bad value is ignored."""

    q = forms.CharField(
        label=_("Number or text"), required=False, max_length=200, widget=forms.TextInput({"type": "search"})
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("Any status"))] + Status.choices)
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=[("", _("Any channel"))] + Channel.choices)
    date_from = forms.DateField(label=_("From date"), required=False, widget=forms.DateInput({"type": "date"}))
    date_to = forms.DateField(label=_("To date"), required=False, widget=forms.DateInput({"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def apply(self, tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
        data = self.cleaned_data if self.is_valid() else {}
        if query := data.get("q", "").strip():
            tickets = tickets.filter(_search(query))
        if data.get("status"):
            tickets = tickets.filter(status=data["status"])
        if data.get("channel"):
            tickets = tickets.filter(channel=data["channel"])
        if data.get("date_from"):
            tickets = tickets.filter(created_at__date__gte=data["date_from"])
        if data.get("date_to"):
            tickets = tickets.filter(created_at__date__lte=data["date_to"])
        return tickets


def _search(query: str) -> Q:
    digits = re.sub(r"\D", "", query)
    by_text = Q(text__icontains=query) | Q(subject__icontains=query) | Q(number__icontains=query)
    if len(digits) == 8:  # a number dictated without its hyphen
        by_text |= Q(number=f"{digits[:4]}-{digits[4:]}")
    return by_text
