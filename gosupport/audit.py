"""The audit log of personal data: who read, revealed, changed, exported or erased what.

Rows are append-only (see AuditLog). They name fields, never values: the log itself must
hold no personal data, so it can outlive an erasure.
"""

from django.db import models

from gosupport.models import AuditAction, AuditLog, User
from gosupport.twofactor import sign_in_client_address

__all__ = ["AuditAction", "audit_record", "client_ip"]


def audit_record(
    *,
    actor: User | None,
    action: str,
    obj: models.Model,
    fields: list[str] | tuple[str, ...] = (),
    ip: str | None,
    detail: str = "",
) -> AuditLog:
    """Append one record; `obj` is the model instance whose data was touched."""
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    return AuditLog.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        fields=list(fields),
        ip=ip or None,
        detail=detail[:255],
    )


def client_ip(request) -> str | None:
    """The client's address, trusting TRUSTED_PROXY_COUNT proxies as sign-in protection does."""
    return sign_in_client_address(request) or None
