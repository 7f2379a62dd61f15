"""The citizen's appeal pages: thin doors onto `tickets.services` and `tickets.selectors`."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from gosupport.forms import add_service_errors
from knowledgebase.models import FollowUp
from knowledgebase.services import search_log_mark_followed
from knowledgebase.visitors import visitor_key
from tickets.forms import AppealFilterForm, AppealForm, DocumentsForm, RatingForm, ReplyForm
from tickets.models import Attachment, Channel, EventKind, Status
from tickets.selectors import access_ticket, messages_visible_to, tickets_visible_to
from tickets.services import TEXT_MAX_LENGTH, TransitionForbidden, message_add, ticket_create, ticket_rate

APPEALS_PER_PAGE = 10
CITIZEN_HISTORY_KINDS = (EventKind.CREATED, EventKind.STATUS, EventKind.DOCUMENTS_ADDED)


@require_GET
def help_home(request):
    return render(request, "portal/help.html")


@login_required
@require_http_methods(["GET", "POST"])
def appeal_create(request):
    initial = {**_contact_of(request.user), "text": request.GET.get("text", "")[:TEXT_MAX_LENGTH]}
    form = AppealForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            ticket = ticket_create(channel=Channel.FORM, citizen=request.user, **_appeal_arguments(form.cleaned_data))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            search_log_mark_followed(
                search_id=_search_id(request), outcome=FollowUp.APPEAL, visitor_key=visitor_key(request)
            )
            return redirect("portal:appeal_created", number=ticket.number)
    context = {"form": form, "kb_suggest": finders.find("js/kb_suggest.js") is not None}
    return render(request, "portal/appeal_form.html", context, status=400 if form.errors else 200)


def _search_id(request) -> int | None:
    """The FAQ search the citizen came from (the suggestions or "still need help" pass it on)."""
    value = request.POST.get("kb_search") or request.GET.get("kb_search") or ""
    return int(value) if value.isdigit() else None


def _contact_of(user) -> dict:
    return {"contact_email": user.email, "contact_phone": user.phone or ""}


def _appeal_arguments(data: dict) -> dict:
    return {
        "category": data["category"],
        "text": data["text"],
        "files": data["files"],
        "rating": data["rating"],
        "contact_email": data["contact_email"],
        "contact_phone": str(data["contact_phone"]) if data["contact_phone"] else "",
    }


@login_required
@require_GET
def appeal_created(request, number: str):
    return render(request, "portal/appeal_created.html", {"ticket": access_ticket(request.user, number)})


@login_required
@require_GET
def appeal_list(request):
    form = AppealFilterForm(request.GET or None)
    tickets = form.apply(tickets_visible_to(request.user)).order_by("-created_at")
    page = Paginator(tickets, APPEALS_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode(), "filtered": form.is_bound}
    return render(request, "portal/appeal_list.html", context)


@login_required
@never_cache
@require_GET
def appeal_detail(request, number: str):
    ticket = access_ticket(request.user, number)
    return render(request, "portal/appeal_detail.html", _detail_context(request.user, ticket))


def _detail_context(user, ticket, *, reply_form=None, documents_form=None, rating_form=None) -> dict:
    rating = getattr(ticket, "rating", None)
    return {
        "rating": rating,
        "rating_form": rating_form or RatingForm(),
        "may_rate": rating is None and not ticket.is_open and ticket.citizen_id == user.pk,
        "ticket": ticket,
        "events": ticket.events.filter(kind__in=CITIZEN_HISTORY_KINDS).select_related("actor"),
        "thread": messages_visible_to(user, ticket),
        "result_documents": _visible_attachments(user, ticket).filter(is_result_document=True),
        "reply_form": reply_form or ReplyForm(),
        "documents_form": documents_form or DocumentsForm(),
        "waiting_documents": ticket.status == Status.WAITING_DOCUMENTS,
    }


@login_required
@require_POST
def appeal_reply(request, number: str):
    return _add_message(request, number, form_class=ReplyForm, form_key="reply_form")


@login_required
@require_POST
def appeal_documents(request, number: str):
    return _add_message(request, number, form_class=DocumentsForm, form_key="documents_form")


def _add_message(request, number: str, *, form_class, form_key: str):
    ticket = access_ticket(request.user, number)
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            message_add(
                ticket=ticket, author=request.user, text=form.cleaned_data["text"], files=form.cleaned_data["files"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except TransitionForbidden as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Your message is added to the appeal."))
            return redirect("portal:appeal_detail", number=ticket.number)
    context = _detail_context(request.user, ticket, **{form_key: form})
    return render(request, "portal/appeal_detail.html", context, status=400)


@login_required
@require_POST
def appeal_rate(request, number: str):
    ticket = access_ticket(request.user, number)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            ticket_rate(ticket=ticket, citizen=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except (TransitionForbidden, PermissionDenied) as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect("portal:appeal_detail", number=ticket.number)
    return render(
        request, "portal/appeal_detail.html", _detail_context(request.user, ticket, rating_form=form), status=400
    )


def _visible_attachments(user, ticket):
    """Files of messages the user may read, plus files not tied to any message: for a citizen
    only the result documents and their own uploads not sent yet (an operator's are drafts)."""
    visible_messages = messages_visible_to(user, ticket).values("pk")
    unsent = Q(message__isnull=True)
    if not user.is_staff_member:
        unsent &= Q(is_result_document=True) | Q(uploaded_by=user)
    return Attachment.objects.filter(ticket=ticket).filter(unsent | Q(message__in=visible_messages))


@login_required
@require_GET
def attachment_download(request, number: str, attachment_id: int):
    ticket = access_ticket(request.user, number)
    attachment = _visible_attachments(request.user, ticket).filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
