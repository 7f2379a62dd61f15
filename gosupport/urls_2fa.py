"""The staff second factor, included at /account/2fa/."""

from django.urls import path

from gosupport import views_2fa

app_name = "twofactor"

urlpatterns = [
    path("setup/", views_2fa.two_factor_setup, name="setup"),
    path("verify/", views_2fa.two_factor_verify, name="verify"),
    path("recovery-codes/", views_2fa.recovery_codes_renew, name="recovery_codes"),
]
