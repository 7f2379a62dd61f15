"""Supervisor's view of the channels: unreadable mail kept for them, the mail log, calls, letters.

Everything is read-only; the one action (try an unreadable mail again) calls the service."""

from django.contrib import admin, messages
from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tickets.channels.mail import quarantined_mail_retry
from tickets.channels.models import MailOutcome, MailRecord, PhoneCall, PostalLetter, QuarantinedMail

# What a retry can come to, beyond the MailOutcome of a filed mail (see IngestResult).
RETRY_OUTCOMES = {
    "duplicate": gettext_lazy("Already received"),
    "quarantined": gettext_lazy("Still unreadable, kept in quarantine"),
}


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(QuarantinedMail)
class QuarantinedMailAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "source", "reason")
    list_filter = ("source",)
    fields = readonly_fields = ("received_at", "source", "reason", "text")
    actions = ["retry", "download"]

    @admin.display(description=gettext_lazy("message as received"))
    def text(self, obj: QuarantinedMail) -> str:
        return bytes(obj.raw)[:20000].decode("utf-8", "replace")

    @admin.action(description=gettext_lazy("Try to read the selected e-mails again"))
    def retry(self, request, queryset) -> None:
        for mail in queryset:
            mail_id = mail.pk  # the retry deletes a mail it could file
            result = quarantined_mail_retry(mail=mail)
            level = messages.WARNING if result.outcome == "quarantined" else messages.SUCCESS
            outcome = RETRY_OUTCOMES.get(result.outcome) or MailOutcome(result.outcome).label
            self.message_user(request, _("E-mail %(id)s: %(outcome)s") % {"id": mail_id, "outcome": outcome}, level)

    @admin.action(description=gettext_lazy("Download the first selected e-mail (.eml)"))
    def download(self, request, queryset) -> HttpResponse:
        mail = queryset.order_by("pk").first()
        response = HttpResponse(bytes(mail.raw), content_type="message/rfc822")
        response["Content-Disposition"] = f'attachment; filename="quarantined-{mail.pk}.eml"'
        return response


@admin.register(MailRecord)
class MailRecordAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "direction", "outcome", "address", "subject", "ticket")
    list_filter = ("direction", "outcome")
    search_fields = ("mail_id", "ticket__number")
    raw_id_fields = ("ticket", "message")
    readonly_fields = [field.name for field in MailRecord._meta.fields]


@admin.register(PhoneCall)
class PhoneCallAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "ticket", "operator", "identity_method", "outcome")
    list_filter = ("outcome", "identity_method")
    search_fields = ("ticket__number",)
    readonly_fields = [field.name for field in PhoneCall._meta.fields]


@admin.register(PostalLetter)
class PostalLetterAdmin(ReadOnlyAdmin):
    list_display = ("received_on", "ticket", "answer_method", "answer_sent_on")
    list_filter = ("answer_method",)
    search_fields = ("ticket__number",)
    readonly_fields = [field.name for field in PostalLetter._meta.fields]
