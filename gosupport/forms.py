"""Forms of the citizen's account pages: they parse input, the services decide."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from phonenumber_field.formfields import PhoneNumberField

from gosupport.services import password_reset_link_send


def add_service_errors(form: forms.Form, error: ValidationError, *, renames: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError next to the form field it is about."""
    renames = renames or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, messages in error.message_dict.items():
        target = renames.get(field, field)
        form.add_error(target if target in form.fields else None, messages)


class OutboxPasswordResetForm(PasswordResetForm):
    """Django's reset by e-mail link, with the letter handed to the notifications outbox
    (retries, the log supervisors see) instead of going to SMTP inside the request."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        password_reset_link_send(user=context["user"], email=to_email, subject=subject, body=body)


class RegistrationForm(forms.Form):
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, widget=forms.TextInput({"autocomplete": "family-name"})
    )
    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput({"autocomplete": "given-name"})
    )
    middle_name = forms.CharField(
        label=_("Middle name"),
        max_length=150,
        required=False,
        help_text=_("If you have one."),
        widget=forms.TextInput({"autocomplete": "additional-name"}),
    )
    birth_date = forms.DateField(
        label=_("Birth date"), widget=forms.DateInput({"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d")
    )
    phone = PhoneNumberField(
        label=_("Mobile phone"),
        region="RU",
        help_text=_("In the format +7 999 123-45-67."),
        widget=forms.TextInput({"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("E-mail"), widget=forms.EmailInput({"autocomplete": "email"}))
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_("At least 8 characters; not only digits and not a common word."),
        widget=forms.PasswordInput({"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False, widget=forms.PasswordInput({"autocomplete": "new-password"})
    )
    inn = forms.CharField(label=_("INN"), max_length=20, required=False, help_text=_("Optional: 12 digits."))
    snils = forms.CharField(
        label=_("SNILS"), max_length=20, required=False, help_text=_("Optional: 11 digits, e.g. 112-233-445 95.")
    )
    consent = forms.BooleanField(
        label=_("I agree to the processing of my personal data for handling my appeals, chats and appointments."),
        error_messages={"required": _("Registration needs your consent to the processing of personal data.")},
    )

    def clean_birth_date(self):
        birth_date = self.cleaned_data["birth_date"]
        if birth_date >= timezone.localdate():
            raise ValidationError(_("The birth date must be in the past."))
        if birth_date.year < 1900:
            raise ValidationError(_("Check the year of birth."))
        return birth_date

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        return cleaned


class SignInForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Phone or e-mail"),
        max_length=254,
        widget=forms.TextInput({"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("Wrong phone, e-mail or password. Check them and try again."),
        "inactive": _("This account is blocked."),
    }


class PasswordResetCodeRequestForm(forms.Form):
    phone = PhoneNumberField(
        label=_("Mobile phone"),
        region="RU",
        help_text=_("The number given at registration, e.g. +7 999 123-45-67."),
        widget=forms.TextInput({"type": "tel", "autocomplete": "tel"}),
    )


class PasswordResetCodeVerifyForm(forms.Form):
    phone = PhoneNumberField(label=_("Mobile phone"), region="RU", widget=forms.TextInput({"type": "tel"}))
    code = forms.RegexField(
        label=_("Code from the SMS"),
        regex=r"^\d{6}$",
        help_text=_("Six digits."),
        error_messages={"invalid": _("The code is six digits.")},
        widget=forms.TextInput({"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 6}),
    )
    new_password1 = forms.CharField(
        label=_("New password"), strip=False, widget=forms.PasswordInput({"autocomplete": "new-password"})
    )
    new_password2 = forms.CharField(
        label=_("New password again"), strip=False, widget=forms.PasswordInput({"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("The two passwords differ."))
        return cleaned
