from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api/v1/", include("appointments.api_urls")),
    path("api/v1/", include("chat.api")),
    path("api/v1/", include("gosupport.api_urls")),
    path("api/v1/kb/", include("knowledgebase.api_urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/dashboard/", include("chat.supervision.urls")),
    path("admin/", admin.site.urls),
    path("messengers/", include("chat.api_messengers")),
    path("workspace/log/", include("tickets.urls_channels")),
    path("workspace/", include("tickets.urls_workspace")),
    path("chat/", include("chat.urls")),
    path("help/faq/", include("knowledgebase.urls")),
    path("help/", include("tickets.urls_portal")),
    path("appointments/", include("appointments.urls")),
    path("account/2fa/", include("gosupport.urls_2fa")),
    path("account/privacy/", include("gosupport.views_privacy")),
    path("", include("gosupport.urls_accounts")),
]
