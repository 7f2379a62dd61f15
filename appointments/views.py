"""Appointment pages: the centre finder, a centre's card, booking, "My bookings" and the
centre staff's desk. Thin doors onto `appointments.selectors` and `appointments.services`."""

from datetime import date, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gosupport.forms import add_service_errors

from . import notices, selectors, services
from .forms import BookingForm, CheckInForm, DayForm, FinderForm, RescheduleForm
from .models import Booking, BookingStatus, Service, ServiceCentre
from .slots import Slot, bookable_days, first_free_slot, free_slots_by_day, local_today

CALENDAR_DAYS = 35
DEFAULT_TILE_ATTRIBUTION = "© OpenStreetMap contributors"


# --- the finder and a centre's card


def _map_config() -> dict:
    return {
        "tiles": getattr(settings, "APPOINTMENTS_MAP_TILE_URL", ""),
        "attribution": getattr(settings, "APPOINTMENTS_MAP_ATTRIBUTION", DEFAULT_TILE_ATTRIBUTION),
    }


def _allow_tiles(response: HttpResponse) -> HttpResponse:
    """Let the page load map tiles from the configured tile server (django-csp's per-response update)."""
    parts = urlsplit(_map_config()["tiles"])
    if parts.scheme in ("http", "https") and parts.netloc:
        origin = f"{parts.scheme}://{parts.netloc.replace('{s}', '*')}"
        response._csp_update = {"img-src": [origin]}
    return response


def _map_points(matches: list[selectors.CentreMatch]) -> list[dict]:
    return [
        {
            "name": m.centre.name,
            "address": m.centre.address,
            "lat": m.centre.lat,
            "lon": m.centre.lon,
            "url": reverse("appointments:centre", args=[m.centre.pk]),
        }
        for m in matches
    ]


@require_GET
def finder(request):
    form = FinderForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    matches = selectors.centres_find(**form.filters()) if form.is_bound and valid else []
    if not form.is_bound:
        matches = selectors.centres_find()
    context = {
        "form": form,
        "matches": matches,
        "cities": selectors.cities(),
        "map": _map_config(),
        "map_points": _map_points(matches),
        "filtered": form.is_bound,
    }
    return _allow_tiles(render(request, "appointments/finder.html", context, status=200 if valid else 400))


@require_GET
def centre_detail(request, centre_id: int):
    centre = selectors.centre_get(centre_id)
    now = timezone.now()
    context = {
        "centre": centre,
        "week_hours": selectors.centre_week_hours(centre),
        "changes": selectors.centre_hours_changes(centre, today=local_today(centre, now)),
        "queue": selectors.centre_queue_now(centre, now=now),
        "busy": selectors.centre_busy_hours(centre, now=now),
        "map": _map_config(),
        "map_points": _map_points([selectors.CentreMatch(centre)]),
    }
    return _allow_tiles(render(request, "appointments/centre_detail.html", context))


# --- choosing a time


def _calendar_weeks(free_by_day: dict[date, list[Slot]], chosen: date) -> list[list[dict | None]]:
    """The days as weeks Monday to Sunday, with free slots per day, for the month grid."""
    days = sorted(free_by_day)
    cells: list[dict | None] = [None] * days[0].weekday()
    for day in days:
        slots = free_by_day[day]
        cells.append(
            {"date": day, "open": bool(slots), "free": sum(1 for s in slots if s.free > 0), "chosen": day == chosen}
        )
    cells += [None] * (-len(cells) % 7)
    return [cells[i : i + 7] for i in range(0, len(cells), 7)]


def _service_of(centre: ServiceCentre, slug: str | None) -> Service:
    services_here = list(centre.services.all())
    if not services_here:
        raise Http404
    if not slug:
        return services_here[0]
    service = selectors.service_offered_at(centre, slug)
    if service is None:
        raise Http404
    return service


def _picker_context(centre: ServiceCentre, service: Service, day: date | None, now, *, ignore: Booking | None = None):
    first_day, last_day = bookable_days(centre, now)
    days = min(CALENDAR_DAYS, (last_day - first_day).days + 1)
    ignore_id = ignore.pk if ignore else None
    free_by_day = free_slots_by_day(
        centre=centre, service=service, first_day=first_day, days=days, now=now, ignore_booking_id=ignore_id
    )
    if day is None or day not in free_by_day:
        day = next((d for d, slots in free_by_day.items() if any(s.free for s in slots)), first_day)
    return {
        "centre": centre,
        "service": service,
        "day": day,
        "weeks": _calendar_weeks(free_by_day, day),
        "slots": free_by_day[day],
        "weekday_names": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
    }


def _first_free_day(centre: ServiceCentre, service: Service, now) -> tuple[date | None, Slot | None]:
    slot = first_free_slot(centre=centre, service=service, now=now)
    return (local_today(centre, slot.start) if slot else None), slot


@login_required
@require_http_methods(["GET", "POST"])
def book(request, centre_id: int):
    centre = selectors.centre_get(centre_id)
    now = timezone.now()
    if request.method == "POST":
        return _book_post(request, centre, now)
    picked = DayForm(request.GET)
    picked.is_valid()
    service = _service_of(centre, picked.cleaned_data.get("service"))
    day, chosen = picked.cleaned_data.get("date"), None
    if picked.cleaned_data.get("first"):
        day, chosen = _first_free_day(centre, service, now)
        if chosen is None:
            messages.warning(request, _("There are no free times at this centre in the coming weeks."))
    form = BookingForm(initial={"service": service.slug, "start": chosen.start.isoformat() if chosen else ""})
    return _render_book(request, centre, service, day, now, form)


def _render_book(request, centre, service, day, now, form, *, alternatives=(), status=200):
    context = _picker_context(centre, service, day, now)
    context.update({"form": form, "alternatives": alternatives, "services": centre.services.all()})
    context["chosen_start"] = form["start"].value() or ""
    return render(request, "appointments/book.html", context, status=status)


def _book_post(request, centre: ServiceCentre, now):
    form = BookingForm(request.POST)
    service = _service_of(centre, request.POST.get("service"))
    alternatives = ()
    if form.is_valid():
        try:
            booking = services.booking_create(
                citizen=request.user,
                centre=centre,
                service=service,
                start=form.cleaned_data["start"],
                comment=form.cleaned_data["comment"],
                now=now,
            )
        except services.SlotTaken as taken:
            form.add_error("start", str(taken))
            alternatives = taken.alternatives
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your visit is booked. Your code is %(code)s.") % {"code": booking.code})
            return redirect("appointments:booking_detail", code=booking.code)
    start = form.cleaned_data.get("start")
    day = local_today(centre, start) if start else None
    return _render_book(
        request, centre, service, day, now, form, alternatives=alternatives, status=400 if form.errors else 200
    )


# --- my bookings


@login_required
@require_GET
def booking_list(request):
    bookings = selectors.bookings_of_citizen(request.user)
    now = timezone.now()
    context = {
        "upcoming": bookings.filter(start__gte=now - timedelta(hours=2)).order_by("start"),
        "past": bookings.filter(start__lt=now - timedelta(hours=2)).order_by("-start")[:50],
    }
    return render(request, "appointments/booking_list.html", context)


@login_required
@never_cache
@require_GET
def booking_detail(request, code: str):
    booking = selectors.access_own_booking(request.user, code)
    now = timezone.now()
    context = {
        "booking": booking,
        "history": selectors.booking_history(booking),
        "local_start": notices.local_start(booking),
        "can_change": services.booking_change_allowed(booking, now),
        "can_confirm": booking.status == BookingStatus.AWAITING_CONFIRMATION and booking.start > now,
    }
    return render(request, "appointments/booking_detail.html", context)


def _citizen_action(request, code: str, action, success: str):
    booking = selectors.access_own_booking(request.user, code)
    try:
        action(booking=booking, actor=request.user)
    except services.BookingConflict as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(request, success)
    return redirect("appointments:booking_detail", code=booking.code)


@login_required
@require_POST
def booking_confirm(request, code: str):
    return _citizen_action(request, code, services.booking_confirm, _("Your visit is confirmed."))


@login_required
@require_POST
def booking_cancel(request, code: str):
    return _citizen_action(request, code, services.booking_cancel, _("Your visit is cancelled."))


@login_required
@require_http_methods(["GET", "POST"])
def booking_reschedule(request, code: str):
    booking = selectors.access_own_booking(request.user, code)
    now = timezone.now()
    form = RescheduleForm(request.POST or None)
    alternatives = ()
    if request.method == "POST" and form.is_valid():
        try:
            services.booking_reschedule(booking=booking, actor=request.user, start=form.cleaned_data["start"], now=now)
        except services.SlotTaken as taken:
            form.add_error("start", str(taken))
            alternatives = taken.alternatives
        except services.BookingConflict as conflict:
            messages.error(request, str(conflict))
            return redirect("appointments:booking_detail", code=booking.code)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your visit has been moved."))
            return redirect("appointments:booking_detail", code=booking.code)
    picked = DayForm(request.GET)
    picked.is_valid()
    context = _picker_context(booking.centre, booking.service, picked.cleaned_data.get("date"), now, ignore=booking)
    context.update(
        {
            "booking": booking,
            "form": form,
            "alternatives": alternatives,
            "can_change": services.booking_change_allowed(booking, now),
        }
    )
    return render(request, "appointments/reschedule.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def booking_qr(request, code: str):
    booking = selectors.access_booking(request.user, code)
    return HttpResponse(notices.booking_qr_svg(booking), content_type="image/svg+xml")


@login_required
@require_GET
def booking_ics(request, code: str):
    booking = selectors.access_booking(request.user, code)
    response = HttpResponse(notices.booking_ics(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="visit-{booking.code}.ics"'
    return response


# --- the centre staff's desk


def _require_staff(user) -> None:
    """Like the operator workspace, the desk does not exist for a citizen (404, not 403)."""
    if not user.is_staff_member:
        raise Http404


@login_required
@never_cache
@require_GET
def staff_desk(request):
    _require_staff(request.user)
    form = CheckInForm(request.GET or None)
    booking = None
    if form.is_bound and form.is_valid():
        booking = (
            selectors.bookings_visible_to(request.user)
            .filter(code=selectors.code_from_scan(form.cleaned_data["code"]))
            .first()
        )
        if booking is None:
            form.add_error("code", _("No booking with this code at your centres."))
    now = timezone.now()
    centres = [
        {
            "centre": c,
            "queue": selectors.centre_queue_now(c, now=now),
            "visits": selectors.centre_today_visits(c, now=now),
        }
        for c in selectors.centres_served_by(request.user).prefetch_related("services")[:20]
    ]
    context = {"form": form, "booking": booking, "centres": centres}
    return render(request, "appointments/staff_desk.html", context)


def _staff_action(request, code: str, action, success: str):
    _require_staff(request.user)
    booking = selectors.access_booking(request.user, code)
    try:
        action(booking=booking, staff=request.user)
    except services.BookingConflict as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(request, success % {"code": booking.code})
    return redirect(reverse("appointments:staff_desk") + "?" + urlencode({"code": booking.code}))


@login_required
@require_POST
def staff_check_in(request, code: str):
    return _staff_action(request, code, services.booking_check_in, _("%(code)s is checked in."))


@login_required
@require_POST
def staff_served(request, code: str):
    return _staff_action(request, code, services.booking_mark_served, _("%(code)s is served."))


@login_required
@require_POST
def staff_no_show(request, code: str):
    return _staff_action(request, code, services.booking_mark_no_show, _("%(code)s is marked as not come."))
