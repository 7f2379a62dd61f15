"""The supervisor's admin for the shared core: people, skills, the taxonomy, calendars,
and the records nobody edits by hand (notifications, the audit log, consents)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from gosupport.models import (
    AuditLog,
    BusinessCalendar,
    CalendarException,
    Category,
    Consent,
    Notification,
    OperatorProfile,
    Role,
    User,
)
from gosupport.notifications import SECRET_REFERENCES

admin.site.site_header = _("Help centre supervision")
admin.site.site_title = _("Help centre administration")
admin.site.index_title = _("Running the contact centre")


def supervisors_only(request: HttpRequest) -> bool:
    """The role decides, not the is_staff flag alone: an operator who was given is_staff
    by mistake still does not get the admin."""
    user = request.user
    return user.is_active and user.is_staff and getattr(user, "role", None) == Role.SUPERVISOR


admin.site.has_permission = supervisors_only


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written only by the system: supervisors look, never add, change or delete."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    # INN, SNILS and the passport are encrypted and revealed only through the audited
    # privacy services, so they are not on this form.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("last_name", "first_name", "middle_name", "birth_date", "email", "phone")}),
        (_("Role and access"), {"fields": ("role", "is_active", "is_staff", "is_superuser", "groups")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("username", "role", "email", "usable_password", "password1", "password2"),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("username", "full_name", "email", "phone", "role", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_staff")
    search_fields = ("username", "email", "last_name", "first_name", "middle_name", "phone")
    ordering = ("username",)

    @admin.display(description=_("name"))
    def full_name(self, user: User) -> str:
        return user.full_name()


@admin.register(OperatorProfile)
class OperatorProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "line", "is_senior", "all_queues", "capacity", "presence", "presence_changed_at")
    list_filter = ("line", "is_senior", "all_queues", "presence", "skills")
    search_fields = ("user__username", "user__last_name", "user__first_name", "user__email")
    filter_horizontal = ("skills",)
    list_select_related = ("user",)
    # Presence is the operator's own switch in the chat, broadcast from there.
    readonly_fields = ("presence", "presence_changed_at")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(role__in=(Role.OPERATOR, Role.SUPERVISOR))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("title", "title_en", "slug", "parent", "is_complaint", "is_active", "ordering")
    list_filter = ("is_active", "is_complaint", "parent")
    list_editable = ("ordering",)
    search_fields = ("title", "title_en", "slug")
    prepopulated_fields = {"slug": ("title_en",)}


class CalendarExceptionInline(admin.TabularInline):
    model = CalendarException
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    list_display = ("name", "timezone", "work_start", "work_end", "country", "is_default")
    inlines = [CalendarExceptionInline]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "channel", "recipient", "subject", "status", "attempts", "sent_at", "reference")
    list_filter = ("status", "channel")
    search_fields = ("reference", "recipient", "subject")
    date_hierarchy = "created_at"

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if obj is not None and obj.reference in SECRET_REFERENCES:
            return [field for field in fields if field != "body"]  # a reset link or code still waiting to go
        return fields


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_id", "ip", "detail")
    list_filter = ("action", "object_type")
    search_fields = ("object_id", "actor__username", "detail")
    list_select_related = ("actor",)
    date_hierarchy = "at"


@admin.register(Consent)
class ConsentAdmin(ReadOnlyAdmin):
    list_display = ("user", "version", "purpose", "given_at", "withdrawn_at")
    list_filter = ("version",)
    search_fields = ("user__username", "user__email")
    list_select_related = ("user",)
