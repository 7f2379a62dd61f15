"""Supervisors see the call backs, read-only: every change goes through chat.callbacks."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from chat.models import CallbackRequest
from gosupport.admin import ReadOnlyAdmin


@admin.register(CallbackRequest)
class CallbackRequestAdmin(ReadOnlyAdmin):
    list_display = ("scheduled_at", "number", "status", "phone", "citizen", "operator", "created_at", "closed_at")
    list_filter = ("status",)
    search_fields = ("ticket__number",)
    list_select_related = ("ticket", "citizen", "operator")
    date_hierarchy = "scheduled_at"
    fields = readonly_fields = (
        "ticket",
        "citizen",
        "phone",
        "scheduled_at",
        "status",
        "operator",
        "created_at",
        "due_at",
        "closed_at",
    )

    @admin.display(description=_("appeal"), ordering="ticket__number")
    def number(self, obj: CallbackRequest) -> str:
        return obj.ticket.number
