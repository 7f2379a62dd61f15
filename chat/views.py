"""The live chat's pages: the citizen's chat and the operator's desk. Doors only: the
sockets (chat.consumers) and the services do the work; these pages render what the
database holds, so a page reads without JavaScript and a reload never loses anything."""

from collections.abc import Callable
from functools import wraps

from django import forms
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from chat import callbacks, selectors, services
from chat.forms import CallbackForm, CallbackOutcomeForm
from gosupport.audit import AuditAction, audit_record, client_ip
from gosupport.models import Presence
from knowledgebase.selectors import canned_responses_for
from knowledgebase.services import canned_response_render
from tickets.forms import RatingForm
from tickets.forms_workspace import add_service_errors
from tickets.services import TransitionForbidden

CITIZEN_FIELDS_SHOWN = ("last_name", "first_name", "middle_name", "email", "phone")


class ChatStartForm(forms.Form):
    text = forms.CharField(
        label=_("Your question (optional)"),
        required=False,
        max_length=services.MAX_TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The assistant answers at once; you can ask for an operator at any time."),
    )


class PresenceForm(forms.Form):
    status = forms.ChoiceField(label=_("Your status"), choices=Presence.choices, widget=forms.RadioSelect)


def citizen_required(view: Callable) -> Callable:
    """Citizens only: anonymous users go to sign in, staff get 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_citizen:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


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


def _prefilled_question(request: HttpRequest) -> str:
    """The FAQ's "still need help" passes the citizen's search along (as q or text)."""
    question = request.GET.get("q") or request.GET.get("text") or ""
    return question.strip()[: services.MAX_TEXT_LENGTH]


@require_http_methods(["GET", "POST"])
@citizen_required
def start(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        form = ChatStartForm(initial={"text": _prefilled_question(request)})
        return render(request, "chat/start.html", {"form": form})
    form = ChatStartForm(request.POST)
    if form.is_valid():
        try:
            ticket = services.chat_start(citizen=request.user, text=form.cleaned_data["text"])
        except ValidationError as error:
            form.add_error(None, error.messages)
        except PermissionDenied as refusal:
            form.add_error(None, str(refusal) or _("You cannot open a chat now."))
        else:
            return redirect("chat:room", number=ticket.number)
    return render(request, "chat/start.html", {"form": form}, status=400)


@require_GET
def room(request: HttpRequest, number: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    session = selectors.chat_session_visible(user=request.user, number=number)
    if request.user.is_staff_member:
        return redirect("chat:desk_chat", number=session.ticket.number)
    chat = selectors.chat_view(user=request.user, session=session)
    context = {
        "chat": chat,
        "ticket": chat.ticket,
        "rated": hasattr(chat.ticket, "rating"),
        "rating_form": RatingForm(),
    }
    return render(request, "chat/room.html", context)


def _audit_profile_read(request: HttpRequest, ticket) -> None:
    """The desk shows the citizen's name and contacts: reading personal data is audited."""
    if ticket.citizen_id is None:
        return
    audit_record(
        actor=request.user,
        action=AuditAction.READ,
        obj=ticket.citizen,
        fields=CITIZEN_FIELDS_SHOWN,
        ip=client_ip(request),
        detail=f"chat desk {ticket.number}",
    )


def _desk_room(request: HttpRequest, session) -> dict:
    _audit_profile_read(request, session.ticket)
    return {
        "chat": selectors.chat_view(user=request.user, session=session),
        "earlier_appeals": selectors.citizen_earlier_appeals(user=request.user, ticket=session.ticket),
        "may_control": services.chat_may_control(ticket=session.ticket, user=request.user),
    }


def _desk_context(request: HttpRequest) -> dict:
    return {
        "profile": selectors.operator_profile_of(request.user),
        "transfer_queues": selectors.transfer_queues(),
    }


def _render_desk(request: HttpRequest, *, presence_form: PresenceForm | None = None, status: int = 200):
    profile = selectors.operator_profile_of(request.user)
    context = {
        **_desk_context(request),
        "presence_form": presence_form or PresenceForm(initial={"status": profile.presence if profile else None}),
        "rooms": [_desk_room(request, session) for session in selectors.desk_chats(operator=request.user)],
        "offers": selectors.desk_offers(operator=request.user),
        "callbacks_due": selectors.callbacks_due_for(user=request.user).count(),
    }
    return render(request, "chat/desk.html", context, status=status)


@require_GET
@staff_required
def desk(request: HttpRequest) -> HttpResponse:
    return _render_desk(request)


@require_GET
@staff_required
def desk_chat(request: HttpRequest, number: str) -> HttpResponse:
    """One chat on its own desk page; the desk's script also takes its room from here."""
    session = selectors.chat_session_visible(user=request.user, number=number)
    context = {**_desk_context(request), "room": _desk_room(request, session)}
    return render(request, "chat/desk_chat.html", context)


@require_POST
@staff_required
def desk_presence(request: HttpRequest) -> HttpResponse:
    """Presence without JavaScript; the desk's script sends the same over its socket."""
    form = PresenceForm(request.POST)
    if not form.is_valid():
        return _render_desk(request, presence_form=form, status=400)
    services.operator_presence_set(operator=request.user, presence=form.cleaned_data["status"])
    return redirect("chat:desk")


@require_GET
@staff_required
def desk_canned(request: HttpRequest, number: str, pk: int) -> JsonResponse:
    """A canned response filled in for this chat (the citizen's name, the number, the due time)."""
    session = selectors.chat_session_visible(user=request.user, number=number)
    response = get_object_or_404(canned_responses_for(user=request.user), pk=pk)
    return JsonResponse({"text": canned_response_render(response=response, ticket=session.ticket)})


# --- call backs: the citizen books and cancels, the operator records the call


def _back_to(back: str, number: str) -> HttpResponse:
    """Back to the page the citizen came from: the appeal's page or (by default) the chat."""
    if back == "appeal":
        return redirect("portal:appeal_detail", number=number)
    return redirect("chat:room", number=number)


@require_http_methods(["GET", "POST"])
@citizen_required
def callback(request: HttpRequest, number: str) -> HttpResponse:
    """The booking form on a page of its own (a bot's "book a call back" links here; the
    chat page carries the same form, which posts here)."""
    ticket = selectors.chat_session_visible(user=request.user, number=number).ticket
    back = request.POST.get("back", request.GET.get("back", "chat"))
    if request.method == "GET":
        return render(request, "chat/callback.html", {"ticket": ticket, "back": back})
    form = CallbackForm(request.POST, slots=callbacks.callback_slots())
    status = 400
    if form.is_valid():
        try:
            callbacks.callback_book(ticket=ticket, citizen=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        except (TransitionForbidden, PermissionDenied) as refusal:
            form.add_error(None, str(refusal))
            status = 409
        else:
            messages.success(request, _("The call back is booked."))
            return _back_to(back, ticket.number)
    return render(request, "chat/callback.html", {"ticket": ticket, "back": back, "form": form}, status=status)


@require_POST
@citizen_required
def callback_cancel(request: HttpRequest, number: str) -> HttpResponse:
    ticket = selectors.chat_session_visible(user=request.user, number=number).ticket
    booked = selectors.callback_open_of(ticket=ticket, citizen=request.user)
    if booked is None:
        messages.error(request, _("There is no booked call back to cancel."))
    else:
        try:
            callbacks.callback_cancel(callback=booked, citizen=request.user)
        except (TransitionForbidden, PermissionDenied) as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("The call back is cancelled."))
    return _back_to(request.POST.get("back", "chat"), ticket.number)


def _render_callbacks(request: HttpRequest, *, error: str = "", status: int = 200) -> HttpResponse:
    due = list(selectors.callbacks_due_for(user=request.user))
    for booked in due:
        # The list shows the citizen's name and the phone to call: reading personal data is audited.
        audit_record(
            actor=request.user,
            action=AuditAction.READ,
            obj=booked,
            fields=["phone", "citizen"],
            ip=client_ip(request),
            detail=f"call backs due {booked.ticket.number}",
        )
    context = {"callbacks": due, "outcome_form": CallbackOutcomeForm(), "error": error}
    return render(request, "chat/desk_callbacks.html", context, status=status)


@require_GET
@staff_required
def desk_callbacks(request: HttpRequest) -> HttpResponse:
    return _render_callbacks(request)


@require_POST
@staff_required
def desk_callback_outcome(request: HttpRequest, pk: int) -> HttpResponse:
    booked = selectors.callback_for_staff(user=request.user, pk=pk)
    form = CallbackOutcomeForm(request.POST)
    if not form.is_valid():
        return _render_callbacks(request, error=_("Choose “called — done” or “no answer”."), status=400)
    try:
        callbacks.callback_complete(callback=booked, operator=request.user, **form.cleaned_data)
    except TransitionForbidden as refusal:
        return _render_callbacks(request, error=str(refusal), status=409)
    except PermissionDenied as refusal:
        return _render_callbacks(request, error=str(refusal), status=403)
    messages.success(request, _("The call back of appeal %(number)s is recorded.") % {"number": booked.ticket.number})
    return redirect("chat:desk_callbacks")
