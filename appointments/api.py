"""REST doors of appointments (API.md, "Appointments"): each parses input, calls one
selector or service, and renders. Served under /api/v1/ (see appointments.api_urls)."""

from datetime import date

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from gosupport.api import BAD_INPUT, THROTTLED, UNAUTHENTICATED
from gosupport.api_errors import register_conflict

from . import notices, selectors, services
from .models import Service, ServiceCentre
from .serializers import (
    BookingCreateSerializer,
    BookingDetailSerializer,
    BookingSerializer,
    CancelSerializer,
    CentreDetailSerializer,
    CentreQuerySerializer,
    CentreSerializer,
    FirstSlotQuerySerializer,
    FirstSlotSerializer,
    RescheduleSerializer,
    ServiceSerializer,
    SlotQuerySerializer,
    SlotSerializer,
    SlotTakenSerializer,
    SuggestionsSerializer,
    SuggestQuerySerializer,
)
from .slots import bookable_days, first_free_slot, free_slots, local_today

register_conflict(services.BookingConflict)

NOT_FOUND = OpenApiResponse(description="No such booking or centre, or the caller may not see it.")
FORBIDDEN = OpenApiResponse(description="The caller's role may not do this.")
CONFLICT = OpenApiResponse(description="The booking's state forbids this now: `{detail: message}`.")
SLOT_TAKEN = OpenApiResponse(
    SlotTakenSerializer, description="The time was just taken: `{detail, alternatives: [slots]}`."
)


class SvgRenderer(renderers.BaseRenderer):
    media_type = "image/svg+xml"
    format = "svg"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else renderers.JSONRenderer().render(data)


class CalendarRenderer(SvgRenderer):
    media_type = "text/calendar"
    format = "ics"


def _bad(field: str, message: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [message]})


def _service_at(centre: ServiceCentre, slug: str) -> Service:
    service = selectors.service_offered_at(centre, slug)
    if service is None:
        raise _bad("service", _("This centre does not offer this service."))
    return service


@extend_schema(tags=["appointments"], summary="The services centres offer")
class ServiceViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [permissions.AllowAny]
    pagination_class = None
    serializer_class = ServiceSerializer
    queryset = selectors.services_offered()


def _checked_day(centre: ServiceCentre, day: date, now) -> date:
    first, last = bookable_days(centre, now)
    if not first <= day <= last:
        message = _("Choose a day from %(first)s to %(last)s.") % {"first": first.isoformat(), "last": last.isoformat()}
        raise _bad("date", message)
    return day


@extend_schema_view(
    list=extend_schema(
        summary="Find service centres",
        description="Every filter is optional; with `lat`/`lon` each centre has `distance_km`, nearest first.",
        parameters=[CentreQuerySerializer],
        responses={200: CentreSerializer(many=True), 400: BAD_INPUT, 429: THROTTLED},
    ),
    retrieve=extend_schema(
        summary="A centre's card: hours and their changes, queue now, busy hours",
        responses={200: CentreDetailSerializer, 404: NOT_FOUND},
    ),
)
@extend_schema(tags=["appointments"])
class CentreViewSet(viewsets.GenericViewSet):
    lookup_value_regex = r"\d+"
    permission_classes = [permissions.AllowAny]
    pagination_class = None
    serializer_class = CentreSerializer

    def get_queryset(self):
        return selectors.centres_active()

    def list(self, request: Request) -> Response:
        query = CentreQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        now = timezone.now()
        matches = selectors.centres_find(**query.validated_data, now=now)
        context = {"now": now, "distances": {m.centre.pk: m.distance_km for m in matches}, "request": request}
        return Response(CentreSerializer([m.centre for m in matches], many=True, context=context).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        centre = selectors.centre_get(int(pk))
        now = timezone.now()
        centre._changes = selectors.centre_hours_changes(centre, today=local_today(centre, now))
        centre._queue = selectors.centre_queue_now(centre, now=now)
        centre._busy = selectors.centre_busy_hours(centre, now=now)
        return Response(CentreDetailSerializer(centre, context={"now": now, "request": request}).data)

    @extend_schema(
        summary="A day's appointment times at a centre for a service",
        parameters=[SlotQuerySerializer],
        responses={200: SlotSerializer(many=True), 400: BAD_INPUT, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"])
    def slots(self, request: Request, pk: str) -> Response:
        centre = selectors.centre_get(int(pk))
        query = SlotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        now = timezone.now()
        service = _service_at(centre, query.validated_data["service"])
        day = _checked_day(centre, query.validated_data["date"], now)
        return Response(SlotSerializer(free_slots(centre=centre, service=service, day=day, now=now), many=True).data)

    @extend_schema(
        summary="The first available time at a centre for a service",
        parameters=[FirstSlotQuerySerializer],
        responses={200: FirstSlotSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], url_path="first-available")
    def first_available(self, request: Request, pk: str) -> Response:
        centre = selectors.centre_get(int(pk))
        query = FirstSlotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        slot = first_free_slot(centre=centre, service=_service_at(centre, query.validated_data["service"]))
        return Response(FirstSlotSerializer({"slot": slot}).data)

    @extend_schema(
        summary="Cities and addresses for autocomplete",
        parameters=[SuggestQuerySerializer],
        responses={200: SuggestionsSerializer, 400: BAD_INPUT},
    )
    @action(detail=False, methods=["get"])
    def suggest(self, request: Request) -> Response:
        query = SuggestQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response({"suggestions": selectors.centre_suggestions(q=query.validated_data["q"])})


def _slot_taken(taken: services.SlotTaken) -> Response:
    body = {"detail": str(taken), "alternatives": SlotSerializer(taken.alternatives, many=True).data}
    return Response(body, status=status.HTTP_409_CONFLICT)


def _require_staff(user) -> None:
    if not user.is_staff_member:
        raise PermissionDenied(_("Only the centre's staff do this."))


STAFF_ACTION = extend_schema(
    request=None,
    responses={200: BookingSerializer, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT},
)


@extend_schema_view(
    list=extend_schema(
        summary="The caller's own bookings, latest first",
        responses={200: BookingSerializer(many=True), 401: UNAUTHENTICATED},
    ),
    retrieve=extend_schema(
        summary="A booking with its history",
        responses={200: BookingDetailSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    ),
)
@extend_schema(tags=["appointments"])
class BookingViewSet(viewsets.GenericViewSet):
    lookup_field = "code"
    pagination_class = None
    serializer_class = BookingSerializer

    def get_queryset(self):
        return selectors.bookings_visible_to(self.request.user).order_by("-start")

    def _booking(self, code: str):
        return selectors.access_booking(self.request.user, code)

    def _answer(self, booking, status_code=status.HTTP_200_OK) -> Response:
        return Response(BookingSerializer(booking, context={"request": self.request}).data, status=status_code)

    def list(self, request: Request) -> Response:
        bookings = selectors.bookings_of_citizen(request.user).order_by("-start")
        return Response(BookingSerializer(bookings, many=True, context={"request": request}).data)

    def retrieve(self, request: Request, code: str) -> Response:
        booking = self._booking(code)
        return Response(BookingDetailSerializer(booking, context={"request": request}).data)

    @extend_schema(
        summary="Book a visit",
        request=BookingCreateSerializer,
        responses={
            201: BookingSerializer,
            400: BAD_INPUT,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            409: SLOT_TAKEN,
            429: THROTTLED,
        },
    )
    def create(self, request: Request) -> Response:
        form = BookingCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        centre = selectors.centres_active().filter(pk=data["centre"]).first()
        if centre is None:
            raise _bad("centre", _("No such centre."))
        service = _service_at(centre, data["service"])
        try:
            booking = services.booking_create(
                citizen=request.user, centre=centre, service=service, start=data["start"], comment=data["comment"]
            )
        except services.SlotTaken as taken:
            return _slot_taken(taken)
        return self._answer(booking, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Confirm a visit",
        request=None,
        responses={200: BookingSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, code: str) -> Response:
        return self._answer(services.booking_confirm(booking=self._booking(code), actor=request.user))

    @extend_schema(
        summary="Move a visit to another free time (up to 24 h before it)",
        request=RescheduleSerializer,
        responses={
            200: BookingSerializer,
            400: BAD_INPUT,
            401: UNAUTHENTICATED,
            404: NOT_FOUND,
            409: SLOT_TAKEN,
        },
    )
    @action(detail=True, methods=["post"])
    def reschedule(self, request: Request, code: str) -> Response:
        booking = self._booking(code)
        form = RescheduleSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        try:
            booking = services.booking_reschedule(booking=booking, actor=request.user, **form.validated_data)
        except services.SlotTaken as taken:
            return _slot_taken(taken)
        return self._answer(booking)

    @extend_schema(
        summary="Cancel a visit (409 within 24 h of it)",
        request=CancelSerializer,
        responses={200: BookingSerializer, 400: BAD_INPUT, 401: UNAUTHENTICATED, 404: NOT_FOUND, 409: CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, code: str) -> Response:
        booking = self._booking(code)
        form = CancelSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        return self._answer(services.booking_cancel(booking=booking, actor=request.user, **form.validated_data))

    @extend_schema(
        summary="The booking's QR code (SVG) for check-in at the centre",
        responses={(200, "image/svg+xml"): OpenApiTypes.BINARY, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, SvgRenderer], url_name="qr")
    def qr(self, request: Request, code: str) -> HttpResponse:
        return HttpResponse(notices.booking_qr_svg(self._booking(code)), content_type="image/svg+xml")

    @extend_schema(
        summary="The visit as an iCalendar file",
        responses={(200, "text/calendar"): OpenApiTypes.STR, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, CalendarRenderer], url_name="ics")
    def ics(self, request: Request, code: str) -> HttpResponse:
        booking = self._booking(code)
        response = HttpResponse(notices.booking_ics(booking), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="visit-{booking.code}.ics"'
        return response

    @STAFF_ACTION
    @extend_schema(summary="Staff: check the visitor in (by code or QR)")
    @action(detail=True, methods=["post"], url_path="check-in")
    def check_in(self, request: Request, code: str) -> Response:
        _require_staff(request.user)
        return self._answer(services.booking_check_in(booking=self._booking(code), staff=request.user))

    @STAFF_ACTION
    @extend_schema(summary="Staff: the visitor is served")
    @action(detail=True, methods=["post"])
    def served(self, request: Request, code: str) -> Response:
        _require_staff(request.user)
        return self._answer(services.booking_mark_served(booking=self._booking(code), staff=request.user))

    @STAFF_ACTION
    @extend_schema(summary="Staff: the visitor did not come")
    @action(detail=True, methods=["post"], url_path="no-show")
    def no_show(self, request: Request, code: str) -> Response:
        _require_staff(request.user)
        return self._answer(services.booking_mark_no_show(booking=self._booking(code), staff=request.user))


router = SimpleRouter()
router.register("services", ServiceViewSet, basename="api-service")
router.register("centres", CentreViewSet, basename="api-centre")
router.register("bookings", BookingViewSet, basename="api-booking")
