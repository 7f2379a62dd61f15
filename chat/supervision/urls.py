"""Mounted under /admin/dashboard/ (before the admin's own URLs); the admin site guards every page."""

from django.contrib import admin
from django.urls import path

from chat.supervision import views

app_name = "supervision"

urlpatterns = [
    path("", admin.site.admin_view(views.dashboard_view), name="dashboard"),
    path(
        "operators/<int:user_id>/presence/",
        admin.site.admin_view(views.operator_presence_view),
        name="operator_presence",
    ),
    path("quality/", admin.site.admin_view(views.quality_view), name="quality"),
]
