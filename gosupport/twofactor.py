"""Staff second factor (TOTP via django-otp, with static recovery codes)."""

from django.conf import settings
from django_otp import match_token

from gosupport.models import User


def second_factor_required(user: User) -> bool:
    return bool(settings.STAFF_2FA_REQUIRED) and user.is_authenticated and user.is_staff_member


def verify_second_factor(*, user: User, token: str) -> bool:
    """True when the token matches one of the user's confirmed devices (a recovery code is used up)."""
    if not token or not token.strip().isalnum():
        return False
    return match_token(user, token.strip()) is not None
