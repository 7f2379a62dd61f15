"""The citizen's privacy page: download their data, restrict processing, erase the account."""

import json

from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from gosupport.audit import client_ip
from gosupport.models import User
from gosupport.personal_data import mask_email, mask_personal_value, mask_phone
from gosupport.privacy import personal_data_erase, personal_data_export, personal_data_restrict


class RestrictionForm(forms.Form):
    restricted = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")


class ErasureForm(forms.Form):
    password = forms.CharField(label=gettext_lazy("Your password"), widget=forms.PasswordInput)
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that my account and my data will be erased and cannot be restored")
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is wrong."), code="wrong_password")
        return password


@login_required
@require_GET
def privacy_page(request):
    return _render_page(request, ErasureForm(user=request.user))


@login_required
@require_GET
def privacy_export(request):
    data = personal_data_export(subject=request.user, actor=request.user, ip=client_ip(request))
    body = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="my-personal-data.json"'
    return response


@login_required
@require_POST
def privacy_restrict(request):
    form = RestrictionForm(request.POST)
    if not form.is_valid():
        return _render_page(request, ErasureForm(user=request.user), status=400)
    restricted = form.cleaned_data["restricted"]
    personal_data_restrict(subject=request.user, actor=request.user, restricted=restricted, ip=client_ip(request))
    if restricted:
        messages.success(request, _("Processing of your personal data is restricted."))
    else:
        messages.success(request, _("The restriction is lifted: we process your requests again."))
    return redirect("privacy:page")


@login_required
@require_POST
def privacy_erase(request):
    form = ErasureForm(request.POST, user=request.user)
    if not form.is_valid():
        return _render_page(request, form, status=400)
    personal_data_erase(subject=request.user, actor=request.user, ip=client_ip(request))
    logout(request)
    messages.success(request, _("Your account and your personal data are erased."))
    return redirect("home")


def _render_page(request, erasure_form: ErasureForm, status: int = 200):
    user = request.user
    context = {
        "erasure_form": erasure_form,
        "masked": {
            "email": mask_email(user.email),
            "phone": mask_phone(str(user.phone)) if user.phone else "",
            "inn": mask_personal_value(user.inn),
            "snils": mask_personal_value(user.snils),
            "passport_number": mask_personal_value(user.passport_number),
        },
        "consents": user.consents.order_by("-given_at"),
    }
    return render(request, "accounts/privacy.html", context, status=status)


app_name = "privacy"
urlpatterns = [
    path("", privacy_page, name="page"),
    path("export/", privacy_export, name="export"),
    path("restrict/", privacy_restrict, name="restrict"),
    path("erase/", privacy_erase, name="erase"),
]
