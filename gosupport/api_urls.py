"""The public REST API, v1 (see API.md). Each app's doors are included by module path,
so the core imports none of the apps."""

from django.urls import include, path

from gosupport import api, api_integration

urlpatterns = [
    path("auth/register/", api.RegisterView.as_view(), name="api-register"),
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("me/export/", include("gosupport.api_privacy")),
    path("categories/", api.CategoryListView.as_view(), name="api-categories"),
    path(
        "integration/applications/",
        api_integration.ApplicationStatusView.as_view(),
        name="api-integration-application-status",
    ),
    path("", include("tickets.api")),
]
