"""Writes of the shared core."""

import logging

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gosupport.models import Consent, Notification, NotificationChannel, NotificationStatus, Role, User
from gosupport.sms import get_sms_backend
from gosupport.validators import normalise_inn, normalise_snils

logger = logging.getLogger(__name__)
MAX_DELIVERY_ATTEMPTS = 8


def notification_deliver(*, notification_id: int) -> bool:
    """Send one pending notification; safe to call twice (a sent one is skipped)."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, status=NotificationStatus.PENDING)
            .first()
        )
        if notification is None:
            return False
        notification.attempts += 1
        try:
            _send(notification)
        except Exception as exc:  # any transport failure is retried by the outbox sweep
            logger.warning("notification %s failed: %s", notification.pk, type(exc).__name__)
            notification.last_error = f"{type(exc).__name__}: {exc}"[:1000]
            if notification.attempts >= MAX_DELIVERY_ATTEMPTS:
                notification.status = NotificationStatus.FAILED
            notification.save(update_fields=["attempts", "last_error", "status"])
            return False
        notification.status = NotificationStatus.SENT
        notification.sent_at = timezone.now()
        notification.save(update_fields=["attempts", "status", "sent_at"])
        return True


def _send(notification: Notification) -> None:
    if notification.channel == NotificationChannel.EMAIL:
        send_mail(notification.subject, notification.body, None, [notification.recipient])
    else:
        get_sms_backend().send(notification.recipient, notification.body)


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
    if User.objects.filter(email__iexact=email).exists():
        errors.setdefault("email", []).append(_("An account with this e-mail already exists."))
    if phone and User.objects.filter(phone=user.phone).exists():
        errors.setdefault("phone", []).append(_("An account with this phone number already exists."))
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    now = timezone.now()
    with transaction.atomic():
        user.save()
        Consent.objects.create(
            user=user, version=PERSONAL_DATA_CONSENT_VERSION, purpose=PERSONAL_DATA_CONSENT_PURPOSE, given_at=now, ip=ip
        )
    return user


def _collect(errors: dict, field: str, check) -> None:
    try:
        check()
    except ValidationError as exc:
        errors.setdefault(field, []).extend(exc.messages)
