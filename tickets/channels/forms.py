"""Forms of the staff pages that log calls and letters: they parse input, services decide."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from gosupport.models import Category
from tickets.channels.models import AnswerMethod, CallOutcome
from tickets.forms_workspace import MultipleFileField


def _categories():
    return Category.objects.filter(is_active=True).order_by("ordering", "title")


class PhoneCallForm(forms.Form):
    full_name = forms.CharField(
        label=_("Caller's full name"), max_length=255, required=False, widget=forms.TextInput(attrs={"autofocus": True})
    )
    inn = forms.CharField(label=_("INN"), max_length=12, required=False)
    ticket_number = forms.CharField(
        label=_("or an appeal number"), max_length=16, required=False, help_text=_("For example 1234-5678.")
    )
    phone = PhoneNumberField(label=_("Phone"), region="RU", required=False)
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    question = forms.CharField(label=_("What was asked"), widget=forms.Textarea(attrs={"rows": 3}))
    answer = forms.CharField(label=_("What was answered"), widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.ChoiceField(
        label=_("Result"), choices=CallOutcome.choices, widget=forms.RadioSelect, initial=CallOutcome.SOLVED
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()


class PostalLetterForm(forms.Form):
    sender_name = forms.CharField(label=_("Sender"), max_length=255, widget=forms.TextInput(attrs={"autofocus": True}))
    sender_address = forms.CharField(label=_("Sender's postal address"), widget=forms.Textarea(attrs={"rows": 2}))
    received_on = forms.DateField(label=_("Date received"), widget=forms.DateInput(attrs={"type": "date"}))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.none())
    text = forms.CharField(label=_("What the letter asks"), widget=forms.Textarea(attrs={"rows": 4}))
    scans = MultipleFileField(
        label=_("Scan of the letter"), required=False, help_text=_("PDF, JPG or PNG, 5 MB in total.")
    )
    contact_email = forms.EmailField(label=_("Sender's e-mail, if given"), required=False)
    contact_phone = PhoneNumberField(label=_("Sender's phone, if given"), region="RU", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories()
        self.fields["received_on"].initial = timezone.localdate()


class LetterAnswerForm(forms.Form):
    text = forms.CharField(label=_("The answer"), widget=forms.Textarea(attrs={"rows": 5}))
    method = forms.ChoiceField(label=_("How it was sent"), choices=AnswerMethod.choices)
    sent_on = forms.DateField(label=_("Sent on"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Postal tracking number or reference"), max_length=64, required=False)
    files = MultipleFileField(label=_("Copy of the answer"), required=False, help_text=_("PDF, JPG or PNG."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sent_on"].initial = timezone.localdate()
