"""What the channels keep beside the appeal: e-mail threading and quarantine, calls, letters.

Imported at the end of tickets.models, so the tables belong to the `tickets` app."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models import Message, Ticket

__all__ = [
    "AnswerMethod",
    "CallOutcome",
    "IdentityMethod",
    "MailDirection",
    "MailOutcome",
    "MailRecord",
    "PhoneCall",
    "PostalLetter",
    "QuarantinedMail",
]


class MailDirection(models.TextChoices):
    INBOUND = "in", _("Received")
    OUTBOUND = "out", _("Sent")


class MailOutcome(models.TextChoices):
    CREATED = "created", _("New appeal")
    APPENDED = "appended", _("Added to an appeal")
    AUTO_REPLY = "auto_reply", _("Auto-reply, ignored")
    BOUNCE = "bounce", _("Bounce, ignored")
    LOOP = "loop", _("Mail loop, ignored")
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Not sent")


class MailRecord(models.Model):
    """One e-mail in or out. The unique Message-ID makes a second delivery of the same mail
    harmless and lets replies find their appeal through In-Reply-To / References."""

    direction = models.CharField(_("direction"), max_length=3, choices=MailDirection.choices)
    mail_id = models.CharField(_("Message-ID"), max_length=255, unique=True)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="mail_records", verbose_name=_("appeal")
    )
    message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="mail_record", verbose_name=_("message")
    )
    address = models.EmailField(
        _("address"), blank=True, help_text=_("Sender of a received mail, recipient of a sent one.")
    )
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    in_reply_to = models.CharField(_("In-Reply-To"), max_length=255, blank=True)
    references = models.TextField(_("References"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=MailOutcome.choices)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    claimed_until = models.DateTimeField(
        _("next attempt not before"),
        null=True,
        blank=True,
        help_text=_("A reply being sent, or waiting for its retry, is not sent again before this moment."),
    )

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="mailrecord_ticket_idx"),
            models.Index(fields=["address", "created_at"], name="mailrecord_address_idx"),
            models.Index(fields=["created_at"], condition=models.Q(outcome="pending"), name="mailrecord_pending_idx"),
        ]

    def __str__(self) -> str:
        return self.mail_id


class QuarantinedMail(models.Model):
    """A message that could not be read: kept whole for a supervisor, never dropped."""

    raw = models.BinaryField(_("message as received"))
    reason = models.CharField(_("reason"), max_length=255)
    source = models.CharField(_("source"), max_length=16)
    received_at = models.DateTimeField(_("received at"), db_index=True)

    class Meta:
        verbose_name = _("unreadable e-mail")
        verbose_name_plural = _("unreadable e-mails")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.reason}"


class IdentityMethod(models.TextChoices):
    NONE = "", _("Not checked")
    INN = "inn", _("Full name and INN")
    TICKET = "ticket", _("Full name and appeal number")


class CallOutcome(models.TextChoices):
    SOLVED = "solved", _("Solved on the call")
    SECOND_LINE = "second_line", _("Left open, handed to the second line")


class PhoneCall(models.Model):
    """A logged call: who called, how their identity was checked, what was asked and answered."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="phone_call", verbose_name=_("appeal"))
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("operator")
    )
    caller_name = models.CharField(_("caller's full name"), max_length=255, blank=True)
    identity_method = models.CharField(
        _("identity checked by"), max_length=8, choices=IdentityMethod.choices, blank=True
    )
    identity_checked_at = models.DateTimeField(_("identity checked at"), null=True, blank=True)
    question = models.TextField(_("question"))
    answer = models.TextField(_("answer"))
    outcome = models.CharField(_("result"), max_length=12, choices=CallOutcome.choices)
    created_at = models.DateTimeField(_("logged at"))

    class Meta:
        verbose_name = _("phone call")
        verbose_name_plural = _("phone calls")

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({self.created_at:%Y-%m-%d %H:%M})" if self.created_at else ""


class AnswerMethod(models.TextChoices):
    POST = "post", _("By post")
    REGISTERED_POST = "registered_post", _("By registered post")
    EMAIL = "email", _("By e-mail")
    IN_PERSON = "in_person", _("Handed over in person")


class PostalLetter(models.Model):
    """A letter received by post, and how the answer went out."""

    ticket = models.OneToOneField(
        Ticket, on_delete=models.CASCADE, related_name="postal_letter", verbose_name=_("appeal")
    )
    sender_name = models.CharField(_("sender"), max_length=255)
    sender_address = models.TextField(_("sender's postal address"))
    received_on = models.DateField(_("date received"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("registered by"),
    )
    answer_method = models.CharField(_("answer sent"), max_length=16, choices=AnswerMethod.choices, blank=True)
    answer_sent_on = models.DateField(_("answer sent on"), null=True, blank=True)
    answer_reference = models.CharField(_("postal tracking number or reference"), max_length=64, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("answered by"),
    )

    class Meta:
        verbose_name = _("letter")
        verbose_name_plural = _("letters")

    def __str__(self) -> str:
        return f"{self.received_on:%Y-%m-%d}" if self.received_on else ""
