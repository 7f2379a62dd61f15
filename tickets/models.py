"""Appeals (tickets), their messages, files, history, SLA policies and ratings."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from gosupport.models import BusinessCalendar, Category, Line


class Status(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING_DOCUMENTS = "waiting_documents", _("Waiting for documents")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")


OPEN_STATUSES = (Status.ACCEPTED, Status.IN_PROGRESS, Status.WAITING_DOCUMENTS)
CLOSED_STATUSES = (Status.COMPLETED, Status.REJECTED)


class Channel(models.TextChoices):
    CHAT = "chat", _("Chat")
    FORM = "form", _("Feedback form")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    POST = "post", _("Post")
    SOCIAL = "social", _("Social network")


class Priority(models.TextChoices):
    SIMPLE = "simple", _("Simple question")
    COMPLEX = "complex", _("Complex question")
    ESCALATED = "escalated", _("Escalated")


class SlaPolicy(models.Model):
    """Promised times for a channel / category / priority; the most specific match wins."""

    name = models.CharField(_("name"), max_length=120)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices, blank=True)
    category = models.ForeignKey(Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.CASCADE)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, blank=True)
    for_complaints = models.BooleanField(
        _("complaints only"), default=False, help_text=_("Applies only to categories marked as complaints.")
    )
    first_response_seconds = models.PositiveIntegerField(_("first response within, seconds"))
    resolution_seconds = models.PositiveIntegerField(_("resolution within, seconds"))
    business_time = models.BooleanField(_("counted in business time"), default=False)
    calendar = models.ForeignKey(
        BusinessCalendar, verbose_name=_("calendar"), null=True, blank=True, on_delete=models.PROTECT
    )
    warn_at_percent = models.PositiveSmallIntegerField(_("warn when this share of time is used, %"), default=80)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")

    def __str__(self) -> str:
        return self.name


class Ticket(models.Model):
    """An appeal, whatever channel it came through."""

    number = models.CharField(_("number"), max_length=16, unique=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="tickets")
    # The foreign keys led by a composite index below take no index of their own: each index
    # is written on every new appeal.
    queue = models.ForeignKey(
        Category, verbose_name=_("queue"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    line = models.PositiveSmallIntegerField(_("line"), choices=Line.choices, default=Line.FIRST)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.SIMPLE)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACCEPTED)
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("citizen"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tickets",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_tickets",
        db_index=False,
    )
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    text = models.TextField(_("text"))
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    initial_rating = models.PositiveSmallIntegerField(_("rating given with the form"), null=True, blank=True)

    created_at = models.DateTimeField(_("created at"), db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    # SLA: deadlines are columns so the sweep finds due rows by index.
    sla_policy = models.ForeignKey(
        SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("SLA policy")
    )
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first responded at"), null=True, blank=True)
    sla_paused_at = models.DateTimeField(_("SLA clock paused at"), null=True, blank=True)
    next_sla_check = models.DateTimeField(_("next SLA check"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    last_escalated_at = models.DateTimeField(_("last escalated at"), null=True, blank=True)
    sla_warned = models.BooleanField(_("breach warning sent"), default=False)
    first_response_breached = models.BooleanField(_("first response breached"), default=False)
    resolution_breached = models.BooleanField(_("resolution breached"), default=False)

    # Closing: a rejection always carries reasons, regulations and how to appeal.
    resolution = models.TextField(_("result"), blank=True)
    rejection_reasons = models.TextField(_("reasons for rejection"), blank=True)
    regulation_references = models.TextField(_("regulation references"), blank=True)
    appeal_instructions = models.TextField(_("how to appeal"), blank=True)

    last_seq = models.PositiveIntegerField(_("last message sequence"), default=0)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["citizen", "-created_at"], name="ticket_citizen_recent_idx"),
            models.Index(
                fields=["next_sla_check"],
                name="ticket_sla_due_idx",
                condition=models.Q(next_sla_check__isnull=False),
            ),
            models.Index(fields=["queue", "status", "line"], name="ticket_queue_idx"),
            models.Index(fields=["assignee", "status"], name="ticket_assignee_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AuthorKind(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    OPERATOR = "operator", _("Operator")
    BOT = "bot", _("Bot")
    SYSTEM = "system", _("System")


class Message(models.Model):
    """One entry of an appeal's thread; `seq` is gap-free per ticket."""

    # Led by the (ticket, seq) unique constraint's index.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages", db_index=False)
    seq = models.PositiveIntegerField(_("sequence"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("written by"),
    )
    author_kind = models.CharField(_("author"), max_length=8, choices=AuthorKind.choices)
    text = models.TextField(_("text"), blank=True)
    internal = models.BooleanField(_("private note"), default=False)
    client_id = models.UUIDField(null=True, blank=True)
    actions = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["ticket", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "seq"], name="message_seq_unique"),
            models.UniqueConstraint(
                fields=["ticket", "client_id"],
                name="message_client_id_unique",
                condition=models.Q(client_id__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} ({self.get_author_kind_display()})"


def attachment_path(instance, filename: str) -> str:
    return f"attachments/{instance.created_at:%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file of an appeal; stored under a random name, served only after a permission check."""

    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=64)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    is_result_document = models.BooleanField(_("result document"), default=False)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    STATUS = "status", _("Status changed")
    ASSIGNED = "assigned", _("Assigned")
    TRANSFERRED = "transferred", _("Transferred")
    SLA_WARNING = "sla_warning", _("SLA breach warning")
    ESCALATED = "escalated", _("Escalated")
    DOCUMENTS_ADDED = "documents_added", _("Documents added")
    RATED = "rated", _("Rated")
    CALLBACK = "callback", _("Call back")


class TicketEvent(models.Model):
    """History: every status change, assignment, transfer and escalation."""

    # Led by ticketevent_ticket_at_idx.
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events", db_index=False)
    at = models.DateTimeField(_("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("performed by"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EventKind.choices)
    from_status = models.CharField(_("from"), max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=Status.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("appeal event")
        verbose_name_plural = _("appeal events")
        ordering = ["ticket", "at", "id"]
        indexes = [models.Index(fields=["ticket", "at"], name="ticketevent_ticket_at_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.at:%Y-%m-%d %H:%M})" if self.at else self.get_kind_display()


class Rating(models.Model):
    """The citizen's CSAT score for an appeal or a chat."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating", verbose_name=_("appeal"))
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("operator"),
    )
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        constraints = [models.CheckConstraint(condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_5")]

    def __str__(self) -> str:
        return f"{self.score}/5"


# Channel records (e-mail threads and quarantine, phone calls, letters) live beside the channels' code.
from tickets.channels.models import *  # noqa: E402, F401, F403
