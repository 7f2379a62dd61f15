"""The shared core: people and roles, the category taxonomy, the business calendar,
the notifications outbox and the audit log."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField

from gosupport.crypto import EncryptedTextField, keyed_hash


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    OPERATOR = "operator", _("Operator")
    SUPERVISOR = "supervisor", _("Supervisor")


class User(AbstractUser):
    """Everyone who signs in: citizens, operators and supervisors."""

    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CITIZEN)
    middle_name = models.CharField(_("middle name"), max_length=150, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    phone = PhoneNumberField(_("phone"), region="RU", blank=True, null=True, unique=True)
    # Identifiers are encrypted at rest; the *_hash columns (HMAC) serve equality search.
    inn = EncryptedTextField(_("INN"), blank=True)
    snils = EncryptedTextField(_("SNILS"), blank=True)
    passport_number = EncryptedTextField(_("passport series and number"), blank=True)
    inn_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    snils_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    passport_number_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    processing_restricted_at = models.DateTimeField(_("processing restricted since"), null=True, blank=True)
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("email"), condition=~models.Q(email=""), name="user_email_unique_ci"
            )
        ]

    @property
    def is_citizen(self) -> bool:
        return self.role == Role.CITIZEN

    @property
    def is_operator(self) -> bool:
        return self.role == Role.OPERATOR

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    @property
    def is_staff_member(self) -> bool:
        return self.role in (Role.OPERATOR, Role.SUPERVISOR)

    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def is_processing_restricted(self) -> bool:
        return self.processing_restricted_at is not None

    def save(self, *args, **kwargs):
        # The lookup hashes follow the encrypted values on every save, whoever saves.
        for field in ENCRYPTED_IDENTIFIERS:
            setattr(self, f"{field}_hash", keyed_hash(getattr(self, field) or ""))
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            touched = [f"{field}_hash" for field in ENCRYPTED_IDENTIFIERS if field in update_fields]
            kwargs["update_fields"] = [*update_fields, *touched]
        super().save(*args, **kwargs)


ENCRYPTED_IDENTIFIERS = ("inn", "snils", "passport_number")


class Category(models.Model):
    """A topic of appeals; each category is also the queue its appeals land in."""

    slug = models.SlugField(_("slug"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_complaint = models.BooleanField(_("complaint"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    ordering = models.PositiveIntegerField(_("ordering"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["ordering", "title"]

    def __str__(self) -> str:
        return self.title

    def localized_title(self, language: str) -> str:
        return self.title_en if language == "en" and self.title_en else self.title


class Line(models.IntegerChoices):
    FIRST = 1, _("First line")
    SECOND = 2, _("Second line")


class Presence(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class OperatorProfile(models.Model):
    """What routing needs to know about an operator: skills, line, capacity, presence."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="operator_profile", verbose_name=_("user")
    )
    skills = models.ManyToManyField(Category, verbose_name=_("skills"), blank=True, related_name="operators")
    all_queues = models.BooleanField(_("takes every queue"), default=False)
    line = models.PositiveSmallIntegerField(_("line"), choices=Line.choices, default=Line.FIRST)
    is_senior = models.BooleanField(_("senior operator"), default=False)
    capacity = models.PositiveSmallIntegerField(_("capacity"), default=5)
    presence = models.CharField(_("presence"), max_length=8, choices=Presence.choices, default=Presence.OFFLINE)
    presence_changed_at = models.DateTimeField(_("presence changed at"), null=True, blank=True)
    # Refreshed by the operator's desk sockets (chat.presence); a sweep sets an operator
    # offline when no desk has been seen for the grace period.
    desk_seen_at = models.DateTimeField(_("desk last seen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("operator profile")
        verbose_name_plural = _("operator profiles")

    def __str__(self) -> str:
        return self.user.get_username()


class BusinessCalendar(models.Model):
    """Working hours in one time zone; public holidays and transfer days come from the
    `holidays` library, supervisors' exceptions from CalendarException."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    timezone = models.CharField(_("time zone"), max_length=64, default="Europe/Moscow")
    work_start = models.TimeField(_("working day starts"), default="09:00")
    work_end = models.TimeField(_("working day ends"), default="18:00")
    country = models.CharField(_("country of the public holidays"), max_length=2, default="RU")
    is_default = models.BooleanField(_("default calendar"), default=False)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name


class CalendarException(models.Model):
    """A day a supervisor declares working or non-working, overriding the library."""

    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="exceptions", verbose_name=_("business calendar")
    )
    date = models.DateField(_("date"))
    is_working = models.BooleanField(_("working day"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendar_exception_unique_day")]
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} ({self.note})"


class NotificationChannel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Notification(models.Model):
    """The outbox: written in the transaction that caused it, delivered by Celery."""

    channel = models.CharField(_("channel"), max_length=8, choices=NotificationChannel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=8, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
        verbose_name=_("user"),
    )
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["created_at"], name="notification_pending_idx", condition=models.Q(status="pending")),
            # Looked up by exact value only: no LIKE index beside it.
            models.Index(fields=["reference"], name="notification_reference_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk} ({self.get_status_display()})"


class AuditAction(models.TextChoices):
    READ = "read", _("Read")
    REVEAL = "reveal", _("Revealed")
    CHANGE = "change", _("Changed")
    EXPORT = "export", _("Exported")
    DELETION = "deletion", _("Erased")
    RESTRICTION = "restriction", _("Processing restricted")
    RESTRICTION_LIFTED = "restriction_lifted", _("Restriction lifted")
    PURGE = "purge", _("Purged after the retention term")


class AppendOnlyError(Exception):
    """An audit record was about to be changed or removed."""


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only.")


class AuditLog(models.Model):
    """Append-only record of who touched personal data or changed something that matters.

    The model refuses updates and deletes; on PostgreSQL a trigger (migration 0003) refuses
    them in the database too, except the actor becoming NULL when a user row is deleted."""

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("performed by"),
    )
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    detail = models.CharField(_("detail"), max_length=255, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit log")
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="auditlog_object_idx")]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only.")


class OneTimeCode(models.Model):
    """A short-lived code sent by SMS (password recovery); only its hash is stored."""

    class Purpose(models.TextChoices):
        PASSWORD_RESET = "password_reset", _("Password recovery")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="one_time_codes")
    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    code_hash = models.CharField(max_length=128)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [models.Index(fields=["user", "purpose", "-created_at"], name="onetimecode_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} #{self.pk}"


class Consent(models.Model):
    """A citizen's consent to the processing of personal data (152-FZ), as given."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents", verbose_name=_("user")
    )
    version = models.CharField(_("version"), max_length=32)
    purpose = models.CharField(_("purpose"), max_length=255)
    given_at = models.DateTimeField(_("given at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")

    def __str__(self) -> str:
        return f"{self.purpose} ({self.version})"


class PortalApplication(models.Model):
    """A mirror of one of the citizen's applications on the portal (passport, benefit…),
    pushed by the portal's integration so the bot and operators can answer "where is it"."""

    number = models.CharField(_("application number"), max_length=32, unique=True)
    citizen = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_applications")
    service = models.CharField(_("service"), max_length=255)
    status = models.CharField(_("status"), max_length=120)
    status_changed_at = models.DateTimeField(_("status changed at"))

    class Meta:
        verbose_name = _("portal application")
        verbose_name_plural = _("portal applications")

    def __str__(self) -> str:
        return self.number


class PortalApplicationEvent(models.Model):
    """One status change of a portal application, as the portal reported it."""

    application = models.ForeignKey(PortalApplication, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=120)
    comment = models.TextField(_("comment"), blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        verbose_name = _("portal application event")
        verbose_name_plural = _("portal application events")
        ordering = ["application", "at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["application", "status", "at"], name="portal_event_once"),
        ]

    def __str__(self) -> str:
        return f"{self.status} ({self.at:%Y-%m-%d %H:%M})" if self.at else self.status
