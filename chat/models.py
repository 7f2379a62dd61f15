"""Live-chat state that the appeal itself does not carry: the bot/queue/operator phase,
the pending offer and what each side has read."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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

    class Meta:
        verbose_name = _("chat")
        verbose_name_plural = _("chats")
        indexes = [
            models.Index(fields=["queued_at"], name="chat_queue_idx", condition=models.Q(phase="queued")),
        ]
