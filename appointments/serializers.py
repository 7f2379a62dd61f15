"""What the appointments API reads and writes (API.md, "Appointments")."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .models import Booking, BookingEvent, BookingStatus, Service, ServiceCentre
from .slots import schedule_of

DAY_KEYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 moment that must carry its UTC offset: a bare "10:00" is ambiguous
    between the centre's time zone and ours."""

    default_error_messages = {"naive": _("Give the time with its UTC offset, e.g. 2027-03-02T10:00:00+03:00.")}

    def enforce_timezone(self, value):
        if value.tzinfo is None:
            self.fail("naive")
        return super().enforce_timezone(value)


class ServiceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Service
        fields = ["id", "slug", "title", "title_en", "duration_minutes"]


class CentreQuerySerializer(serializers.Serializer):
    service = serializers.SlugField(required=False, help_text=_("Only centres offering this service (slug)."))
    city = serializers.CharField(required=False, max_length=100)
    q = serializers.CharField(required=False, max_length=200, help_text=_("Words of the name or address."))
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    lon = serializers.FloatField(required=False, min_value=-180, max_value=180)
    radius_km = serializers.FloatField(required=False, min_value=0.1, max_value=5000)
    open_now = serializers.BooleanField(required=False, default=False)
    online_booking = serializers.BooleanField(required=False, allow_null=True, default=None)

    def validate_service(self, slug: str) -> Service:
        service = Service.objects.filter(slug=slug, is_active=True).first()
        if service is None:
            raise serializers.ValidationError(_("No such service."))
        return service

    def validate(self, data: dict) -> dict:
        if ("lat" in data) != ("lon" in data):
            raise serializers.ValidationError({"lon" if "lat" in data else "lat": _("Give both lat and lon.")})
        if "radius_km" in data and "lat" not in data:
            raise serializers.ValidationError({"radius_km": _("A radius needs a point: give lat and lon.")})
        return data


class SuggestQuerySerializer(serializers.Serializer):
    q = serializers.CharField(min_length=2, max_length=100)


class SuggestionsSerializer(serializers.Serializer):
    suggestions = serializers.ListField(child=serializers.CharField())


class HoursField(serializers.Field):
    def to_representation(self, centre: ServiceCentre) -> dict:
        weekly = {row.weekday: row for row in centre.hours.all()}
        return {
            key: [f"{weekly[n].opens:%H:%M}", f"{weekly[n].closes:%H:%M}"] if n in weekly else None
            for n, key in enumerate(DAY_KEYS)
        }


@extend_schema_field(
    {
        "type": "object",
        "description": "Usual hours by weekday: mon…sun → [opens, closes] or null when closed.",
        "additionalProperties": {"type": "array", "items": {"type": "string"}, "nullable": True},
    }
)
class WeeklyHoursField(HoursField):
    pass


class CentreSerializer(serializers.ModelSerializer):
    services = serializers.SlugRelatedField(many=True, read_only=True, slug_field="slug")
    hours = WeeklyHoursField(source="*", read_only=True)
    distance_km = serializers.SerializerMethodField()
    open_now = serializers.SerializerMethodField()

    class Meta:
        model = ServiceCentre
        fields = [
            "id",
            "slug",
            "name",
            "city",
            "address",
            "lat",
            "lon",
            "phone",
            "windows",
            "online_booking",
            "timezone",
            "services",
            "hours",
            "open_now",
            "distance_km",
        ]

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_distance_km(self, centre: ServiceCentre) -> float | None:
        return self.context.get("distances", {}).get(centre.pk)

    def get_open_now(self, centre: ServiceCentre) -> bool:
        return schedule_of(centre, calendars=self.context.setdefault("calendars", {})).is_open(self.context["now"])


class DayHoursSerializer(serializers.Serializer):
    date = serializers.DateField(source="day")
    opens = serializers.TimeField(format="%H:%M", allow_null=True)
    closes = serializers.TimeField(format="%H:%M", allow_null=True)
    note = serializers.CharField()


class QueueSerializer(serializers.Serializer):
    waiting = serializers.IntegerField(help_text=_("People checked in and not yet served."))
    average_wait_minutes = serializers.IntegerField(allow_null=True)


class BusyHoursSerializer(serializers.Serializer):
    weeks = serializers.IntegerField()
    hours = serializers.ListField(child=serializers.IntegerField())
    by_weekday = serializers.SerializerMethodField()

    def get_by_weekday(self, busy) -> list[dict]:
        return [{"weekday": label, "visits_per_hour": [value for _hour, value in cells]} for label, cells in busy.rows]


class CentreDetailSerializer(CentreSerializer):
    hours_changes = DayHoursSerializer(many=True, read_only=True, source="_changes")
    queue = QueueSerializer(read_only=True, source="_queue")
    busy_hours = BusyHoursSerializer(read_only=True, source="_busy")

    class Meta(CentreSerializer.Meta):
        fields = [*CentreSerializer.Meta.fields, "hours_changes", "queue", "busy_hours"]


class SlotQuerySerializer(serializers.Serializer):
    service = serializers.SlugField()
    date = serializers.DateField(input_formats=["%Y-%m-%d"])


class FirstSlotQuerySerializer(serializers.Serializer):
    service = serializers.SlugField()


class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    free = serializers.IntegerField(help_text=_("Windows free at this time."))


class FirstSlotSerializer(serializers.Serializer):
    slot = SlotSerializer(allow_null=True)


class BookingCreateSerializer(serializers.Serializer):
    centre = serializers.IntegerField(min_value=1)
    service = serializers.SlugField()
    start = AwareDateTimeField()
    comment = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class RescheduleSerializer(serializers.Serializer):
    start = AwareDateTimeField()


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class BookingEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = BookingEvent
        fields = ["at", "kind", "from_status", "to_status", "from_start", "to_start"]


class BookingSerializer(serializers.ModelSerializer):
    centre = serializers.PrimaryKeyRelatedField(read_only=True)
    service = serializers.SlugRelatedField(read_only=True, slug_field="slug")
    status = serializers.ChoiceField(choices=BookingStatus.choices, read_only=True)
    window = serializers.IntegerField(source="window_no", read_only=True)
    centre_name = serializers.CharField(source="centre.name", read_only=True)
    centre_address = serializers.CharField(source="centre.address", read_only=True)
    qr_url = serializers.SerializerMethodField()
    ics_url = serializers.SerializerMethodField()

    class Meta:
        model = Booking
        fields = [
            "code",
            "status",
            "start",
            "end",
            "centre",
            "service",
            "window",
            "centre_name",
            "centre_address",
            "comment",
            "created_at",
            "checked_in_at",
            "qr_url",
            "ics_url",
        ]

    def _absolute(self, name: str, booking: Booking) -> str:
        path = reverse(name, args=[booking.code])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def get_qr_url(self, booking: Booking) -> str:
        return self._absolute("api-booking-qr", booking)

    def get_ics_url(self, booking: Booking) -> str:
        return self._absolute("api-booking-ics", booking)


class BookingDetailSerializer(BookingSerializer):
    events = BookingEventSerializer(many=True, read_only=True)

    class Meta(BookingSerializer.Meta):
        fields = [*BookingSerializer.Meta.fields, "events"]


class SlotTakenSerializer(serializers.Serializer):
    detail = serializers.CharField()
    alternatives = SlotSerializer(many=True)
