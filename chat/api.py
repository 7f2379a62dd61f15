"""REST doors of the live chat: open a chat, upload a file to send in a frame."""

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import PermissionDenied
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from chat import selectors, services
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


urlpatterns = [
    path("chats/", ChatOpenView.as_view(), name="api-chat-open"),
    path("chats/<str:number>/attachments/", ChatAttachmentView.as_view(), name="api-chat-attachment"),
]
