"""The portal's integration door: it pushes application status changes here."""

import secrets

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from gosupport.portal_applications import portal_application_sync


class ApplicationStatusSerializer(serializers.Serializer):
    number = serializers.CharField(max_length=32)
    service = serializers.CharField(max_length=255)
    status = serializers.CharField(max_length=120)
    at = serializers.DateTimeField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    citizen_email = serializers.EmailField(required=False, allow_blank=True, default="")
    citizen_phone = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")
    citizen_snils = serializers.CharField(required=False, allow_blank=True, max_length=20, default="")

    def validate(self, data):
        if not (data["citizen_email"] or data["citizen_phone"] or data["citizen_snils"]):
            raise serializers.ValidationError({"citizen_email": _("Give the citizen’s SNILS, e-mail or phone.")})
        return data


class PortalTokenAuthentication(BaseAuthentication):
    """The portal is a system, not a person: it proves itself with the shared integration token."""

    def authenticate(self, request):
        expected = settings.PORTAL_INTEGRATION_TOKEN
        given = get_authorization_header(request).decode("latin1")
        if not expected or not secrets.compare_digest(given, f"Bearer {expected}"):
            raise AuthenticationFailed()
        return (AnonymousUser(), "portal")

    def authenticate_header(self, request):
        return "Bearer"


class PortalTokenScheme(OpenApiAuthenticationExtension):
    target_class = PortalTokenAuthentication
    name = "portalIntegrationToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "The portal's integration token."}


class ApplicationStatusView(APIView):
    """Called by the portal, not by people: authenticated by the integration token."""

    authentication_classes = [PortalTokenAuthentication]
    permission_classes = [AllowAny]
    throttle_classes: list = []

    @extend_schema(
        summary="The portal pushes a status change of a citizen's application (integration token)",
        request=ApplicationStatusSerializer,
        responses={
            201: OpenApiResponse(description="Recorded; the citizen is notified."),
            200: OpenApiResponse(description="Already recorded; nothing changed."),
            400: OpenApiResponse(description="Bad input or unknown citizen."),
            401: OpenApiResponse(description="Wrong or missing integration token."),
        },
    )
    def post(self, request):
        data = ApplicationStatusSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        application, news = portal_application_sync(**data.validated_data)
        body = {"number": application.number, "status": application.status}
        return Response(body, status=status.HTTP_201_CREATED if news else status.HTTP_200_OK)
