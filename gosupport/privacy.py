"""Citizens' rights over their personal data (152-FZ) and the registry every app plugs into.

The registry
------------
`gosupport` imports none of the apps, yet an export, an erasure and the retention purge
must reach every table that holds a citizen's data. So each app that stores personal
data registers a `PrivacyProvider` from its `AppConfig.ready()`:

    class TicketsConfig(AppConfig):
        def ready(self):
            from gosupport.privacy import privacy_provider_register
            from tickets.privacy import provider

            privacy_provider_register(provider)

A provider has a unique `name` (its section in the export) and three optional callables:

- `export(user) -> JSON-ready data`: everything the app holds about the user, as the user
  may see it (no operators' private notes). Strings, numbers, lists, dicts; times as ISO.
- `erase(user) -> None`: pseudonymise the user in the app: blank free texts and contacts,
  delete files (from storage with `transaction.on_commit`, so a rolled-back erasure loses
  nothing). It runs inside the erasure's transaction and before the account is stripped,
  so the user's e-mail and phone are still readable to find records filed without an
  account. Raise to abort the whole erasure.
- `purge_expired(cutoff) -> int`: delete records closed before `cutoff` (the retention
  term, PD_RETENTION_DAYS); return how many. Must be safe to run twice at once.

Restriction of processing
-------------------------
A citizen may restrict the processing of their data (152-FZ art. 20-21). While restricted:
new appeals and chats are refused with a clear message (`ProcessingRestricted`, a
ValidationError), and notifications to them are not sent (stored as failed with the
reason), except the ones the citizen asks for themselves (password recovery). Data already
held stays stored and visible to staff; operators may finish open appeals. Any service that
starts new processing for a citizen (a booking, a chat) calls
`personal_data_processing_check(user=...)` first.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.signals import pre_save
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from gosupport import crypto
from gosupport.audit import audit_record
from gosupport.models import (
    ENCRYPTED_IDENTIFIERS,
    AuditAction,
    AuditLog,
    Consent,
    Notification,
    NotificationStatus,
    OneTimeCode,
    User,
)
from gosupport.validators import normalise_inn, normalise_snils


@dataclass(frozen=True)
class PrivacyProvider:
    name: str
    export: Callable[[User], Any] | None = None
    erase: Callable[[User], None] | None = None
    purge_expired: Callable[[datetime], int] | None = None


_providers: dict[str, PrivacyProvider] = {}


def privacy_provider_register(provider: PrivacyProvider) -> None:
    """Register (or replace, by name) an app's provider; call from AppConfig.ready()."""
    if provider.name in RESERVED_SECTIONS:
        raise ValueError(f"privacy provider name {provider.name!r} is reserved")
    _providers[provider.name] = provider


def privacy_providers() -> list[PrivacyProvider]:
    return list(_providers.values())


RESERVED_SECTIONS = {"generated_at", "profile", "consents", "notifications", "access_log"}
REVEALABLE_FIELDS = ENCRYPTED_IDENTIFIERS
# What the citizen asks for themselves is sent even while processing is restricted.
ALWAYS_DELIVERED_REFERENCES = {"password_reset", "password_changed"}


class ProcessingRestricted(ValidationError):
    """The citizen restricted the processing of their personal data."""

    def __init__(self):
        super().__init__(
            {
                NON_FIELD_ERRORS: _(
                    "You have restricted the processing of your personal data, so we cannot accept new "
                    "requests. Lift the restriction on the privacy page of your account to continue."
                )
            },
            code="processing_restricted",
        )


# --- identifiers: normalised, looked up by keyed hash, changed and revealed with an audit


def _digits(value: str) -> str:
    return "".join(ch for ch in str(value) if ch.isdigit())


def normalise_passport_number(value: str) -> str:
    """A Russian internal passport: 4 digits of series and 6 of number."""
    digits = _digits(value)
    if len(digits) != 10:
        raise ValidationError(_("A passport series and number is 10 digits."), code="invalid_passport")
    return digits


_NORMALISERS = {"inn": normalise_inn, "snils": normalise_snils, "passport_number": normalise_passport_number}


def users_find_by_identifier(*, field: str, value: str):
    """Users whose INN, SNILS or passport number equals `value` (search by keyed hash)."""
    if field not in ENCRYPTED_IDENTIFIERS:
        raise ValueError(f"{field!r} is not an encrypted identifier")
    return User.objects.filter(**{f"{field}_hash": crypto.keyed_hash(_digits(value))}).exclude(**{f"{field}_hash": ""})


def personal_identifiers_update(*, subject: User, actor: User, ip: str | None, **values: str) -> User:
    """Set INN / SNILS / passport number (empty clears); validates all before storing any."""
    unknown = set(values) - set(ENCRYPTED_IDENTIFIERS)
    if unknown:
        raise ValueError(f"not identifiers: {sorted(unknown)}")
    _require_self_or_staff(actor, subject)
    errors, cleaned = {}, {}
    for field, value in values.items():
        try:
            cleaned[field] = _NORMALISERS[field](value) if value.strip() else ""
        except ValidationError as exc:
            errors[field] = exc.messages
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for field, value in cleaned.items():
            setattr(subject, field, value)
        subject.save(update_fields=list(cleaned))
        audit_record(actor=actor, action=AuditAction.CHANGE, obj=subject, fields=sorted(cleaned), ip=ip)
    return subject


def personal_data_reveal(*, actor: User, subject: User, field: str, ip: str | None) -> str:
    """The unmasked value for a staff member, recorded in the audit log."""
    if not (actor.is_authenticated and actor.is_active and actor.is_staff_member):
        raise PermissionDenied(_("Only contact centre staff can reveal personal data."))
    if field not in REVEALABLE_FIELDS:
        raise ValidationError({"field": _("This field cannot be revealed.")}, code="invalid_field")
    value = getattr(User.objects.get(pk=subject.pk), field)
    audit_record(actor=actor, action=AuditAction.REVEAL, obj=subject, fields=[field], ip=ip)
    return value


def _require_self_or_staff(actor: User, subject: User) -> None:
    if actor.pk != subject.pk and not (actor.is_active and actor.is_staff_member):
        raise PermissionDenied


def _require_citizen_or_supervisor(actor: User, subject: User) -> None:
    """Rights over an account: its citizen, or a supervisor acting on a written request."""
    if not subject.is_citizen:
        raise PermissionDenied(_("Staff accounts are managed by supervisors."))
    if actor.pk != subject.pk and not (actor.is_active and actor.is_supervisor):
        raise PermissionDenied


# --- the right of access: everything we hold, as JSON


def personal_data_export(*, subject: User, actor: User, ip: str | None) -> dict[str, Any]:
    """Everything held about `subject`, from gosupport and every registered app; audited."""
    _require_self_or_staff(actor, subject)
    subject = User.objects.get(pk=subject.pk)
    data: dict[str, Any] = {
        "generated_at": timezone.now().isoformat(),
        "profile": _profile_data(subject),
        "consents": _consents_data(subject),
        "notifications": _notifications_data(subject),
        "access_log": _access_log_data(subject),
    }
    for provider in privacy_providers():
        if provider.export is not None:
            data[provider.name] = provider.export(subject)
    audit_record(actor=actor, action=AuditAction.EXPORT, obj=subject, fields=sorted(data), ip=ip)
    return data


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def _profile_data(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "middle_name": user.middle_name,
        "birth_date": _iso(user.birth_date),
        "email": user.email,
        "phone": str(user.phone) if user.phone else "",
        "inn": user.inn,
        "snils": user.snils,
        "passport_number": user.passport_number,
        "role": user.role,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "processing_restricted_at": _iso(user.processing_restricted_at),
    }


def _consents_data(user: User) -> list[dict[str, Any]]:
    return [
        {"version": c.version, "purpose": c.purpose, "given_at": _iso(c.given_at), "withdrawn_at": _iso(c.withdrawn_at)}
        for c in user.consents.order_by("given_at")
    ]


def _notifications_data(user: User) -> list[dict[str, Any]]:
    return [
        {"at": _iso(n.created_at), "channel": n.channel, "to": n.recipient, "subject": n.subject, "body": n.body}
        for n in user.notifications.order_by("created_at")
    ]


def _access_log_data(user: User) -> list[dict[str, Any]]:
    records = AuditLog.objects.filter(object_type=User._meta.label_lower, object_id=str(user.pk)).select_related(
        "actor"
    )
    return [
        {"at": _iso(r.at), "action": r.action, "fields": r.fields, "by": r.actor.role if r.actor else ""}
        for r in records.order_by("at")
    ]


# --- the right to erasure


def personal_data_erase(*, subject: User, actor: User, ip: str | None) -> User:
    """Pseudonymise the citizen everywhere and strip and deactivate the account.

    One transaction: either every app erased its part and the account is stripped, or
    nothing changed. Files are removed from storage after the commit."""
    _require_citizen_or_supervisor(actor, subject)
    now = timezone.now()
    with transaction.atomic():
        subject = User.objects.select_for_update().get(pk=subject.pk)
        if subject.erased_at is not None:
            return subject
        contacts = [c for c in (subject.email, str(subject.phone) if subject.phone else "") if c]
        for provider in privacy_providers():
            if provider.erase is not None:
                provider.erase(subject)
        _erase_core_records(subject, contacts, now)
        _strip_account(subject, now)
        audit_record(
            actor=actor, action=AuditAction.DELETION, obj=subject, fields=sorted(_providers) + ["profile"], ip=ip
        )
    return subject


def _erase_core_records(user: User, contacts: list[str], now: datetime) -> None:
    Consent.objects.filter(user=user, withdrawn_at__isnull=True).update(withdrawn_at=now)
    OneTimeCode.objects.filter(user=user).delete()
    Notification.objects.filter(Q(user=user) | Q(recipient__in=contacts)).delete()
    Token.objects.filter(user=user).delete()
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)).update(
        object_repr=f"#{user.pk}", change_message=""
    )


def _strip_account(user: User, now: datetime) -> None:
    user.username = f"erased-{user.pk}-{secrets.token_hex(4)}"
    for field in ("email", "first_name", "last_name", "middle_name", *ENCRYPTED_IDENTIFIERS):
        setattr(user, field, "")
    user.phone = None
    user.birth_date = None
    user.set_unusable_password()
    user.is_active = False
    user.processing_restricted_at = None
    user.erased_at = now
    user.save()


# --- the right to restrict processing


def personal_data_restrict(*, subject: User, actor: User, restricted: bool, ip: str | None) -> User:
    """Restrict (or lift the restriction of) the processing of the citizen's data."""
    _require_citizen_or_supervisor(actor, subject)
    with transaction.atomic():
        subject = User.objects.select_for_update().get(pk=subject.pk)
        if subject.is_processing_restricted == restricted:
            return subject
        subject.processing_restricted_at = timezone.now() if restricted else None
        subject.save(update_fields=["processing_restricted_at"])
        action = AuditAction.RESTRICTION if restricted else AuditAction.RESTRICTION_LIFTED
        audit_record(actor=actor, action=action, obj=subject, fields=["processing_restricted_at"], ip=ip)
    return subject


def personal_data_processing_check(*, user: User | None) -> None:
    """Raise ProcessingRestricted if new processing for this citizen is not allowed."""
    if user is None or user.pk is None:
        return
    if _processing_restricted(user.pk):
        raise ProcessingRestricted()


def _processing_restricted(user_id: int) -> bool:
    """Read afresh: a socket or form may hold a user read long before. Raw SQL because every
    new appeal and every notification asks, and compiling the ORM filter cost more than
    running it (a tenth of an appeal's CPU for the two checks)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT processing_restricted_at IS NOT NULL FROM {User._meta.db_table} WHERE id = %s", [user_id]
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _withhold_notification_when_restricted(sender, instance: Notification, **kwargs) -> None:
    if not instance._state.adding or instance.user_id is None:
        return
    if instance.reference in ALWAYS_DELIVERED_REFERENCES:
        return
    if _processing_restricted(instance.user_id):
        instance.status = NotificationStatus.FAILED
        instance.last_error = "Not sent: the citizen restricted the processing of personal data."


def privacy_signals_connect() -> None:
    """Called from GosupportConfig.ready()."""
    pre_save.connect(
        _withhold_notification_when_restricted, sender=Notification, dispatch_uid="privacy-withhold-notification"
    )


# --- retention


def personal_data_purge_expired(*, now: datetime | None = None) -> dict[str, int]:
    """Delete what is past the retention term, in gosupport and every registered app."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.PD_RETENTION_DAYS)
    purged = {"notifications": _purge_notifications(cutoff), "one_time_codes": _purge_codes(now)}
    for provider in privacy_providers():
        if provider.purge_expired is not None:
            purged[provider.name] = provider.purge_expired(cutoff)
    return purged


def _purge_notifications(cutoff: datetime) -> int:
    done = Notification.objects.filter(created_at__lt=cutoff).exclude(status=NotificationStatus.PENDING)
    return done.delete()[0]


def _purge_codes(now: datetime) -> int:
    return OneTimeCode.objects.filter(expires_at__lt=now - timedelta(days=1)).delete()[0]


# --- key rotation


def encrypted_values_rotate(*, batch_size: int = 500) -> int:
    """Re-encrypt every encrypted column with the first key; rows already on it are skipped,
    so a second run changes nothing. Each batch is its own short transaction."""
    rotated = 0
    for model, field in _encrypted_columns():
        rotated += _rotate_column(model, field, batch_size)
    return rotated


def _encrypted_columns():
    from django.apps import apps

    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, crypto.EncryptedTextField):
                yield model, field


def _rotate_column(model, field, batch_size: int) -> int:
    quote = connection.ops.quote_name
    table, column, pk = quote(model._meta.db_table), quote(field.column), quote(model._meta.pk.column)
    select = f"SELECT {pk}, {column} FROM {table} WHERE {pk} > %s AND {column} <> '' ORDER BY {pk} LIMIT %s"
    # The old token in the WHERE makes a concurrent write win: it is already on the new key.
    update = f"UPDATE {table} SET {column} = %s WHERE {pk} = %s AND {column} = %s"
    rotated, last_pk = 0, 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(select, [last_pk, batch_size])
            rows = cursor.fetchall()
            for row_pk, token in rows:
                if not crypto.is_current(token):
                    cursor.execute(update, [crypto.reencrypt(token), row_pk, token])
                    rotated += cursor.rowcount
        if len(rows) < batch_size:
            return rotated
        last_pk = rows[-1][0]
