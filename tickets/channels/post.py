"""Letters received by post: registered as appeals on the post channel (whose SLA policy
gives 10 working days) with the scan, and answered with a record of how the answer went."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gosupport.models import Category, Role, User
from tickets.channels.models import AnswerMethod, PostalLetter
from tickets.channels.phone import require_staff
from tickets.models import Channel, Status, Ticket
from tickets.services import TransitionForbidden, message_add, ticket_create, ticket_transition


def _validate_letter(
    *, category: Category | None, sender_name: str, sender_address: str, received_on: date | None, text: str
) -> None:
    errors = {}
    if category is None or not category.is_active:
        errors["category"] = _("Choose a category.")
    if not sender_name.strip():
        errors["sender_name"] = _("Give the sender's name.")
    if not sender_address.strip():
        errors["sender_address"] = _("Give the sender's postal address.")
    if received_on is None or received_on > timezone.localdate():
        errors["received_on"] = _("Give the date the letter was received; it cannot be in the future.")
    if not text.strip():
        errors["text"] = _("Summarise what the letter asks.")
    if errors:
        raise ValidationError(errors)


def postal_letter_register(
    *,
    operator: User,
    category: Category | None,
    sender_name: str,
    sender_address: str,
    received_on: date | None,
    text: str,
    scans=(),
    contact_email: str = "",
    contact_phone: str = "",
) -> Ticket:
    """Register a received letter as an appeal on the post channel (its SLA policy gives the
    10 working days); the scan is stored under the appeal's file rules."""
    require_staff(operator)
    _validate_letter(
        category=category, sender_name=sender_name, sender_address=sender_address, received_on=received_on, text=text
    )
    citizen = _citizen_by_email(contact_email)
    with transaction.atomic():
        ticket = ticket_create(
            channel=Channel.POST,
            category=category,
            text=text,
            citizen=citizen,
            contact_email=contact_email,
            contact_phone=contact_phone,
            subject=_("Letter from %(sender)s") % {"sender": sender_name.strip()},
            files=scans,
            actor=operator,
        )
        PostalLetter.objects.create(
            ticket=ticket,
            sender_name=sender_name.strip()[:255],
            sender_address=sender_address.strip(),
            received_on=received_on,
            registered_by=operator,
        )
    return ticket


def _citizen_by_email(address: str) -> User | None:
    if not address.strip():
        return None
    return User.objects.filter(email__iexact=address.strip(), role=Role.CITIZEN, is_active=True).first()


def postal_letter_answer(
    *,
    ticket: Ticket,
    operator: User,
    text: str,
    method: str,
    sent_on: date | None,
    reference: str = "",
    files=(),
) -> Ticket:
    """Record the answer to a letter and how it was sent; the appeal is completed with it."""
    require_staff(operator)
    letter = PostalLetter.objects.filter(ticket=ticket).first()
    if letter is None:
        raise ValidationError({"method": _("This appeal did not come by post.")})
    _validate_answer(letter, text=text, method=method, sent_on=sent_on)
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if not locked.is_open:
            raise TransitionForbidden(_("This appeal is closed."))
        message_add(ticket=locked, author=operator, text=text)
        if locked.status != Status.IN_PROGRESS:
            ticket_transition(ticket=locked, to_status=Status.IN_PROGRESS, actor=operator)
        ticket_transition(
            ticket=locked, to_status=Status.COMPLETED, actor=operator, resolution=text.strip(), result_files=files
        )
        PostalLetter.objects.filter(pk=letter.pk).update(
            answer_method=method, answer_sent_on=sent_on, answer_reference=reference.strip()[:64], answered_by=operator
        )
    return Ticket.objects.get(pk=ticket.pk)


def _validate_answer(letter: PostalLetter, *, text: str, method: str, sent_on: date | None) -> None:
    errors = {}
    if not text.strip():
        errors["text"] = _("Write the answer that was sent.")
    if method not in AnswerMethod.values:
        errors["method"] = _("Choose how the answer was sent.")
    if sent_on is None or sent_on > timezone.localdate() or sent_on < letter.received_on:
        errors["sent_on"] = _("The answer is sent between the day the letter was received and today.")
    if errors:
        raise ValidationError(errors)
