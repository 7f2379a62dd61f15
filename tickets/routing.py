"""Routing: which operator gets an appeal, and moving appeals between people and queues."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count, OuterRef, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from gosupport.models import Category, Line, OperatorProfile, Presence, User
from tickets.control import ticket_control_check
from tickets.models import OPEN_STATUSES, EventKind, Ticket
from tickets.services import TransitionForbidden, _record_event

# Candidates tried when the least-loaded operator fills up between the pick and the lock.
ROUTE_CANDIDATES = 5


class TicketAlreadyTaken(TransitionForbidden):
    """Another operator took the appeal first (the API answers 409)."""


def _open_appeals_of(assignee):
    return Ticket.objects.filter(assignee=assignee, status__in=OPEN_STATUSES)


def open_load(user_id: int) -> int:
    return _open_appeals_of(user_id).count()


def _eligible_sql(ticket: Ticket, *, under_capacity: bool) -> tuple[str, list]:
    """Who may be given the ticket, as the FROM and WHERE of a query over the operator profile
    `p`: online, on the ticket's line, an active user, a skill for its queue or every queue
    and, with `under_capacity`, fewer open appeals than their capacity. The one statement of
    that rule: routing picks and locks from it, the chat offers pick from it, and the
    querysets below (the chat's accept check, waiting estimates, call back frames) read it."""
    profile, user = OperatorProfile._meta.db_table, User._meta.db_table
    skills = OperatorProfile.skills.through._meta.db_table
    sql = f"""FROM {profile} p JOIN {user} u ON u.id = p.user_id
        WHERE p.presence = %s AND p.line = %s AND u.is_active
          AND (p.all_queues OR EXISTS (
                SELECT 1 FROM {skills} s WHERE s.operatorprofile_id = p.id AND s.category_id = %s))"""
    params = [Presence.ONLINE, ticket.line, ticket.queue_id]
    if under_capacity:
        load, load_params = _load_sql()
        sql += f" AND {load} < p.capacity"
        params += load_params
    return sql, params


def _load_sql() -> tuple[str, list]:
    """The open appeals of the operator of profile `p`."""
    marks = ", ".join(["%s"] * len(OPEN_STATUSES))
    sql = f"(SELECT count(*) FROM {Ticket._meta.db_table} t WHERE t.assignee_id = p.user_id AND t.status IN ({marks}))"
    return sql, list(OPEN_STATUSES)


def _eligible_profiles(ticket: Ticket, *, under_capacity: bool):
    eligible, params = _eligible_sql(ticket, under_capacity=under_capacity)
    return OperatorProfile.objects.filter(pk__in=RawSQL(f"SELECT p.id {eligible}", params))


def operators_online_for(ticket: Ticket):
    """Online operators of the ticket's queue and line, whatever their load."""
    return _eligible_profiles(ticket, under_capacity=False)


def operators_for(ticket: Ticket):
    """Online operators of the ticket's queue and line who are under capacity, with their `load`
    (who of them comes first is `free_operator_id`'s to say)."""
    load = _open_appeals_of(OuterRef("user_id")).order_by().values("assignee").annotate(n=Count("pk")).values("n")
    return _eligible_profiles(ticket, under_capacity=True).annotate(load=Coalesce(Subquery(load), 0))


def _free_operator_query(ticket: Ticket, skip: list[int], *, lock: bool) -> tuple[str, list]:
    """The least-loaded eligible operator under capacity, the longest online first. With `lock`,
    on PostgreSQL the row is locked and rows other routings hold are skipped, so two routings
    never wait on each other (no deadlock) and never both take the last place; SQLite runs
    one writer at a time. Raw SQL: this runs for every new appeal and the ORM's compile cost
    dominated it."""
    eligible, params = _eligible_sql(ticket, under_capacity=True)
    load, load_params = _load_sql()
    not_skipped = f"AND p.user_id NOT IN ({', '.join(['%s'] * len(skip))})" if skip else ""
    locked = lock and connection.features.has_select_for_update_skip_locked
    sql = f"""SELECT p.user_id {eligible} {not_skipped}
        ORDER BY {load}, p.presence_changed_at, p.id
        LIMIT 1 {"FOR UPDATE OF p SKIP LOCKED" if locked else ""}"""
    return sql, [*params, *skip, *load_params]


def _free_operator(ticket: Ticket, skip: list[int], *, lock: bool) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute(*_free_operator_query(ticket, skip, lock=lock))
        row = cursor.fetchone()
    return row[0] if row else None


def free_operator_id(ticket: Ticket, *, skip: list[int] | None = None) -> int | None:
    """Whom routing would give the ticket now (the user id), read without a lock: the chat
    offers a queued chat to this operator."""
    return _free_operator(ticket, skip or [], lock=False)


def _has_room(operator_id: int) -> bool:
    """Re-counted after the lock, in a fresh snapshot: a routing that committed between the
    candidate query's snapshot and the lock is seen here."""
    capacity = OperatorProfile.objects.filter(user_id=operator_id).values_list("capacity", flat=True).get()
    return open_load(operator_id) < capacity


def ticket_route(*, ticket: Ticket) -> User | None:
    """Offer the ticket to the least-loaded eligible operator; it stays queued if none is free
    (or every free one is being routed to at this instant: operators take from the queue too).

    Inside a caller's transaction (a new appeal, a transfer) no savepoint is taken: nothing
    here is retried, and an error rolls the caller back with it."""
    if not ticket.is_open:
        return None
    tried: list[int] = []
    with transaction.atomic(savepoint=False):
        for _attempt in range(ROUTE_CANDIDATES):
            operator_id = _free_operator(ticket, tried, lock=True)
            if operator_id is None:
                return None
            if _has_room(operator_id):
                operator = User.objects.get(pk=operator_id)
                ticket_assign(ticket=ticket, operator=operator, actor=None, comment=_("Assigned by routing."))
                return operator
            tried.append(operator_id)
    return None


def ticket_assign(*, ticket: Ticket, operator: User | None, actor: User | None, comment: str = "") -> Ticket:
    if operator is not None and not operator.is_staff_member:
        raise ValidationError({"operator": _("Appeals can be assigned to staff only.")})
    with transaction.atomic(savepoint=False):  # as in ticket_route
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.is_open:
            _assign_locked(locked, operator=operator, actor=actor, comment=comment)
    # Refused after the block: an exception inside a block without a savepoint would
    # spoil the caller's transaction, and a caller (an admin action) goes on to the next one.
    if not locked.is_open:
        raise TransitionForbidden(_("This appeal is closed."))
    ticket.assignee = operator
    return locked


def _assign_locked(locked: Ticket, *, operator: User | None, actor: User | None, comment: str) -> None:
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


def _may_take(ticket: Ticket, operator: User) -> bool:
    from tickets.selectors import tickets_visible_to

    return operator.is_staff_member and tickets_visible_to(operator).filter(pk=ticket.pk).exists()


def ticket_take(*, ticket: Ticket, operator: User) -> Ticket:
    """An operator takes an unassigned open appeal of their queue; the first one wins.

    Capacity limits automatic routing only: an operator who takes work by hand decides."""
    if not _may_take(ticket, operator):
        raise PermissionDenied(_("This appeal is not in your queues."))
    now = timezone.now()
    with transaction.atomic():
        taken = Ticket.objects.filter(pk=ticket.pk, assignee__isnull=True, status__in=OPEN_STATUSES).update(
            assignee=operator, updated_at=now
        )
        current = Ticket.objects.get(pk=ticket.pk)
        if not taken:
            _refuse_take(current, operator)
            return current
        _record_event(
            ticket=current,
            kind=EventKind.ASSIGNED,
            actor=operator,
            now=now,
            comment=_("Taken from the queue."),
            data={"from": None, "to": operator.pk},
        )
    ticket.assignee = operator
    return current


def _refuse_take(current: Ticket, operator: User) -> None:
    if not current.is_open:
        raise TransitionForbidden(_("This appeal is closed."))
    if current.assignee_id != operator.pk:
        raise TicketAlreadyTaken(_("Another operator has already taken this appeal."))


def ticket_transfer(*, ticket: Ticket, queue: Category, line: int, actor: User | None, comment: str = "") -> Ticket:
    """Hand an appeal to another queue or line; routing then picks an operator there."""
    if line not in Line.values:
        raise ValidationError({"line": _("Choose the first or the second line.")})
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if not locked.is_open:
            raise TransitionForbidden(_("This appeal is closed."))
        ticket_control_check(ticket=locked, actor=actor)
        data = {"from_queue": locked.queue.slug, "to_queue": queue.slug, "from_line": locked.line, "to_line": line}
        locked.queue, locked.line, locked.assignee = queue, line, None
        locked.save(update_fields=["queue", "line", "assignee", "updated_at"])
        _record_event(
            ticket=locked, kind=EventKind.TRANSFERRED, actor=actor, now=timezone.now(), comment=comment, data=data
        )
        ticket_route(ticket=locked)
    return locked
