"""The supervisor's admin for centres, services, hours and special days, and bookings.

Bookings are read-only here: they change only through the actions below, which call the
same services as the pages and the API."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .models import Booking, BookingEvent, Service, ServiceCentre, SpecialDay, WeeklyHours
from .services import BookingConflict, booking_cancel, booking_mark_no_show


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ("title", "slug", "duration_minutes", "is_active")
    list_filter = ("is_active",)
    search_fields = ("title", "title_en", "slug")
    prepopulated_fields = {"slug": ("title_en",)}


class WeeklyHoursInline(admin.TabularInline):
    model = WeeklyHours
    extra = 0
    max_num = 7


class SpecialDayInline(admin.TabularInline):
    model = SpecialDay
    extra = 1
    ordering = ("-date",)


@admin.register(ServiceCentre)
class ServiceCentreAdmin(admin.ModelAdmin):
    list_display = ("name", "city", "address", "windows", "online_booking", "is_active")
    list_filter = ("is_active", "online_booking", "city", "services")
    search_fields = ("name", "city", "address", "slug")
    filter_horizontal = ("services", "staff")
    inlines = [WeeklyHoursInline, SpecialDayInline]
    fieldsets = (
        (None, {"fields": ("slug", "name", "city", "address", "phone", "is_active")}),
        (gettext_lazy("Location"), {"fields": ("lat", "lon", "timezone")}),
        (gettext_lazy("Service"), {"fields": ("windows", "online_booking", "services", "calendar", "staff")}),
    )

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "staff":
            from gosupport.models import Role, User

            kwargs["queryset"] = User.objects.filter(role__in=(Role.OPERATOR, Role.SUPERVISOR))
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class BookingEventInline(admin.TabularInline):
    model = BookingEvent
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "kind", "actor", "from_status", "to_status", "from_start", "to_start", "comment")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def _apply(modeladmin, request: HttpRequest, bookings: QuerySet[Booking], action, done) -> None:
    applied, refused = 0, []
    for booking in bookings.select_related("centre"):
        try:
            action(booking)
        except (BookingConflict, PermissionDenied) as error:
            refused.append(f"{booking.code}: {error}")
        else:
            applied += 1
    if applied:
        modeladmin.message_user(request, done(applied), messages.SUCCESS)
    for line in refused:
        modeladmin.message_user(request, line, messages.WARNING)


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ("code", "start", "centre", "service", "window_no", "status", "citizen")
    list_filter = ("status", "centre__city", "centre", "service")
    search_fields = ("code", "citizen__last_name", "citizen__email")
    date_hierarchy = "start"
    list_select_related = ("centre", "service", "citizen")
    inlines = [BookingEventInline]
    actions = ["cancel_bookings", "mark_no_show"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Booking._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=gettext_lazy("Cancel the chosen visits (the citizens are notified)"))
    def cancel_bookings(self, request, queryset):
        reason = _("Cancelled by the centre")
        _apply(
            self,
            request,
            queryset,
            lambda b: booking_cancel(booking=b, actor=request.user, reason=reason),
            lambda n: ngettext("%(count)d visit cancelled.", "%(count)d visits cancelled.", n) % {"count": n},
        )

    @admin.action(description=gettext_lazy("Mark the chosen visits as no-show"))
    def mark_no_show(self, request, queryset):
        _apply(
            self,
            request,
            queryset,
            lambda b: booking_mark_no_show(booking=b, staff=request.user),
            lambda n: (
                ngettext("%(count)d visit marked as no-show.", "%(count)d visits marked as no-show.", n) % {"count": n}
            ),
        )
