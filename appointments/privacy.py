"""Bookings' part in citizens' data rights: export, erasure, retention.

Registered with gosupport's privacy registry from AppointmentsConfig.ready() (see
gosupport/privacy.py for the contract). New bookings of a citizen who restricted
processing are refused by the booking service itself (personal_data_processing_check)."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from gosupport.audit import audit_record
from gosupport.models import AuditAction, Notification, User
from gosupport.privacy import PrivacyProvider

from .models import ACTIVE, ACTIVE_STATUSES, Booking, BookingEvent, BookingEventKind, BookingStatus

PURGE_BATCH = 200


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def bookings_export(user: User) -> list[dict[str, Any]]:
    bookings = Booking.objects.filter(citizen=user).select_related("centre", "service").prefetch_related("events")
    return [_booking_data(booking) for booking in bookings.order_by("created_at")]


def _booking_data(booking: Booking) -> dict[str, Any]:
    return {
        "code": booking.code,
        "centre": booking.centre.name,
        "address": booking.centre.address,
        "service": booking.service.slug,
        "start": _iso(booking.start),
        "end": _iso(booking.end),
        "status": booking.status,
        "comment": booking.comment,
        "created_at": _iso(booking.created_at),
        "checked_in_at": _iso(booking.checked_in_at),
        "served_at": _iso(booking.served_at),
        "history": [
            {"at": _iso(e.at), "kind": e.kind, "from_start": _iso(e.from_start), "to_start": _iso(e.to_start)}
            for e in booking.events.all()
        ],
    }


def _notifications_of(codes: list[str]) -> Q:
    match = Q(pk__in=[])
    for code in codes:
        match |= Q(reference__startswith=f"booking:{code}:")
    return match


def bookings_erase(user: User) -> None:
    """Blank the citizen's comments, free the windows of upcoming visits (cancelled, so the
    centre's history stays countable) and drop the messages sent about them."""
    now = timezone.now()
    bookings = Booking.objects.filter(citizen=user)
    codes = list(bookings.values_list("code", flat=True))
    upcoming = list(bookings.filter(ACTIVE, start__gt=now))
    bookings.filter(pk__in=[b.pk for b in upcoming]).update(status=BookingStatus.CANCELLED, cancelled_at=now)
    BookingEvent.objects.bulk_create(
        BookingEvent(booking=b, at=now, kind=BookingEventKind.CANCELLED, from_status=b.status, to_status="cancelled")
        for b in upcoming
    )
    bookings.update(comment="")
    BookingEvent.objects.filter(booking__citizen=user).update(comment="")
    if codes:
        Notification.objects.filter(_notifications_of(codes)).delete()


def bookings_purge_expired(cutoff: datetime) -> int:
    """Delete visits that ended before `cutoff` (never an active one), with their history."""
    purged = 0
    while True:
        with transaction.atomic():
            batch = list(
                Booking.objects.select_for_update(skip_locked=True)
                .filter(end__lt=cutoff)
                .exclude(status__in=ACTIVE_STATUSES)
                .order_by("end")[:PURGE_BATCH]
            )
            for booking in batch:
                audit_record(actor=None, action=AuditAction.PURGE, obj=booking, fields=["booking"], ip=None)
            if batch:
                Notification.objects.filter(_notifications_of([b.code for b in batch])).delete()
            Booking.objects.filter(pk__in=[b.pk for b in batch]).delete()
        purged += len(batch)
        if len(batch) < PURGE_BATCH:
            return purged


provider = PrivacyProvider(
    name="appointments", export=bookings_export, erase=bookings_erase, purge_expired=bookings_purge_expired
)
