"""What a booking tells its citizen (through the notifications outbox), and the documents
it comes with: the QR code staff scan at the centre and the .ics calendar file."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import segno
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from gosupport.notifications import notify_contact

from .models import Booking, BookingEventKind, BookingStatus

BOOKED = "booked"
CONFIRMED = "confirmed"
RESCHEDULED = "rescheduled"
CANCELLED = "cancelled"
REMINDER_24H = "reminder_24h"
REMINDER_2H = "reminder_2h"


def local_start(booking: Booking) -> datetime:
    return booking.start.astimezone(ZoneInfo(booking.centre.timezone))


def _when(moment: datetime, booking: Booking) -> str:
    return date_format(moment.astimezone(ZoneInfo(booking.centre.timezone)), "DATETIME_FORMAT")


def _subject(kind: str) -> str:
    return {
        BOOKED: _("Your visit is booked"),
        CONFIRMED: _("Your visit is confirmed"),
        RESCHEDULED: _("Your visit has been moved"),
        CANCELLED: _("Your visit has been cancelled"),
        REMINDER_24H: _("Your visit is tomorrow"),
        REMINDER_2H: _("Your visit is in two hours"),
    }[kind]


def _body(booking: Booking, kind: str, previous_start: datetime | None) -> str:
    facts = {
        "code": booking.code,
        "service": booking.service.title,
        "centre": booking.centre.name,
        "address": booking.centre.address,
        "when": _when(booking.start, booking),
        "url": booking_absolute_url(booking),
    }
    if kind == CANCELLED:
        return _("The visit %(code)s (%(service)s, %(centre)s, %(when)s) is cancelled.") % facts
    lines = [_("Code %(code)s: %(service)s, %(when)s, %(centre)s, %(address)s.") % facts]
    if kind == RESCHEDULED and previous_start is not None:
        lines.append(_("Previous time: %(when)s.") % {"when": _when(previous_start, booking)})
    if kind == BOOKED:
        lines.append(_("Please confirm the visit on the booking page."))
    lines.append(_("Booking page: %(url)s") % facts)
    return "\n".join(lines)


def booking_notify(booking: Booking, kind: str, *, previous_start: datetime | None = None) -> None:
    citizen = booking.citizen
    notify_contact(
        email=citizen.email,
        phone=str(citizen.phone or ""),
        subject=_subject(kind),
        body=_body(booking, kind, previous_start),
        user=citizen,
        reference=f"booking:{booking.code}:{kind}",
    )


def booking_absolute_url(booking: Booking) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("appointments:booking_detail", args=[booking.code])


def check_in_url(booking: Booking) -> str:
    """What the QR code holds: the staff check-in page with the code filled in; a scanner
    that types into the check-in field works too, the page takes a code or this address."""
    return settings.SITE_URL.rstrip("/") + reverse("appointments:staff_desk") + f"?code={booking.code}"


def booking_qr_svg(booking: Booking) -> bytes:
    qr = segno.make(check_in_url(booking), error="m")
    out = io.BytesIO()
    qr.save(out, kind="svg", scale=5, border=4, xmldecl=False, title=_("Booking %(code)s") % {"code": booking.code})
    return out.getvalue()


# --- iCalendar (RFC 5545)


def _ics_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _ics_fold(line: str) -> list[str]:
    """Lines of at most 75 octets; continuation lines start with a space."""
    folded, current = [], ""
    for char in line:
        if len((current + char).encode()) > 75:
            folded.append(current)
            current = " "
        current += char
    return [*folded, current]


def _ics_time(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")


ICS_STATUS = {BookingStatus.AWAITING_CONFIRMATION: "TENTATIVE", BookingStatus.CANCELLED: "CANCELLED"}


def booking_ics(booking: Booking) -> str:
    centre = booking.centre
    summary = _("%(service)s at %(centre)s") % {"service": booking.service.title, "centre": centre.name}
    description = _("Booking code %(code)s. %(url)s") % {"code": booking.code, "url": booking_absolute_url(booking)}
    host = settings.SITE_URL.split("://")[-1].split("/")[0].split(":")[0] or "gosupport"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//gosupport//appointments//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{booking.code}@{host}",
        f"DTSTAMP:{_ics_time(timezone.now())}",
        f"DTSTART:{_ics_time(booking.start)}",
        f"DTEND:{_ics_time(booking.end)}",
        f"SUMMARY:{_ics_escape(summary)}",
        f"LOCATION:{_ics_escape(f'{centre.name}, {centre.address}')}",
        f"GEO:{centre.lat:.6f};{centre.lon:.6f}",
        f"DESCRIPTION:{_ics_escape(description)}",
        f"SEQUENCE:{booking.events.filter(kind=BookingEventKind.RESCHEDULED).count()}",
        f"STATUS:{ICS_STATUS.get(booking.status, 'CONFIRMED')}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(part for line in lines for part in _ics_fold(line)) + "\r\n"
