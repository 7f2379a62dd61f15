"""REST doors of the live chat: open a chat, read its status, upload a file to send in a
frame, book or cancel a call back (see chat.callbacks and the README's API notes)."""

from django.urls import path
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from chat import callbacks, selectors, services
from chat.models import CallbackStatus, Phase
from gosupport.models import Category
from tickets.services import attachment_upload


class ChatOpenSerializer(serializers.Serializer):
    text = serializers.CharField(required=False, allow_blank=True, max_length=services.MAX_TEXT_LENGTH)
    category = serializers.SlugRelatedField(
        slug_field="slug", queryset=Category.objects.filter(is_active=True), required=False
    )


class ChatOpenedSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.CharField()
    websocket = serializers.CharField()


class ChatUploadSerializer(serializers.Serializer):
    file = serializers.FileField()


class ChatOpenView(APIView):
    @extend_schema(
        summary="A citizen opens a chat (an appeal on the chat channel)",
        request=ChatOpenSerializer,
        responses={
            201: ChatOpenedSerializer,
            400: OpenApiResponse(description="Bad input."),
            403: OpenApiResponse(description="Only citizens open chats."),
        },
    )
    def post(self, request):
        if not request.user.is_citizen:
            raise PermissionDenied()
        data = ChatOpenSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        ticket = services.chat_start(citizen=request.user, **data.validated_data)
        body = {"number": ticket.number, "status": ticket.chat.phase, "websocket": f"/ws/chat/{ticket.number}/"}
        return Response(body, status=status.HTTP_201_CREATED)


class ChatAttachmentView(APIView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="Upload a file to send in a chat frame (PDF/JPG/PNG by content)",
        request={"multipart/form-data": ChatUploadSerializer},
        responses={
            201: inline_serializer("ChatAttachmentCreated", {"id": serializers.IntegerField()}),
            400: OpenApiResponse(description="Not a PDF, JPG or PNG."),
            404: OpenApiResponse(description="No such chat for the caller."),
            413: OpenApiResponse(description="Too large."),
        },
    )
    def post(self, request, number: str):
        ticket = selectors.chat_session_visible(user=request.user, number=number).ticket
        data = ChatUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        attachment = attachment_upload(ticket=ticket, uploader=request.user, file=data.validated_data["file"])
        return Response({"id": attachment.pk}, status=status.HTTP_201_CREATED)


class ChatOperatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ChatStatusSerializer(serializers.Serializer):
    number = serializers.CharField()
    status = serializers.ChoiceField(choices=Phase.choices)
    position = serializers.IntegerField(required=False, help_text="Place in the queue, while queued.")
    wait_seconds = serializers.IntegerField(
        required=False, help_text="Expected wait while queued; absent when it cannot be estimated (nobody online)."
    )
    operator = ChatOperatorSerializer(required=False)


class ChatStatusView(APIView):
    @extend_schema(
        summary="A chat's status: what the last status frame said (position and expected wait while queued)",
        responses={200: ChatStatusSerializer, 404: OpenApiResponse(description="No such chat for the caller.")},
    )
    def get(self, request, number: str):
        session = selectors.chat_session_visible(user=request.user, number=number)
        frame = services.status_frame(session)
        body = {"number": session.ticket.number, **{key: value for key, value in frame.items() if key != "type"}}
        return Response(body)


class CallbackSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=CallbackStatus.choices)
    scheduled_at = serializers.DateTimeField()
    phone = serializers.CharField(source="phone.as_e164")
    created_at = serializers.DateTimeField()


class CallbackOptionsSerializer(serializers.Serializer):
    slots = serializers.ListField(child=serializers.DateTimeField(), help_text="Times that can be booked.")
    phone = serializers.CharField(help_text="The profile's phone, offered by default (may be empty).")
    callback = CallbackSerializer(allow_null=True, help_text="The booked call back, if any.")


class CallbackBookSerializer(serializers.Serializer):
    scheduled_at = serializers.DateTimeField(help_text="One of the offered slots, with its offset.")
    phone = serializers.CharField(
        required=False, allow_blank=True, max_length=32, help_text="+7 and ten digits; the profile's when omitted."
    )


CALLBACK_NOT_FOUND = OpenApiResponse(description="No such chat for the caller (or, for DELETE, nothing booked).")
CALLBACK_FORBIDDEN = OpenApiResponse(description="Staff: only the chat's citizen books call backs.")


class ChatCallbackView(APIView):
    """The citizen's call back about their chat: GET the slots, POST a booking, DELETE to cancel."""

    def _ticket(self, request, number: str):
        ticket = selectors.chat_session_visible(user=request.user, number=number).ticket
        if not request.user.is_citizen:
            raise PermissionDenied(_("Only the citizen of the chat can book a call back."))
        return ticket

    @extend_schema(
        summary="The times a call back can be booked for, and the one booked",
        responses={200: CallbackOptionsSerializer, 403: CALLBACK_FORBIDDEN, 404: CALLBACK_NOT_FOUND},
    )
    def get(self, request, number: str):
        ticket = self._ticket(request, number)
        booked = selectors.callback_open_of(ticket=ticket, citizen=request.user)
        body = {
            "slots": callbacks.callback_slots() if ticket.is_open else [],
            "phone": request.user.phone.as_e164 if request.user.phone else "",
            "callback": booked,
        }
        return Response(CallbackOptionsSerializer(body).data)

    @extend_schema(
        summary="Book a call back at one of the offered times",
        request=CallbackBookSerializer,
        responses={
            201: CallbackSerializer,
            400: OpenApiResponse(
                description="Not an offered time (or it filled up), or not a +7 phone: `{field: [message]}`."
            ),
            403: CALLBACK_FORBIDDEN,
            404: CALLBACK_NOT_FOUND,
            409: OpenApiResponse(description="One is booked already, or the chat is closed."),
        },
    )
    def post(self, request, number: str):
        ticket = self._ticket(request, number)
        data = CallbackBookSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        booked = callbacks.callback_book(ticket=ticket, citizen=request.user, **data.validated_data)
        return Response(CallbackSerializer(booked).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Cancel the booked call back",
        request=None,
        responses={200: CallbackSerializer, 403: CALLBACK_FORBIDDEN, 404: CALLBACK_NOT_FOUND},
    )
    def delete(self, request, number: str):
        ticket = self._ticket(request, number)
        booked = selectors.callback_open_of(ticket=ticket, citizen=request.user)
        if booked is None:
            raise NotFound(_("There is no booked call back to cancel."))
        cancelled = callbacks.callback_cancel(callback=booked, citizen=request.user)
        return Response(CallbackSerializer(cancelled).data)


urlpatterns = [
    path("chats/", ChatOpenView.as_view(), name="api-chat-open"),
    path("chats/<str:number>/", ChatStatusView.as_view(), name="api-chat-status"),
    path("chats/<str:number>/attachments/", ChatAttachmentView.as_view(), name="api-chat-attachment"),
    path("chats/<str:number>/callback/", ChatCallbackView.as_view(), name="api-chat-callback"),
]
