"""Writes of the shared core."""

import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from phonenumber_field.phonenumber import PhoneNumber

from gosupport.models import Consent, OneTimeCode, Role, User
from gosupport.notifications import PASSWORD_RESET_REFERENCE, notify_contact
from gosupport.validators import normalise_inn, normalise_snils

PERSONAL_DATA_CONSENT_VERSION = "2026-11"
PERSONAL_DATA_CONSENT_PURPOSE = "Handling of appeals, chats and appointments by the contact centre"


def citizen_register(
    *,
    last_name: str,
    first_name: str,
    birth_date,
    phone: str,
    email: str,
    password: str,
    middle_name: str = "",
    inn: str = "",
    snils: str = "",
    ip: str | None = None,
) -> User:
    """Create a citizen account with their consent recorded; raises ValidationError per field."""
    errors: dict[str, list[str]] = {}
    email = email.strip().lower()
    user = User(
        username=email,
        email=email,
        last_name=last_name.strip(),
        first_name=first_name.strip(),
        middle_name=middle_name.strip(),
        birth_date=birth_date,
        phone=phone,
        role=Role.CITIZEN,
    )
    _collect(errors, "inn", lambda: setattr(user, "inn", normalise_inn(inn) if inn else ""))
    _collect(errors, "snils", lambda: setattr(user, "snils", normalise_snils(snils) if snils else ""))
    _collect(errors, "password", lambda: validate_password(password, user))
    for field, messages in _taken(user).items():
        errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    now = timezone.now()
    try:
        with transaction.atomic():
            user.save()
            Consent.objects.create(
                user=user,
                version=PERSONAL_DATA_CONSENT_VERSION,
                purpose=PERSONAL_DATA_CONSENT_PURPOSE,
                given_at=now,
                ip=ip,
            )
    except IntegrityError:
        # The same e-mail or phone registered between the check and the insert (a double submit).
        raise ValidationError(_taken(user) or {"email": [_("An account with this e-mail already exists.")]}) from None
    return user


def _taken(user: User) -> dict[str, list[str]]:
    """The unique contacts of the new account that another account already has."""
    taken = {}
    if User.objects.filter(email__iexact=user.email).exists():
        taken["email"] = [_("An account with this e-mail already exists.")]
    if user.phone and User.objects.filter(phone=user.phone).exists():
        taken["phone"] = [_("An account with this phone number already exists.")]
    return taken


def _collect(errors: dict, field: str, check) -> None:
    try:
        check()
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.messages)


PASSWORD_RESET_CODE_TTL = timedelta(minutes=10)
PASSWORD_RESET_CODE_MAX_ATTEMPTS = 5
PASSWORD_RESET_CODE_RESEND_AFTER = timedelta(seconds=60)


def password_reset_code_send(*, phone: str) -> None:
    """Text a 6-digit recovery code to the account with this phone.

    Silent when there is no such account or a code was sent less than a minute ago, so
    the caller can never tell whether the number is registered."""
    user = _active_user_by_phone(phone)
    if user is None:
        return
    now = timezone.now()
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one code at a time per person
        codes = OneTimeCode.objects.filter(user=user, purpose=OneTimeCode.Purpose.PASSWORD_RESET, used_at__isnull=True)
        if codes.filter(created_at__gt=now - PASSWORD_RESET_CODE_RESEND_AFTER).exists():
            return
        codes.filter(expires_at__gt=now).update(expires_at=now)
        code = f"{secrets.randbelow(10**6):06d}"
        OneTimeCode.objects.create(
            user=user,
            purpose=OneTimeCode.Purpose.PASSWORD_RESET,
            code_hash=_one_time_code_hash(user, code),
            created_at=now,
            expires_at=now + PASSWORD_RESET_CODE_TTL,
        )
        notify_contact(
            phone=str(user.phone),
            subject=_("Password recovery"),
            body=_("Your code is %(code)s. It is valid for 10 minutes. Never tell it to anyone, not even support.")
            % {"code": code},
            user=user,
            reference=PASSWORD_RESET_REFERENCE,
        )


def password_reset_link_send(*, user: User, email: str, subject: str, body: str) -> None:
    """Queue the letter with the password reset link in the outbox: retried like every
    notification, sent even while the citizen restricted processing (they asked for it),
    and its link removed from the outbox once delivered."""
    notify_contact(email=email, subject=subject, body=body, user=user, reference=PASSWORD_RESET_REFERENCE)


def password_reset_code_verify(*, phone: str, code: str, new_password: str) -> User:
    """Set a new password when the SMS code is right; a wrong code uses up one of 5 attempts.

    Raises ValidationError under `code` (the same message whether or not the account
    exists) or `new_password`; on any error nothing changes but the attempt counter."""
    _collect_password_errors(new_password, user=None)
    user = _active_user_by_phone(phone)
    matched = False
    with transaction.atomic():
        if user is not None:
            matched = _one_time_code_consume(user, code.strip(), timezone.now())
        if matched:
            _collect_password_errors(new_password, user=user)
            user.set_password(new_password)
            user.save(update_fields=["password"])
            _notify_password_changed(user)
    if not matched:
        raise ValidationError(
            {"code": _("The code is wrong or has expired. Check it or request a new one.")}, code="invalid_code"
        )
    return user


def _active_user_by_phone(phone: str) -> User | None:
    try:
        number = PhoneNumber.from_string(str(phone), region="RU")
    except Exception:
        return None
    if not number.is_valid():
        return None
    return User.objects.filter(phone=str(number), is_active=True).first()


def _one_time_code_hash(user: User, code: str) -> str:
    # Keyed by SECRET_KEY: a leaked table alone does not let anyone try the million codes offline.
    return salted_hmac("gosupport.one-time-code", f"{user.pk}:{code}", algorithm="sha256").hexdigest()


def _one_time_code_consume(user: User, code: str, now) -> bool:
    """Check the newest live code under a row lock; a miss counts as an attempt."""
    one_time_code = (
        OneTimeCode.objects.select_for_update()
        .filter(
            user=user,
            purpose=OneTimeCode.Purpose.PASSWORD_RESET,
            used_at__isnull=True,
            expires_at__gt=now,
            attempts__lt=PASSWORD_RESET_CODE_MAX_ATTEMPTS,
        )
        .order_by("-created_at")
        .first()
    )
    if one_time_code is None:
        return False
    if not constant_time_compare(one_time_code.code_hash, _one_time_code_hash(user, code)):
        one_time_code.attempts += 1
        one_time_code.save(update_fields=["attempts"])
        return False
    one_time_code.used_at = now
    one_time_code.save(update_fields=["used_at"])
    return True


def _collect_password_errors(password: str, *, user: User | None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from None


def _notify_password_changed(user: User) -> None:
    notify_contact(
        email=user.email,
        phone=str(user.phone) if user.phone else "",
        subject=_("Your password was changed"),
        body=_("The password of your account was changed. If it was not you, contact the help centre at once."),
        user=user,
        reference="password_changed",
    )
