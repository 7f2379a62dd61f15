"""The operator workspace: the queue and the appeal page. Doors only: every change is a service call."""

from collections.abc import Callable
from datetime import datetime
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from gosupport.audit import AuditAction, audit_record, client_ip
from gosupport.models import Line
from tickets import routing
from tickets.forms_workspace import (
    AttachForm,
    MessageForm,
    QueueFilterForm,
    StatusForm,
    TransferForm,
    add_service_errors,
    open_queue,
)
from tickets.models import Attachment, Ticket
from tickets.selectors import access_ticket, messages_visible_to, tickets_visible_to
from tickets.services import TransitionForbidden, message_add, ticket_transition

PAGE_SIZE = 25
EARLIER_APPEALS_SHOWN = 20
CITIZEN_FIELDS_SHOWN = ("last_name", "first_name", "middle_name", "email", "phone")


def staff_required(view: Callable) -> Callable:
    """Operators and supervisors only: anonymous users go to sign in, everybody else gets 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_active or not request.user.is_staff_member:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def countdown(seconds: float | None) -> str:
    """“2 h 5 min left” / “overdue by 10 min”; the JS ticker writes the same words."""
    if seconds is None:
        return ""
    minutes = int(abs(seconds)) // 60
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if days:
        parts.append(_("%(n)s d") % {"n": days})
    if days or hours:
        parts.append(_("%(n)s h") % {"n": hours})
    parts.append(_("%(n)s min") % {"n": minutes})
    span = " ".join(parts)
    return _("%(span)s left") % {"span": span} if seconds >= 0 else _("overdue by %(span)s") % {"span": span}


def _is_paused(ticket: Ticket) -> bool:
    """Waiting for documents stops the resolution clock; a pending first response still runs."""
    first_pending = ticket.first_responded_at is None and ticket.first_response_due is not None
    return ticket.sla_paused_at is not None and not first_pending


def _seconds_left(due: datetime | None, now: datetime) -> float | None:
    return (due - now).total_seconds() if due else None


def _with_countdowns(tickets, now: datetime) -> list[Ticket]:
    rows = list(tickets)
    for ticket in rows:
        ticket.sla_paused = _is_paused(ticket)
        ticket.countdown = countdown(_seconds_left(ticket.nearest_due, now))
    return rows


def _deadlines(ticket: Ticket, now: datetime) -> list[dict]:
    """The two promises of an appeal, each with its state for the facts panel."""
    first_pending = ticket.first_responded_at is None and ticket.is_open
    resolution_pending = ticket.is_open and ticket.sla_paused_at is None
    return [
        {
            "label": _("First response"),
            "due": ticket.first_response_due,
            "done_at": ticket.first_responded_at,
            "breached": ticket.first_response_breached,
            "countdown": countdown(_seconds_left(ticket.first_response_due, now)) if first_pending else "",
        },
        {
            "label": _("Resolution"),
            "due": ticket.resolution_due,
            "done_at": ticket.closed_at,
            "breached": ticket.resolution_breached,
            "paused": ticket.sla_paused_at is not None and ticket.is_open,
            "countdown": countdown(_seconds_left(ticket.resolution_due, now)) if resolution_pending else "",
        },
    ]


@require_GET
@staff_required
def queue(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    data = request.GET.copy()
    data.setdefault("view", QueueFilterForm.VIEW_ALL)
    form = QueueFilterForm(data)
    tickets = (
        form.filter(open_queue(request.user, now=now), user=request.user) if form.is_valid() else Ticket.objects.none()
    )
    page = Paginator(tickets, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _with_countdowns(page.object_list, now)
    data.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": data.urlencode(),
        "active_view": data["view"],
        "views": QueueFilterForm.VIEWS,
    }
    return render(request, "workspace/queue.html", context, status=400 if form.errors else 200)


def _earlier_appeals(user, ticket: Ticket) -> list[Ticket]:
    if ticket.citizen_id is None:
        return []
    earlier = list(
        Ticket.objects.filter(citizen_id=ticket.citizen_id)
        .exclude(pk=ticket.pk)
        .select_related("category")
        .order_by("-created_at")[:EARLIER_APPEALS_SHOWN]
    )
    visible = set(tickets_visible_to(user).filter(pk__in=[t.pk for t in earlier]).values_list("pk", flat=True))
    for appeal in earlier:
        appeal.may_open = appeal.pk in visible
    return earlier


def _ticket_forms(ticket: Ticket, bound: dict) -> dict:
    forms = {
        "reply_form": MessageForm(prefix="reply"),
        "note_form": MessageForm(prefix="note"),
        "attach_form": AttachForm(prefix="attach"),
        "status_form": StatusForm(prefix="status", from_status=ticket.status),
        "transfer_form": TransferForm(prefix="transfer", initial={"queue": ticket.queue_id, "line": ticket.line}),
    }
    forms.update(bound)
    return forms


def _render_ticket(request: HttpRequest, ticket: Ticket, *, bound: dict | None = None, status: int = 200):
    user = request.user
    context = {
        "ticket": ticket,
        "events": ticket.events.select_related("actor").order_by("at", "pk"),
        "thread": messages_visible_to(user, ticket),
        "earlier_appeals": _earlier_appeals(user, ticket),
        "may_take": ticket.is_open and ticket.assignee_id is None,
        "deadlines": _deadlines(ticket, timezone.now()),
        **_ticket_forms(ticket, bound or {}),
    }
    return render(request, "workspace/ticket.html", context, status=status)


@require_GET
@staff_required
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number)
    if ticket.citizen_id is not None:
        # The page shows the citizen's name and contacts: reading personal data is audited.
        audit_record(
            actor=request.user,
            action=AuditAction.READ,
            obj=ticket.citizen,
            fields=CITIZEN_FIELDS_SHOWN,
            ip=client_ip(request),
            detail=f"workspace appeal {ticket.number}",
        )
    return _render_ticket(request, ticket)


def _ticket_action(request, ticket: Ticket, form, action: Callable[[Ticket], str]) -> HttpResponse:
    """Validate the form, run one service call, then report; a refusal re-renders with the reason."""
    name = f"{form.prefix}_form"
    if not form.is_valid():
        return _render_ticket(request, ticket, bound={name: form}, status=400)
    try:
        done = action(ticket)
    except TransitionForbidden as refusal:
        form.add_error(None, str(refusal))
        return _render_ticket(request, ticket, bound={name: form}, status=409)
    except PermissionDenied as refusal:
        form.add_error(None, str(refusal) or _("You may not do this."))
        return _render_ticket(request, ticket, bound={name: form}, status=403)
    except ValidationError as error:
        add_service_errors(form, error)
        return _render_ticket(request, ticket, bound={name: form}, status=400)
    messages.success(request, done)
    if not tickets_visible_to(request.user).filter(pk=ticket.pk).exists():
        return redirect("workspace:queue")
    return redirect("workspace:ticket", number=ticket.number)


def _message_action(request, number: str, *, internal: bool) -> HttpResponse:
    ticket = access_ticket(request.user, number)
    form = MessageForm(request.POST, request.FILES, prefix="note" if internal else "reply")

    def send(ticket: Ticket) -> str:
        message_add(
            ticket=ticket,
            author=request.user,
            text=form.cleaned_data["text"],
            files=form.cleaned_data["files"],
            internal=internal,
        )
        return _("The private note is saved.") if internal else _("The reply is sent to the citizen.")

    return _ticket_action(request, ticket, form, send)


@require_POST
@staff_required
def ticket_reply(request: HttpRequest, number: str) -> HttpResponse:
    return _message_action(request, number, internal=False)


@require_POST
@staff_required
def ticket_note(request: HttpRequest, number: str) -> HttpResponse:
    return _message_action(request, number, internal=True)


@require_POST
@staff_required
def ticket_attach(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number)
    form = AttachForm(request.POST, request.FILES, prefix="attach")

    def attach(ticket: Ticket) -> str:
        files = form.cleaned_data["files"]
        message_add(ticket=ticket, author=request.user, text=form.cleaned_data["text"], files=files)
        return ngettext("%(n)s file is attached.", "%(n)s files are attached.", len(files)) % {"n": len(files)}

    return _ticket_action(request, ticket, form, attach)


@require_POST
@staff_required
def ticket_status(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number)
    form = StatusForm(request.POST, request.FILES, prefix="status", from_status=ticket.status)

    def change(ticket: Ticket) -> str:
        changed = ticket_transition(ticket=ticket, actor=request.user, **form.service_kwargs())
        return _("The status is now “%(status)s”.") % {"status": changed.get_status_display()}

    return _ticket_action(request, ticket, form, change)


@require_POST
@staff_required
def ticket_take(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number)
    try:
        routing.ticket_take(ticket=ticket, operator=request.user)
    except (TransitionForbidden, PermissionDenied) as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The appeal is assigned to you."))
    return redirect("workspace:ticket", number=ticket.number)


@require_POST
@staff_required
def ticket_transfer(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number)
    form = TransferForm(request.POST, prefix="transfer")

    def transfer(ticket: Ticket) -> str:
        data = form.cleaned_data
        routing.ticket_transfer(
            ticket=ticket, queue=data["queue"], line=data["line"], actor=request.user, comment=data["comment"]
        )
        return _("The appeal is handed to “%(queue)s”, %(line)s.") % {
            "queue": data["queue"],
            "line": Line(data["line"]).label,
        }

    return _ticket_action(request, ticket, form, transfer)


@require_GET
@staff_required
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    visible: QuerySet[Ticket] = tickets_visible_to(request.user)
    attachment = get_object_or_404(Attachment, pk=pk, ticket__in=visible.values("pk"))
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
