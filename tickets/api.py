"""REST doors of appeals: each parses input, calls one selector or service, and renders.

Served under /api/v1/ (included by `gosupport.api_urls`)."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from gosupport.api import BAD_INPUT, THROTTLED, UNAUTHENTICATED
from gosupport.api_errors import register_conflict
from tickets import services
from tickets.filters import TicketFilterSerializer, tickets_filter
from tickets.models import Channel, Ticket
from tickets.selectors import access_ticket, events_visible_to, messages_visible_to, tickets_visible_to
from tickets.serializers import (
    MessageCreateMultipartSerializer,
    MessageCreateSerializer,
    MessageSerializer,
    RatingSerializer,
    StatusChangeMultipartSerializer,
    StatusChangeSerializer,
    TicketCreatedSerializer,
    TicketCreateMultipartSerializer,
    TicketCreateSerializer,
    TicketDetailSerializer,
    TicketListSerializer,
)

register_conflict(services.TransitionForbidden)

NOT_FOUND = OpenApiResponse(description="No such appeal, or the caller may not see it.")
FORBIDDEN = OpenApiResponse(description="The caller's role may not do this.")
TOO_LARGE = OpenApiResponse(description="The files exceed 5 MB in total: `{files: [message]}`.")
CONFLICT = OpenApiResponse(description="The workflow forbids this now: `{detail: message}`.")


class TicketPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


@extend_schema_view(
    list=extend_schema(
        summary="A citizen's own appeals; an operator's queue",
        parameters=[TicketFilterSerializer],
        responses={200: TicketListSerializer(many=True), 400: BAD_INPUT, 401: UNAUTHENTICATED, 429: THROTTLED},
    ),
    retrieve=extend_schema(
        summary="An appeal with its status history and messages",
        responses={200: TicketDetailSerializer, 401: UNAUTHENTICATED, 404: NOT_FOUND},
    ),
)
@extend_schema(tags=["appeals"])
class TicketViewSet(viewsets.GenericViewSet):
    lookup_field = "number"
    pagination_class = TicketPagination
    serializer_class = TicketListSerializer

    def get_queryset(self) -> QuerySet[Ticket]:
        return tickets_visible_to(self.request.user)

    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(tickets_filter(self.get_queryset(), request.query_params))
        return self.get_paginated_response(TicketListSerializer(page, many=True).data)

    def retrieve(self, request: Request, number: str) -> Response:
        ticket = access_ticket(request.user, number)
        context = {
            "events": events_visible_to(request.user, ticket),
            "messages": messages_visible_to(request.user, ticket),
        }
        return Response(TicketDetailSerializer(ticket, context=context).data)

    @extend_schema(
        summary="File an appeal (the feedback form)",
        request={"application/json": TicketCreateSerializer, "multipart/form-data": TicketCreateMultipartSerializer},
        responses={
            201: TicketCreatedSerializer,
            400: BAD_INPUT,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            413: TOO_LARGE,
            429: THROTTLED,
        },
    )
    def create(self, request: Request) -> Response:
        _require(request.user.is_citizen, _("Only citizens file appeals here."))
        form = TicketCreateMultipartSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        fields = dict(form.validated_data)
        ticket = services.ticket_create(
            channel=Channel.FORM, citizen=request.user, **{**fields, "contact_phone": str(fields["contact_phone"])}
        )
        return Response(TicketCreatedSerializer(ticket).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Add a message (staff may add a private note)",
        request={"application/json": MessageCreateSerializer, "multipart/form-data": MessageCreateMultipartSerializer},
        responses={
            201: MessageSerializer,
            400: BAD_INPUT,
            401: UNAUTHENTICATED,
            404: NOT_FOUND,
            409: CONFLICT,
            413: TOO_LARGE,
        },
    )
    @action(detail=True, methods=["post"])
    def messages(self, request: Request, number: str) -> Response:
        ticket = access_ticket(request.user, number)
        form = MessageCreateMultipartSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        message = services.message_add(ticket=ticket, author=request.user, **form.validated_data)
        return Response(MessageSerializer(message).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Change the status (staff)",
        request={"application/json": StatusChangeSerializer, "multipart/form-data": StatusChangeMultipartSerializer},
        responses={
            200: TicketListSerializer,
            400: BAD_INPUT,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request: Request, number: str) -> Response:
        ticket = access_ticket(request.user, number)
        _require(request.user.is_staff_member, _("Only staff change the status of an appeal."))
        form = StatusChangeMultipartSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        fields = dict(form.validated_data)
        ticket = services.ticket_transition(ticket=ticket, actor=request.user, to_status=fields.pop("status"), **fields)
        return Response(TicketListSerializer(ticket).data)

    @extend_schema(
        summary="Rate a closed appeal (its citizen, once)",
        request=RatingSerializer,
        responses={
            201: RatingSerializer,
            400: BAD_INPUT,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    @action(detail=True, methods=["post"])
    def rating(self, request: Request, number: str) -> Response:
        ticket = access_ticket(request.user, number)
        _require(request.user.is_citizen, _("Only the citizen who filed the appeal can rate it."))
        form = RatingSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        rating = services.ticket_rate(ticket=ticket, citizen=request.user, **form.validated_data)
        return Response(RatingSerializer(rating).data, status=status.HTTP_201_CREATED)


router = SimpleRouter()
router.register("tickets", TicketViewSet, basename="api-ticket")
urlpatterns = router.urls
