"""Doors of the staff second factor (set-up, verification, recovery codes) and the
page shown when sign-in protection locks an account out."""

import math

from axes.helpers import get_cool_off
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from gosupport import twofactor


class SecondFactorCodeForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=32,
        help_text=_("Six digits from your authenticator app, or one of your recovery codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}),
    )


def _staff_only(view):
    """Citizens have no second factor: for them these pages do not exist."""

    def guarded(request: HttpRequest, *args, **kwargs):
        if not request.user.is_staff_member:
            raise Http404
        return view(request, *args, **kwargs)

    return login_required(guarded)


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure())
    return candidate if allowed else resolve_url(settings.LOGIN_REDIRECT_URL)


@require_http_methods(["GET", "POST"])
@_staff_only
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    user, next_url = request.user, _next_url(request)
    if twofactor.second_factor_enrolled(user) and not user.is_verified():
        # Only someone who holds the current factor may replace it.
        return redirect_to_login(next_url, login_url=reverse("twofactor:verify"))
    form = SecondFactorCodeForm(request.POST or None)
    if form.is_valid():
        try:
            device, codes = twofactor.totp_enrolment_confirm(user=user, token=form.cleaned_data["token"])
        except ValidationError as error:
            form.add_error("token", error)
        else:
            _mark_verified(request, device)
            return render(request, "accounts/two_factor_recovery_codes.html", {"codes": codes, "next": next_url})
    device = twofactor.totp_enrolment_start(user=user)
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": twofactor.totp_qr_svg(device),
        "secret": twofactor.totp_secret_text(device),
        "replacing": user.is_verified(),
    }
    return render(request, "accounts/two_factor_setup.html", context, status=_status(form))


@require_http_methods(["GET", "POST"])
@_staff_only
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    user, next_url = request.user, _next_url(request)
    if not twofactor.second_factor_enrolled(user):
        return redirect_to_login(next_url, login_url=reverse("twofactor:setup"))
    if user.is_verified():
        return HttpResponseRedirect(next_url)
    form = SecondFactorCodeForm(request.POST or None)
    if form.is_valid() and not _refused_while_throttled(form, user):
        device = twofactor.second_factor_match(user=user, token=form.cleaned_data["token"])
        if device is not None:
            _mark_verified(request, device)
            _warn_about_recovery_codes(request, device)
            return HttpResponseRedirect(next_url)
        form.add_error("token", twofactor.WRONG_CODE_MESSAGE)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": next_url}, status=_status(form))


@require_POST
@_staff_only
def recovery_codes_renew(request: HttpRequest) -> HttpResponse:
    if not request.user.is_verified():
        return redirect_to_login(reverse("twofactor:setup"), login_url=reverse("twofactor:verify"))
    codes = twofactor.recovery_codes_issue(user=request.user)
    return render(request, "accounts/two_factor_recovery_codes.html", {"codes": codes, "next": _next_url(request)})


def sign_in_locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE: one clear, translated answer for the portal,
    the admin and the API, saying how long to wait."""
    minutes = _cool_off_minutes(request)
    detail = ngettext(
        "Too many failed sign-in attempts for this account from your address. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts for this account from your address. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    if request.path_info.startswith("/api/"):
        response = JsonResponse({"detail": detail}, status=429)
    else:
        response = render(request, "accounts/two_factor_lockout.html", {"detail": detail}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


def _cool_off_minutes(request: HttpRequest) -> int:
    cool_off = get_cool_off(request)
    return max(1, math.ceil(cool_off.total_seconds() / 60)) if cool_off else 1


def _refused_while_throttled(form: SecondFactorCodeForm, user) -> bool:
    seconds = twofactor.second_factor_wait_seconds(user)
    if seconds:
        message = ngettext(
            "Too many wrong codes. Wait %(seconds)d second and try again.",
            "Too many wrong codes. Wait %(seconds)d seconds and try again.",
            seconds,
        ) % {"seconds": seconds}
        form.add_error("token", message)
    return bool(seconds)


def _mark_verified(request: HttpRequest, device) -> None:
    request.session.cycle_key()  # a new session id for the more privileged session
    otp_login(request, device)


def _warn_about_recovery_codes(request: HttpRequest, device) -> None:
    if not isinstance(device, StaticDevice):
        return
    left = twofactor.recovery_codes_left(request.user)
    messages.warning(
        request,
        ngettext(
            "You signed in with a recovery code. %(left)d recovery code is left: set up new ones soon.",
            "You signed in with a recovery code. %(left)d recovery codes are left: set up new ones soon.",
            left,
        )
        % {"left": left},
    )


def _status(form: forms.Form) -> int:
    return 400 if form.is_bound and form.errors else 200
