"""Reads of appeals, already scoped to what the caller may see."""

from django.db.models import Q, QuerySet
from django.http import Http404

from gosupport.models import User
from tickets.models import EventKind, Message, Ticket, TicketEvent

# The status history a citizen is shown; routing and SLA bookkeeping are for staff.
CITIZEN_EVENT_KINDS = (EventKind.CREATED, EventKind.STATUS, EventKind.DOCUMENTS_ADDED, EventKind.RATED)


def tickets_visible_to(user: User) -> QuerySet[Ticket]:
    """Citizens see their own appeals; operators their queues, their line and what is
    assigned to them (the second line also what was escalated to it); supervisors all."""
    tickets = Ticket.objects.select_related("category", "queue", "assignee")
    if not user.is_authenticated or not user.is_active:
        return tickets.none()
    if user.is_supervisor:
        return tickets
    if user.is_operator:
        return tickets.filter(_operator_scope(user))
    return tickets.filter(citizen=user)


def _operator_scope(user: User) -> Q:
    profile = getattr(user, "operator_profile", None)
    assigned = Q(assignee=user)
    if profile is None:
        return assigned
    line = Q(line__lte=profile.line)
    if profile.all_queues:
        return assigned | line
    return assigned | (line & Q(queue__in=profile.skills.values("pk")))


def access_ticket(user: User, number: str) -> Ticket:
    """The ticket with that number if the user may see it, else 404 (never leak existence)."""
    try:
        # get(), not first(): the number is unique, and first()'s ordering doubled the
        # compile cost of a lookup every socket and page makes.
        return tickets_visible_to(user).get(number=number)
    except Ticket.DoesNotExist:
        raise Http404 from None


def messages_visible_to(user: User, ticket: Ticket) -> QuerySet[Message]:
    messages = ticket.messages.select_related("author").prefetch_related("attachments").order_by("seq")
    return messages if user.is_staff_member else messages.filter(internal=False)


def events_visible_to(user: User, ticket: Ticket) -> QuerySet[TicketEvent]:
    """The history: staff see everything, a citizen what concerns them (no routing or SLA bookkeeping)."""
    events = ticket.events.select_related("actor").order_by("at", "id")
    return events if user.is_staff_member else events.filter(kind__in=CITIZEN_EVENT_KINDS)
