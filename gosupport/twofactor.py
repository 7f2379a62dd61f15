"""Staff second factor (TOTP via django-otp, with static recovery codes) and the
account key that sign-in protection (django-axes) counts failures against."""

import math
from base64 import b32encode

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, match_token, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from phonenumber_field.phonenumber import PhoneNumber

from gosupport.models import User

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
WRONG_CODE_MESSAGE = _("The code is wrong or has expired. Check the time on your phone and enter a fresh code.")


def second_factor_required(user: User) -> bool:
    return bool(settings.STAFF_2FA_REQUIRED) and user.is_authenticated and user.is_staff_member


def verify_second_factor(*, user: User, token: str) -> bool:
    """True when the token matches one of the user's confirmed devices (a recovery code is used up)."""
    return second_factor_match(user=user, token=token) is not None


def second_factor_match(*, user: User, token: str) -> Device | None:
    """The confirmed device that accepts the token, or None; a matching recovery code is used up."""
    token = _normalise_token(token)
    if not token:
        return None
    return match_token(user, token)


def second_factor_wait_seconds(user: User) -> int:
    """Seconds until the user's devices take a code again after wrong ones (django-otp doubles
    the pause after each failure); 0 when a code can be tried now."""
    now = timezone.now()
    waits = [_seconds_until_allowed(device, now) for device in devices_for_user(user)]
    return min(waits, default=0)


def _seconds_until_allowed(device: Device, now) -> int:
    allowed, details = device.verify_is_allowed()
    if allowed or not details or "locked_until" not in details:
        return 0
    return max(1, math.ceil((details["locked_until"] - now).total_seconds()))


def second_factor_enrolled(user: User) -> bool:
    return user.is_authenticated and user_has_device(user, confirmed=True)


def second_factor_passed_in_session(*, user: User, session) -> bool:
    """For doors that see a session but not OTPMiddleware, such as WebSocket consumers."""
    persistent_id = session.get(DEVICE_ID_SESSION_KEY)
    device = Device.from_persistent_id(persistent_id) if persistent_id else None
    return device is not None and device.confirmed and device.user_id == user.pk


def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator, created once so that reloading the page keeps the same QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def totp_enrolment_confirm(*, user: User, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending authenticator with its first code and issue fresh recovery codes."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        raise ValidationError(_("Start the set-up again: there is no authenticator waiting for confirmation."))
    if not device.verify_token(_normalise_token(token)):
        raise ValidationError(WRONG_CODE_MESSAGE)
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device, recovery_codes_issue(user=user)


@transaction.atomic
def recovery_codes_issue(*, user: User) -> list[str]:
    """Replace every recovery code of the user with RECOVERY_CODE_COUNT new single-use ones."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = _distinct_random_tokens(RECOVERY_CODE_COUNT)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def totp_secret_text(device: TOTPDevice) -> str:
    """The base32 secret in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// address as an inline SVG QR code, drawn here so no outside service sees the secret."""
    return segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title=str(_("QR code for your authenticator app"))
    )


def sign_in_account_key(request, credentials: dict | None = None) -> str:
    """What sign-in protection counts failures against: the account the identifier names
    (username, e-mail and phone of one person share one counter), else the identifier itself."""
    identifier = _identifier_from(request, credentials)
    user = _account_named_by(identifier)
    return f"account:{user.pk}" if user is not None else identifier


def sign_in_client_address(request) -> str:
    """The connection's address or, with TRUSTED_PROXY_COUNT proxies in front, the address
    the outermost trusted proxy saw; entries a client forged further left are ignored."""
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted and len(forwarded) >= trusted:
        return forwarded[-trusted]
    return request.META.get("REMOTE_ADDR", "")


def _identifier_from(request, credentials: dict | None) -> str:
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials and credentials.get(field):
        return str(credentials[field]).strip().lower()
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    return str(data.get(field, "") or "").strip().lower()


def _account_named_by(identifier: str) -> User | None:
    if not identifier:
        return None
    query = Q(username__iexact=identifier) | Q(email__iexact=identifier)
    phone = _as_phone(identifier)
    if phone:
        query |= Q(phone=phone)
    return User.objects.filter(query).order_by("id").only("pk").first()


def _as_phone(value: str) -> str | None:
    try:
        number = PhoneNumber.from_string(value, region="RU")
    except Exception:  # any unparsable text simply is not a phone number
        return None
    return str(number) if number.is_valid() else None


def _normalise_token(token: str | None) -> str:
    """People type recovery codes with spaces, dashes or capitals; TOTP codes with spaces."""
    cleaned = "".join((token or "").split()).replace("-", "").lower()
    return cleaned if cleaned.isalnum() and len(cleaned) <= 16 else ""


def _distinct_random_tokens(count: int) -> list[str]:
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(StaticToken.random_token())
    return sorted(codes)
