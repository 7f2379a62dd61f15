"""Live-chat state that the appeal itself does not carry: the bot/queue/operator phase,
the pending offer and what each side has read."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from phonenumber_field.modelfields import PhoneNumberField

from tickets.models import Ticket


class Phase(models.TextChoices):
    BOT = "bot", _("With the bot")
    QUEUED = "queued", _("Waiting for an operator")
    ASSIGNED = "assigned", _("With an operator")
    CLOSED = "closed", _("Closed")


class ChatSession(models.Model):
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="chat")
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices, default=Phase.BOT)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    offered_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offer_expires_at = models.DateTimeField(_("offer expires at"), null=True, blank=True)
    citizen_read_seq = models.PositiveIntegerField(default=0)
    operator_read_seq = models.PositiveIntegerField(default=0)
    # The last acceptance and how long the chat had waited for it: the queue's history
    # behind the expected wait shown to citizens (chat.waiting).
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    waited_seconds = models.PositiveIntegerField(_("waited for an operator, seconds"), null=True, blank=True)

    class Meta:
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        indexes = [
            models.Index(fields=["queued_at"], name="chat_queue_idx", condition=models.Q(phase="queued")),
            models.Index(
                fields=["accepted_at"], name="chat_accepted_idx", condition=models.Q(accepted_at__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.number} ({self.get_phase_display()})" if self.ticket_id else self.get_phase_display()


class Messenger(models.TextChoices):
    TELEGRAM = "telegram", _("Telegram")


class MessengerLink(models.Model):
    """One messenger chat: the citizen's account once they signed in, and the current conversation."""

    messenger = models.CharField(_("messenger"), max_length=16, choices=Messenger.choices)
    chat_id = models.CharField(_("chat id"), max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messenger_links",
        verbose_name=_("citizen"),
    )
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("conversation")
    )
    # Only a hash of the sign-in link's token is kept; the link itself went to the chat.
    link_token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    link_token_expires_at = models.DateTimeField(null=True, blank=True)
    pending_text = models.TextField(_("first question, kept until sign-in"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    linked_at = models.DateTimeField(_("linked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("messenger chat")
        verbose_name_plural = _("messenger chats")
        constraints = [models.UniqueConstraint(fields=["messenger", "chat_id"], name="messengerlink_chat_unique")]
        indexes = [models.Index(fields=["ticket"], name="messengerlink_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.get_messenger_display()} {self.chat_id}"


class MessengerUpdate(models.Model):
    """Every update id handled once: a webhook delivered twice changes nothing."""

    messenger = models.CharField(_("messenger"), max_length=16, choices=Messenger.choices)
    update_id = models.BigIntegerField(_("update id"))
    received_at = models.DateTimeField(_("received at"), db_index=True)

    class Meta:
        verbose_name = _("messenger update")
        verbose_name_plural = _("messenger updates")
        constraints = [models.UniqueConstraint(fields=["messenger", "update_id"], name="messengerupdate_unique")]

    def __str__(self) -> str:
        return f"{self.get_messenger_display()} {self.update_id}"


class CallbackStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("call back status", "Booked")
    DUE = "due", pgettext_lazy("call back status", "Due now")
    DONE = "done", pgettext_lazy("call back status", "Called")
    CANCELLED = "cancelled", pgettext_lazy("call back status", "Cancelled")
    MISSED = "missed", pgettext_lazy("call back status", "No answer")
    EXPIRED = "expired", pgettext_lazy("call back status", "Not called in time")


OPEN_CALLBACK_STATUSES = (CallbackStatus.REQUESTED, CallbackStatus.DUE)


class CallbackRequest(models.Model):
    """A citizen asked to be called back about their chat at a chosen time (chat.callbacks).

    Booked (`requested`) → `due` when the sweep offers it to the queue's operators at its
    time → `done` or `missed` (no answer) by the operator who called, or `expired` when
    nobody called within CALLBACK_GRACE_MINUTES of its time; the citizen may cancel an
    open one. The phone is personal data (chat.privacy)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="callbacks", verbose_name=_("appeal"))
    citizen = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="callback_requests", verbose_name=_("citizen")
    )
    phone = PhoneNumberField(_("phone"), region="RU")
    scheduled_at = models.DateTimeField(_("call at"))
    status = models.CharField(
        _("status"), max_length=10, choices=CallbackStatus.choices, default=CallbackStatus.REQUESTED
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("operator who called"),
    )
    created_at = models.DateTimeField(_("booked at"))
    due_at = models.DateTimeField(_("offered to operators at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("call back")
        verbose_name_plural = _("call backs")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "citizen"],
                condition=models.Q(status__in=OPEN_CALLBACK_STATUSES),
                name="callback_one_open_per_ticket",
            ),
            models.CheckConstraint(condition=models.Q(status__in=CallbackStatus.values), name="callback_status_known"),
            models.CheckConstraint(
                condition=(
                    models.Q(status__in=OPEN_CALLBACK_STATUSES, closed_at__isnull=True)
                    | (~models.Q(status__in=OPEN_CALLBACK_STATUSES) & models.Q(closed_at__isnull=False))
                ),
                name="callback_closed_at_when_finished",
            ),
            models.CheckConstraint(
                condition=models.Q(scheduled_at__gt=models.F("created_at")), name="callback_booked_ahead"
            ),
        ]
        indexes = [
            models.Index(
                fields=["scheduled_at"], name="callback_requested_idx", condition=models.Q(status="requested")
            ),
            models.Index(fields=["scheduled_at"], name="callback_due_idx", condition=models.Q(status="due")),
        ]

    def __str__(self) -> str:
        return f"{self.ticket.number} @ {self.scheduled_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CALLBACK_STATUSES
