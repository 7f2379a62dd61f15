"""Routing: which operator gets an appeal, and moving appeals between people and queues."""

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gosupport.models import Category, OperatorProfile, Presence, User
from tickets.models import OPEN_STATUSES, EventKind, Ticket


def operators_for(ticket: Ticket):
    """Online operators of the ticket's queue and line who are under capacity, least loaded first."""
    return (
        OperatorProfile.objects.filter(presence=Presence.ONLINE, line=ticket.line, user__is_active=True)
        .filter(Q(all_queues=True) | Q(skills=ticket.queue_id))
        .annotate(load=Count("user__assigned_tickets", filter=Q(user__assigned_tickets__status__in=OPEN_STATUSES)))
        .filter(load__lt=F("capacity"))
        .order_by("load", "presence_changed_at", "pk")
        .distinct()
    )


def ticket_route(*, ticket: Ticket) -> User | None:
    """Offer the ticket to the least-loaded eligible operator; it stays queued if none is free."""
    profile = operators_for(ticket).select_related("user").first()
    if profile is None:
        return None
    ticket_assign(ticket=ticket, operator=profile.user, actor=None, comment=_("Assigned by routing."))
    return profile.user


def ticket_assign(*, ticket: Ticket, operator: User | None, actor: User | None, comment: str = "") -> Ticket:
    from tickets.services import _record_event

    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        previous = locked.assignee_id
        locked.assignee = operator
        locked.save(update_fields=["assignee", "updated_at"])
        _record_event(
            ticket=locked,
            kind=EventKind.ASSIGNED,
            actor=actor,
            now=timezone.now(),
            comment=comment,
            data={"from": previous, "to": operator.pk if operator else None},
        )
    ticket.assignee = operator
    return locked


def ticket_transfer(*, ticket: Ticket, queue: Category, line: int, actor: User | None, comment: str = "") -> Ticket:
    """Hand an appeal to another queue or line; routing then picks an operator there."""
    from tickets.services import _record_event

    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        data = {"from_queue": locked.queue.slug, "to_queue": queue.slug, "from_line": locked.line, "to_line": line}
        locked.queue, locked.line, locked.assignee = queue, line, None
        locked.save(update_fields=["queue", "line", "assignee", "updated_at"])
        _record_event(
            ticket=locked, kind=EventKind.TRANSFERRED, actor=actor, now=timezone.now(), comment=comment, data=data
        )
        ticket_route(ticket=locked)
    return locked
