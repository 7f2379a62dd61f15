"""Service centres, the services they offer, their hours and the citizens' bookings.

Two citizens can never hold the same window at the same moment, and the database says so:

- on every backend, a unique constraint over (centre, window, start) of active bookings;
- on PostgreSQL also an exclusion constraint (btree_gist) over (centre, window, the
  [start, end) range) of active bookings, which catches overlaps of services of different
  lengths. Django cannot declare a constraint for one vendor only, so migration 0002 adds
  it with SQL when it runs on PostgreSQL. SQLite has a single writer and our settings open
  every transaction IMMEDIATE, so there the service's check-then-insert cannot interleave.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from gosupport.models import BusinessCalendar


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class Service(models.Model):
    """Something a citizen comes to a centre for: a passport, SNILS, a driving licence…"""

    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration, minutes"), validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duration_minutes__gte=5, duration_minutes__lte=480), name="service_duration_range"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def localized_title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title


class ServiceCentre(models.Model):
    """A place citizens visit: its address, windows, services and schedule."""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=100, db_index=True)
    address = models.CharField(_("address"), max_length=300)
    lat = models.FloatField(_("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    lon = models.FloatField(_("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    windows = models.PositiveSmallIntegerField(
        _("windows"), default=1, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    online_booking = models.BooleanField(_("online booking"), default=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Moscow")
    services = models.ManyToManyField(Service, verbose_name=_("services"), related_name="centres", blank=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        verbose_name=_("holiday calendar"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        help_text=_("Public holidays and transfer days; the default business calendar when empty."),
    )
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("staff"), related_name="service_centres", blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("service centre")
        verbose_name_plural = _("service centres")
        ordering = ["city", "name"]
        constraints = [models.CheckConstraint(condition=models.Q(windows__gte=1), name="centre_has_a_window")]

    def __str__(self) -> str:
        return f"{self.name} ({self.city})"


class WeeklyHours(models.Model):
    """The usual opening hours of a centre on one weekday; a missing weekday is closed."""

    centre = models.ForeignKey(
        ServiceCentre, on_delete=models.CASCADE, related_name="hours", verbose_name=_("service centre")
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"))

    class Meta:
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")
        ordering = ["weekday"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "weekday"], name="weekly_hours_one_per_weekday"),
            models.CheckConstraint(condition=models.Q(opens__lt=models.F("closes")), name="weekly_hours_opens_first"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class SpecialDay(models.Model):
    """A day when a centre keeps other hours than usual, or stays closed (no hours)."""

    centre = models.ForeignKey(
        ServiceCentre, on_delete=models.CASCADE, related_name="special_days", verbose_name=_("service centre")
    )
    date = models.DateField(_("date"))
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("special day")
        verbose_name_plural = _("special days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "date"], name="special_day_one_per_date"),
            models.CheckConstraint(
                condition=models.Q(opens__isnull=True, closes__isnull=True)
                | models.Q(opens__isnull=False, closes__isnull=False, opens__lt=models.F("closes")),
                name="special_day_closed_or_hours",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.note}".strip()

    @property
    def is_closed(self) -> bool:
        return self.opens is None


class BookingStatus(models.TextChoices):
    AWAITING_CONFIRMATION = "awaiting_confirmation", _("Awaiting confirmation")
    CONFIRMED = "confirmed", _("Confirmed")
    COMPLETED = "completed", _("Completed")
    NO_SHOW = "no_show", _("No-show")
    CANCELLED = "cancelled", _("Cancelled")


# Bookings in these statuses hold their window; the constraints below cover exactly them.
ACTIVE_STATUSES = (BookingStatus.AWAITING_CONFIRMATION, BookingStatus.CONFIRMED)
ACTIVE = models.Q(status__in=ACTIVE_STATUSES)


class Booking(models.Model):
    """A citizen's visit: one window of one centre for the length of one service."""

    code = models.CharField(_("code"), max_length=12, unique=True)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("citizen"), on_delete=models.CASCADE, related_name="bookings"
    )
    centre = models.ForeignKey(
        ServiceCentre, verbose_name=_("service centre"), on_delete=models.PROTECT, related_name="bookings"
    )
    service = models.ForeignKey(Service, verbose_name=_("service"), on_delete=models.PROTECT, related_name="bookings")
    window_no = models.PositiveSmallIntegerField(_("window"))
    start = models.DateTimeField(_("start"))
    end = models.DateTimeField(_("end"))
    status = models.CharField(
        _("status"), max_length=24, choices=BookingStatus.choices, default=BookingStatus.AWAITING_CONFIRMATION
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    served_at = models.DateTimeField(_("served at"), null=True, blank=True)
    # Set when the reminder is claimed (or when it is moot: booked less than 24 h / 2 h ahead).
    reminder_24h_at = models.DateTimeField(_("24-hour reminder sent at"), null=True, blank=True)
    reminder_2h_at = models.DateTimeField(_("2-hour reminder sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering = ["start"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "window_no", "start"], condition=ACTIVE, name="booking_one_active_per_window_start"
            ),
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="booking_ends_after_start"),
            models.CheckConstraint(condition=models.Q(window_no__gte=1), name="booking_window_numbered_from_one"),
        ]
        indexes = [
            models.Index(fields=["centre", "start"], name="booking_centre_start_idx"),
            models.Index(fields=["start"], name="booking_active_start_idx", condition=ACTIVE),
            models.Index(fields=["citizen", "-start"], name="booking_citizen_idx"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class BookingEventKind(models.TextChoices):
    CREATED = "created", _("Booked")
    CONFIRMED = "confirmed", _("Confirmed")
    RESCHEDULED = "rescheduled", _("Moved")
    CANCELLED = "cancelled", _("Cancelled")
    CHECKED_IN = "checked_in", _("Checked in")
    SERVED = "served", _("Served")
    NO_SHOW = "no_show", _("Did not come")


class BookingEvent(models.Model):
    """The history of a booking: every change of status or time, who made it and when."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("performed by"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=BookingEventKind.choices)
    from_status = models.CharField(_("from status"), max_length=24, blank=True)
    to_status = models.CharField(_("to status"), max_length=24, blank=True)
    from_start = models.DateTimeField(_("previous time"), null=True, blank=True)
    to_start = models.DateTimeField(_("new time"), null=True, blank=True)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("booking event")
        verbose_name_plural = _("booking history")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.booking_id} {self.kind}"
