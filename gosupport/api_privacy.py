"""REST door of the right of access: everything the centre holds about the caller."""

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from gosupport.audit import client_ip
from gosupport.privacy import personal_data_export


class MyDataExportView(APIView):
    @extend_schema(
        operation_id="me_export",
        tags=["me"],
        summary="Export of all my personal data",
        description=(
            "The caller's profile, consents, notifications, who accessed their data, and one section per "
            "app (`tickets`: appeals with public messages and history; other apps add theirs). "
            "Every export is recorded in the audit log."
        ),
        responses={
            200: OpenApiResponse(response=OpenApiTypes.OBJECT, description="All data held about the caller."),
            401: OpenApiResponse(description="No or bad credentials."),
        },
    )
    def get(self, request: Request) -> Response:
        return Response(personal_data_export(subject=request.user, actor=request.user, ip=client_ip(request)))


urlpatterns = [path("", MyDataExportView.as_view(), name="api-me-export")]
