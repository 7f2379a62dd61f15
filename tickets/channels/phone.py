"""Phone calls logged by the operator who took them: an appeal on the phone channel with
the caller's identity check, the question, the answer and the result kept beside it."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gosupport.models import Category, Line, Role, User
from gosupport.privacy import users_find_by_identifier
from tickets.channels.models import CallOutcome, IdentityMethod, PhoneCall
from tickets.models import Channel, Status, Ticket
from tickets.routing import ticket_assign, ticket_transfer
from tickets.services import message_add, ticket_create, ticket_transition

SUBJECT_LENGTH = 80


def require_staff(user: User) -> None:
    if user is None or not user.is_active or not user.is_staff_member:
        raise PermissionDenied(_("Only contact centre staff can log calls and letters."))


def _name_words(name: str) -> list[str]:
    return sorted(name.casefold().replace("ё", "е").split())


def _names_match(user: User, full_name: str) -> bool:
    return bool(full_name.strip()) and _name_words(user.full_name()) == _name_words(full_name)


# --- identity


def caller_identify(*, full_name: str, inn: str = "", ticket_number: str = "") -> tuple[User, str]:
    """The citizen whose full name matches together with their INN or one of their appeal
    numbers; ValidationError (naming no one) otherwise."""
    if not full_name.strip():
        raise ValidationError({"full_name": _("Give the caller's full name.")})
    candidates, method = [], IdentityMethod.NONE
    if inn.strip():
        candidates, method = list(users_find_by_identifier(field="inn", value=inn)), IdentityMethod.INN
    elif ticket_number.strip():
        ticket = Ticket.objects.filter(number=ticket_number.strip()).select_related("citizen").first()
        candidates, method = ([ticket.citizen] if ticket and ticket.citizen else []), IdentityMethod.TICKET
    else:
        raise ValidationError({"inn": _("Give the caller's INN or the number of one of their appeals.")})
    for user in candidates:
        if user.role == Role.CITIZEN and user.is_active and _names_match(user, full_name):
            return user, method
    raise ValidationError({"full_name": _("The identity check failed: no citizen matches these details.")})


# --- calls


def _validate_call(*, category: Category | None, question: str, answer: str, outcome: str) -> None:
    errors = {}
    if category is None or not category.is_active:
        errors["category"] = _("Choose a category.")
    if not question.strip():
        errors["question"] = _("Write down what was asked.")
    if not answer.strip():
        errors["answer"] = _("Write down what was answered.")
    if outcome not in CallOutcome.values:
        errors["outcome"] = _("Choose the result of the call.")
    if errors:
        raise ValidationError(errors)


def phone_call_log(
    *,
    operator: User,
    category: Category | None,
    question: str,
    answer: str,
    outcome: str,
    full_name: str = "",
    inn: str = "",
    ticket_number: str = "",
    phone: str = "",
) -> Ticket:
    """Log a call as an appeal on the phone channel: identified caller (or an anonymous one),
    the question, the answer, and either solved on the call or handed to the second line."""
    require_staff(operator)
    _validate_call(category=category, question=question, answer=answer, outcome=outcome)
    citizen, method = None, IdentityMethod.NONE
    if inn.strip() or ticket_number.strip():
        citizen, method = caller_identify(full_name=full_name, inn=inn, ticket_number=ticket_number)
    now = timezone.now()
    with transaction.atomic():
        ticket = ticket_create(
            channel=Channel.PHONE,
            category=category,
            text=question,
            citizen=citizen,
            contact_phone=phone,
            subject=question.strip().splitlines()[0][:SUBJECT_LENGTH],
            actor=operator,
        )
        ticket_assign(ticket=ticket, operator=operator, actor=operator, comment=_("Took the call."))
        message_add(ticket=ticket, author=operator, text=answer)
        _close_call(ticket, operator, outcome, answer)
        PhoneCall.objects.create(
            ticket=ticket,
            operator=operator,
            caller_name=full_name.strip()[:255],
            identity_method=method,
            identity_checked_at=now if citizen else None,
            question=question.strip(),
            answer=answer.strip(),
            outcome=outcome,
            created_at=now,
        )
    return Ticket.objects.get(pk=ticket.pk)


def _close_call(ticket: Ticket, operator: User, outcome: str, answer: str) -> None:
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, actor=operator)
    if outcome == CallOutcome.SOLVED:
        ticket_transition(ticket=ticket, to_status=Status.COMPLETED, actor=operator, resolution=answer.strip())
    else:
        ticket_transfer(
            ticket=ticket,
            queue=ticket.category,
            line=Line.SECOND,
            actor=operator,
            comment=_("Left open after the call and handed to the second line."),
        )
