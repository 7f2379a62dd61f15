"""Citizen account pages: register, sign in and out, recover a password by e-mail or SMS."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from gosupport.forms import (
    OutboxPasswordResetForm,
    PasswordResetCodeRequestForm,
    PasswordResetCodeVerifyForm,
    RegistrationForm,
    SignInForm,
    add_service_errors,
)
from gosupport.services import citizen_register, password_reset_code_send, password_reset_code_verify

SMS_RESET_PHONE_SESSION_KEY = "password_reset_sms_phone"
BACKEND = "gosupport.auth_backends.PhoneOrEmailBackend"


def home(request):
    return redirect("portal:help")


@require_http_methods(["GET", "POST"])
def register(request):
    if request.user.is_authenticated:
        return redirect("portal:help")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = citizen_register(**_registration_arguments(form.cleaned_data), ip=request.META.get("REMOTE_ADDR"))
        except ValidationError as error:
            add_service_errors(form, error, renames={"password": "password1"})
        else:
            login(request, user, backend=BACKEND)
            messages.success(request, _("Your account is created. Welcome!"))
            return redirect("portal:help")
    return render(request, "accounts/register.html", {"form": form})


def _registration_arguments(data: dict) -> dict:
    return {
        "last_name": data["last_name"],
        "first_name": data["first_name"],
        "middle_name": data["middle_name"],
        "birth_date": data["birth_date"],
        "phone": str(data["phone"]),
        "email": data["email"],
        "password": data["password1"],
        "inn": data["inn"],
        "snils": data["snils"],
    }


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """POST only (Django's default): a link or a prefetch must not sign anybody out."""


class PasswordResetView(auth_views.PasswordResetView):
    form_class = OutboxPasswordResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


@require_http_methods(["GET", "POST"])
def password_reset_sms(request):
    form = PasswordResetCodeRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = str(form.cleaned_data["phone"])
        password_reset_code_send(phone=phone)
        request.session[SMS_RESET_PHONE_SESSION_KEY] = phone
        messages.info(request, _("If an account with this number exists, we have sent a code to it by SMS."))
        return redirect("password_reset_sms_verify")
    return render(request, "registration/password_reset_sms.html", {"form": form})


@require_http_methods(["GET", "POST"])
def password_reset_sms_verify(request):
    initial = {"phone": request.session.get(SMS_RESET_PHONE_SESSION_KEY, "")}
    form = PasswordResetCodeVerifyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            password_reset_code_verify(
                phone=str(form.cleaned_data["phone"]),
                code=form.cleaned_data["code"],
                new_password=form.cleaned_data["new_password1"],
            )
        except ValidationError as error:
            add_service_errors(form, error, renames={"new_password": "new_password1"})
        else:
            request.session.pop(SMS_RESET_PHONE_SESSION_KEY, None)
            messages.success(request, _("Your password is changed. Sign in with the new password."))
            return redirect("login")
    return render(request, "registration/password_reset_sms_verify.html", {"form": form})
