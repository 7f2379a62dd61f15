"""REST doors of the shared core: sign-up, tokens, the caller's profile, categories."""

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gosupport.models import Category, User
from gosupport.serializers import (
    CategorySerializer,
    ProfileSerializer,
    RegisterSerializer,
    TokenRequestSerializer,
    TokenSerializer,
)
from gosupport.services import citizen_register
from gosupport.twofactor import second_factor_required, verify_second_factor

BAD_INPUT = OpenApiResponse(description="Bad input: `{field: [messages]}`.")
UNAUTHENTICATED = OpenApiResponse(description="No or bad credentials.")
THROTTLED = OpenApiResponse(description="Too many requests.")


class IsStaffMember(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.is_authenticated and request.user.is_staff_member)


def client_ip(request: Request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


@extend_schema(tags=["auth"])
class RegisterView(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_scope = "auth"

    @extend_schema(
        operation_id="auth_register",
        request=RegisterSerializer,
        responses={201: ProfileSerializer, 400: BAD_INPUT, 429: THROTTLED},
        summary="Citizen sign-up",
    )
    def post(self, request: Request) -> Response:
        form = RegisterSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = citizen_register(**{**form.validated_data, "phone": form.validated_phone()}, ip=client_ip(request))
        return Response(ProfileSerializer(user).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["auth"])
class TokenView(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_scope = "auth"

    @extend_schema(
        operation_id="auth_token",
        request=TokenRequestSerializer,
        responses={200: TokenSerializer, 400: BAD_INPUT, 429: THROTTLED},
        summary="Exchange credentials (and, for staff, a one-time code) for an API token",
    )
    def post(self, request: Request) -> Response:
        form = TokenRequestSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        user = _authenticated_user(request, **form.validated_data)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


def _authenticated_user(request: Request, *, username: str, password: str, otp: str) -> User:
    # The underlying HttpRequest, so that lockout middleware sees what authentication decided.
    user = authenticate(request._request, username=username, password=password)
    if user is None:
        raise serializers.ValidationError({"non_field_errors": [_("Unable to sign in with these credentials.")]})
    if second_factor_required(user):
        if not otp:
            raise serializers.ValidationError({"otp": [_("Enter the one-time code of your second factor.")]})
        if not verify_second_factor(user=user, token=otp):
            raise serializers.ValidationError({"otp": [_("The one-time code is wrong or has expired.")]})
    return user


@extend_schema(tags=["auth"])
class MeView(APIView):
    @extend_schema(operation_id="me", responses={200: ProfileSerializer, 401: UNAUTHENTICATED}, summary="The caller")
    def get(self, request: Request) -> Response:
        return Response(ProfileSerializer(request.user).data)


@extend_schema(summary="The category taxonomy", tags=["appeals"])
class CategoryListView(generics.ListAPIView):
    permission_classes = [permissions.AllowAny]
    pagination_class = None
    serializer_class = CategorySerializer
    queryset = Category.objects.filter(is_active=True).select_related("parent")
