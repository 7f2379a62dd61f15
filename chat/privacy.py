"""Call backs in citizens' data rights (registered as "callbacks"): a call back holds the
phone to call, which is personal data.

Export lists them; erasure deletes them (their history on the appeal, TicketEvents, is
blanked by tickets.privacy); the retention purge deletes those closed before the cutoff
(an appeal's purge deletes its call backs with it)."""

from datetime import datetime

from chat.models import CallbackRequest
from gosupport.models import User
from gosupport.privacy import PrivacyProvider


def callbacks_export(user: User) -> list[dict]:
    return [
        {
            "appeal": callback.ticket.number,
            "phone": callback.phone.as_e164,
            "scheduled_at": callback.scheduled_at.isoformat(),
            "status": callback.status,
            "booked_at": callback.created_at.isoformat(),
            "closed_at": callback.closed_at.isoformat() if callback.closed_at else None,
        }
        for callback in CallbackRequest.objects.filter(citizen=user).select_related("ticket").order_by("created_at")
    ]


def callbacks_erase(user: User) -> None:
    CallbackRequest.objects.filter(citizen=user).delete()


def callbacks_purge_expired(cutoff: datetime) -> int:
    purged, _ = CallbackRequest.objects.filter(closed_at__lt=cutoff).delete()
    return purged


provider = PrivacyProvider(
    name="callbacks", export=callbacks_export, erase=callbacks_erase, purge_expired=callbacks_purge_expired
)
