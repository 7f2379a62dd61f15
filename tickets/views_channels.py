"""Staff pages that log a phone call, register a letter and record the answer to it.
Doors only: each parses a form, calls one service and shows the appeal."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from tickets.channels.forms import LetterAnswerForm, PhoneCallForm, PostalLetterForm
from tickets.channels.models import PostalLetter
from tickets.channels.phone import phone_call_log
from tickets.channels.post import postal_letter_answer, postal_letter_register
from tickets.forms_workspace import add_service_errors
from tickets.selectors import access_ticket
from tickets.services import TransitionForbidden
from tickets.views_workspace import staff_required


def _phone_text(value) -> str:
    return str(value) if value else ""


@require_http_methods(["GET", "POST"])
@staff_required
def phone_call(request: HttpRequest) -> HttpResponse:
    form = PhoneCallForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = phone_call_log(
                operator=request.user,
                category=data["category"],
                question=data["question"],
                answer=data["answer"],
                outcome=data["outcome"],
                full_name=data["full_name"],
                inn=data["inn"],
                ticket_number=data["ticket_number"],
                phone=_phone_text(data["phone"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The call is logged as appeal %(number)s.") % {"number": ticket.number})
            return redirect("workspace:ticket", ticket.number)
    return render(request, "channels/phone.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@staff_required
def letter_register(request: HttpRequest) -> HttpResponse:
    form = PostalLetterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            ticket = postal_letter_register(
                operator=request.user,
                category=data["category"],
                sender_name=data["sender_name"],
                sender_address=data["sender_address"],
                received_on=data["received_on"],
                text=data["text"],
                scans=data["scans"],
                contact_email=data["contact_email"],
                contact_phone=_phone_text(data["contact_phone"]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The letter is registered as appeal %(number)s.") % {"number": ticket.number})
            return redirect("workspace:ticket", ticket.number)
    return render(request, "channels/letter.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@staff_required
def letter_answer(request: HttpRequest, number: str) -> HttpResponse:
    ticket = access_ticket(request.user, number)
    letter = PostalLetter.objects.filter(ticket=ticket).first()
    if letter is None:
        raise Http404
    form = LetterAnswerForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            postal_letter_answer(
                ticket=ticket,
                operator=request.user,
                text=data["text"],
                method=data["method"],
                sent_on=data["sent_on"],
                reference=data["reference"],
                files=data["files"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except TransitionForbidden as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("The answer to the letter is recorded."))
            return redirect("workspace:ticket", ticket.number)
    context = {"form": form, "ticket": ticket, "letter": letter}
    return render(request, "channels/letter_answer.html", context, status=400 if form.errors else 200)
