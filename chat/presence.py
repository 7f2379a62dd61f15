"""Presence follows the operator's desk socket.

Every open `/ws/operator/` socket stamps `OperatorProfile.desk_seen_at` when it opens,
every CHAT_DESK_HEARTBEAT_SECONDS while it stays open (server-side: no client ping is
needed) and once more when it closes. A beat sweep sets offline every operator who is
online or away and whose desk has not been seen for CHAT_DESK_GRACE_SECONDS (a presence
chosen without a desk, on the page form or by a supervisor, clears the stamp and stays); offers
pending to them are released and go to the next free operator at once. A desk that
reconnects within the grace (a reload, a network blip, a restarted daphne) stamps again
and keeps the presence. The stamp is a column, not process memory, so any number of
daphne processes agree, and a killed process simply stops stamping."""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gosupport.audit import AuditAction, audit_record
from gosupport.models import OperatorProfile, Presence, User

SWEEP_LIMIT = 500


def operator_desk_seen(*, operator: User, now: datetime | None = None) -> None:
    """A desk socket of this operator is open (or has just closed): one cheap update."""
    OperatorProfile.objects.filter(user=operator).update(desk_seen_at=now or timezone.now())


def _desk_gone(now: datetime) -> Q:
    cutoff = now - timedelta(seconds=settings.CHAT_DESK_GRACE_SECONDS)
    # Never seen (null): the presence was chosen without a desk and is not the desk's to end.
    return Q(presence__in=(Presence.ONLINE, Presence.AWAY), desk_seen_at__lt=cutoff)


def operators_presence_sweep(*, now: datetime | None = None) -> int:
    """Set offline the operators whose desk is gone; their pending offers move on.
    Safe to run twice at once: rows another sweep holds are skipped, and the update is conditional."""
    from chat.services import chat_offers_sweep, offers_release

    now = now or timezone.now()
    with transaction.atomic():
        gone = list(
            OperatorProfile.objects.select_for_update(skip_locked=True)
            .filter(_desk_gone(now))
            .order_by("pk")[:SWEEP_LIMIT]
        )
        changed = [profile for profile in gone if _set_offline(profile, now)]
        offers_release(operator_ids=[profile.user_id for profile in changed], now=now)
    if changed:
        chat_offers_sweep(now=now)
    return len(changed)


def _set_offline(profile: OperatorProfile, now: datetime) -> bool:
    updated = OperatorProfile.objects.filter(_desk_gone(now), pk=profile.pk).update(
        presence=Presence.OFFLINE, presence_changed_at=now
    )
    if updated:
        audit_record(
            actor=None,
            action=AuditAction.CHANGE,
            obj=profile,
            fields=["presence"],
            ip=None,
            detail=f"offline: no desk seen for {settings.CHAT_DESK_GRACE_SECONDS} s (was {profile.presence})",
        )
    return bool(updated)
