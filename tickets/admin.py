"""The supervisor's admin for appeals and SLA policies.

Status, deadlines and assignment are read-only here: they change only through the
actions below, and every action calls the same services as the workspace."""

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from gosupport.models import Line
from tickets.forms_workspace import AssignForm, BulkStatusForm, add_service_errors
from tickets.models import Attachment, Message, Rating, SlaPolicy, Ticket, TicketEvent
from tickets.routing import ticket_assign, ticket_transfer
from tickets.services import TransitionForbidden, ticket_transition

ACTION_TEMPLATE = "workspace/admin/ticket_action.html"


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "channel",
        "category",
        "priority",
        "first_response_seconds",
        "resolution_seconds",
        "business_time",
        "calendar",
        "warn_at_percent",
        "is_active",
    )
    list_filter = ("is_active", "channel", "priority", "business_time")
    search_fields = ("name",)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class MessageInline(ReadOnlyInline):
    model = Message
    fields = readonly_fields = ("seq", "created_at", "author_kind", "author", "internal", "text")
    ordering = ("seq",)


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = readonly_fields = (
        "original_name",
        "content_type",
        "size",
        "is_result_document",
        "uploaded_by",
        "created_at",
    )


class TicketEventInline(ReadOnlyInline):
    model = TicketEvent
    fields = readonly_fields = ("at", "kind", "actor", "from_status", "to_status", "comment")
    ordering = ("at", "id")


class BreachedFilter(admin.SimpleListFilter):
    title = gettext_lazy("SLA breached")
    parameter_name = "breached"

    def lookups(self, request, model_admin):
        return (("yes", gettext_lazy("Yes")), ("no", gettext_lazy("No")))

    def queryset(self, request, queryset):
        breached = Q(first_response_breached=True) | Q(resolution_breached=True)
        if self.value() == "yes":
            return queryset.filter(breached)
        if self.value() == "no":
            return queryset.exclude(breached)
        return queryset


EDITABLE_TICKET_FIELDS = ("subject", "contact_email", "contact_phone")


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin):
    list_display = (
        "number",
        "status",
        "channel",
        "queue",
        "line",
        "priority",
        "assignee",
        "citizen",
        "created_at",
        "first_response_due",
        "resolution_due",
        "is_breached",
        "escalation_level",
    )
    list_filter = ("status", "channel", "queue", "line", BreachedFilter, "escalation_level", "priority")
    search_fields = ("number", "subject", "text", "citizen__email", "contact_email")
    list_select_related = ("queue", "assignee", "citizen")
    date_hierarchy = "created_at"
    inlines = [MessageInline, AttachmentInline, TicketEventInline]
    actions = ["assign_to_operator", "transfer_to_second_line", "change_status"]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "number",
                    "channel",
                    "category",
                    "queue",
                    "line",
                    "priority",
                    "citizen",
                    *EDITABLE_TICKET_FIELDS,
                )
            },
        ),
        (gettext_lazy("Text"), {"fields": ("text",)}),
        (gettext_lazy("Status and assignment"), {"fields": ("status", "assignee", "created_at", "closed_at")}),
        (
            gettext_lazy("SLA"),
            {
                "fields": (
                    "sla_policy",
                    "first_response_due",
                    "first_responded_at",
                    "resolution_due",
                    "sla_paused_at",
                    "next_sla_check",
                    "escalation_level",
                    "sla_warned",
                    "first_response_breached",
                    "resolution_breached",
                )
            },
        ),
        (
            gettext_lazy("Result"),
            {"fields": ("resolution", "rejection_reasons", "regulation_references", "appeal_instructions")},
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Ticket._meta.fields if f.name not in EDITABLE_TICKET_FIELDS]

    def has_add_permission(self, request) -> bool:
        return False  # appeals come in through the portal, the API, the chat and the mail intake

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # appeals are records; removal belongs to the retention purge

    def save_model(self, request, obj, form, change):
        # Write only the fields this form may change, so a status or an assignment made
        # meanwhile by a service is never overwritten with the values loaded into the form.
        changed = [name for name in form.changed_data if name in EDITABLE_TICKET_FIELDS]
        if changed:
            obj.save(update_fields=[*changed, "updated_at"])

    @admin.display(boolean=True, description=gettext_lazy("SLA breached"))
    def is_breached(self, ticket: Ticket) -> bool:
        return ticket.first_response_breached or ticket.resolution_breached

    def _action_page(self, request, queryset, *, form, action: str, title: str) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "tickets": queryset,
            "form": form,
            "action": action,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, ACTION_TEMPLATE, context)

    @admin.action(description=gettext_lazy("Assign to an operator"))
    def assign_to_operator(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> HttpResponse | None:
        form = AssignForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._action_page(
                request, queryset, form=form, action="assign_to_operator", title=_("Assign to an operator")
            )
        done = skipped = 0
        for ticket in queryset:
            try:
                ticket_assign(
                    ticket=ticket,
                    operator=form.cleaned_data["operator"],
                    actor=request.user,
                    comment=form.cleaned_data["comment"],
                )
                done += 1
            except TransitionForbidden:
                skipped += 1
        self._report(request, done=done, skipped=skipped)
        return None

    @admin.action(description=gettext_lazy("Transfer to the second line"))
    def transfer_to_second_line(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> None:
        done, refused = 0, []
        for ticket in queryset:
            try:
                ticket_transfer(
                    ticket=ticket,
                    queue=ticket.queue,
                    line=Line.SECOND,
                    actor=request.user,
                    comment=_("Transferred by a supervisor."),
                )
                done += 1
            except TransitionForbidden as refusal:
                refused.append(f"{ticket.number}: {refusal}")
        self._report(request, done=done, refused=refused)

    @admin.action(description=gettext_lazy("Change status"))
    def change_status(self, request: HttpRequest, queryset: QuerySet[Ticket]) -> HttpResponse | None:
        form = BulkStatusForm(request.POST if "apply" in request.POST else None)
        if not form.is_valid():
            return self._action_page(request, queryset, form=form, action="change_status", title=_("Change status"))
        done, refused = 0, []
        for ticket in queryset:
            try:
                ticket_transition(ticket=ticket, actor=request.user, **form.service_kwargs())
                done += 1
            except TransitionForbidden as refusal:
                refused.append(f"{ticket.number}: {refusal}")
            except ValidationError as error:
                # The closing fields are the same for every appeal: show them on the form again.
                add_service_errors(form, error)
                self._report(request, done=done, refused=refused)
                return self._action_page(request, queryset, form=form, action="change_status", title=_("Change status"))
        self._report(request, done=done, refused=refused)
        return None

    def _report(self, request, *, done: int, skipped: int = 0, refused: list[str] = ()) -> None:
        if done:
            self.message_user(
                request,
                ngettext("%(n)s appeal changed.", "%(n)s appeals changed.", done) % {"n": done},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext("%(n)s closed appeal left as it is.", "%(n)s closed appeals left as they are.", skipped)
                % {"n": skipped},
                messages.WARNING,
            )
        for line in refused:
            self.message_user(request, line, messages.ERROR)


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("ticket", "score", "comment", "operator", "ticket_channel", "ticket_queue", "created_at")
    list_filter = ("score", "ticket__channel", "ticket__queue")
    search_fields = ("ticket__number", "operator__username", "operator__last_name", "comment")
    list_select_related = ("ticket__queue", "operator")
    date_hierarchy = "created_at"
    readonly_fields = ("ticket", "score", "comment", "operator", "created_at")

    @admin.display(description=gettext_lazy("channel"), ordering="ticket__channel")
    def ticket_channel(self, rating: Rating) -> str:
        return rating.ticket.get_channel_display()

    @admin.display(description=gettext_lazy("queue"), ordering="ticket__queue")
    def ticket_queue(self, rating: Rating) -> str:
        return str(rating.ticket.queue)

    def has_add_permission(self, request) -> bool:
        return False
