"""Helpers for the staff second factor: a confirmed authenticator and its current code."""

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


@pytest.fixture
def second_factor_on(settings):
    settings.STAFF_2FA_REQUIRED = True
    return settings


@pytest.fixture
def authenticator():
    """Gives a user a confirmed authenticator app."""

    def make(user) -> TOTPDevice:
        return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    return make


def current_code(device: TOTPDevice) -> str:
    """What the person's authenticator app shows right now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def wrong_code(device: TOTPDevice) -> str:
    return f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
