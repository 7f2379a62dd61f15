"""The SLA sweep: warnings before a breach and escalation after one.

Beat runs it every few seconds. Due appeals are found by the partial index on
`next_sla_check` and locked with SKIP LOCKED, a batch at a time, so two sweeps running at
once share the work and never handle an appeal twice. Each batch costs a handful of
queries whatever its size: one locking read, a few reads for candidates and recipients,
one bulk update, one bulk insert of events and one of notifications."""

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from typing import NamedTuple

from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gosupport.calendar import WorkingCalendar
from gosupport.models import Line, Notification, NotificationChannel, OperatorProfile, Presence, Role, User
from gosupport.notifications import notifications_create_bulk
from tickets import sla
from tickets.models import OPEN_STATUSES, EventKind, SlaPolicy, Ticket, TicketEvent

DEFAULT_BATCH_SIZE = 1000
NUMBERS_IN_A_NOTICE = 50
# A ticket whose next check cannot be computed is looked at again after this pause, never in a loop.
RETRY_AFTER = timedelta(minutes=1)

SWEEP_FIELDS = (
    "id",
    "number",
    "status",
    "queue_id",
    "line",
    "assignee_id",
    "sla_policy_id",
    "first_response_due",
    "resolution_due",
    "first_responded_at",
    "sla_paused_at",
    "next_sla_check",
    "escalation_level",
    "last_escalated_at",
    "sla_warned",
    "first_response_breached",
    "resolution_breached",
)
# Field and PostgreSQL array type of every column the sweep writes.
UPDATED_FIELDS = {
    "sla_warned": "boolean",
    "first_response_breached": "boolean",
    "resolution_breached": "boolean",
    "escalation_level": "smallint",
    "last_escalated_at": "timestamptz",
    "line": "smallint",
    "assignee": "bigint",
    "next_sla_check": "timestamptz",
    "updated_at": "timestamptz",
}


@dataclass
class SweepResult:
    checked: int = 0
    warned: int = 0
    escalated: int = 0


@dataclass
class _Candidate:
    user_id: int
    line: int
    is_senior: bool
    capacity: int
    load: int
    queues: set[int] | None  # None: takes every queue

    def fits(self, *, queue_id: int, line: int, senior: bool, exclude: int | None) -> bool:
        return (
            self.line == line
            and (self.is_senior or not senior)
            and self.user_id != exclude
            and self.load < self.capacity
            and (self.queues is None or queue_id in self.queues)
        )


class _Assigner:
    """Online senior and second-line operators with their loads: three queries per sweep,
    then kept up to date in memory as appeals are handed to them."""

    def __init__(self):
        self.candidates = _load_candidates()

    def pick(self, *, queue_id: int, line: int, senior: bool, exclude: int | None) -> int | None:
        fitting = [c for c in self.candidates if c.fits(queue_id=queue_id, line=line, senior=senior, exclude=exclude)]
        if not fitting:
            return None
        best = min(fitting, key=lambda c: (c.load, c.user_id))
        best.load += 1
        return best.user_id


def _load_candidates() -> list[_Candidate]:
    profiles = list(
        OperatorProfile.objects.filter(presence=Presence.ONLINE, user__is_active=True)
        .filter(Q(is_senior=True) | Q(line=Line.SECOND))
        .values("pk", "user_id", "line", "is_senior", "capacity", "all_queues")
    )
    skills = defaultdict(set)
    for profile_id, category_id in OperatorProfile.skills.through.objects.filter(
        operatorprofile_id__in=[p["pk"] for p in profiles]
    ).values_list("operatorprofile_id", "category_id"):
        skills[profile_id].add(category_id)
    loads = dict(
        Ticket.objects.filter(assignee_id__in=[p["user_id"] for p in profiles], status__in=OPEN_STATUSES)
        .values("assignee_id")
        .annotate(n=Count("id"))
        .values_list("assignee_id", "n")
    )
    return [
        _Candidate(
            user_id=p["user_id"],
            line=p["line"],
            is_senior=p["is_senior"],
            capacity=p["capacity"],
            load=loads.get(p["user_id"], 0),
            queues=None if p["all_queues"] else skills[p["pk"]],
        )
        for p in profiles
    ]


@dataclass
class _Sweep:
    """What one sweep reads once: the moment, policies, calendars and supervisors."""

    now: datetime
    policies: dict[int, SlaPolicy] = field(default_factory=dict)
    calendars: dict[int | None, WorkingCalendar] = field(default_factory=dict)
    _supervisors: list[tuple[int, str]] | None = None
    _assigner: "_Assigner | None" = None

    def __post_init__(self):
        self.policies = {p.pk: p for p in SlaPolicy.objects.select_related("calendar")}

    def calendar_for(self, policy: SlaPolicy) -> WorkingCalendar:
        if policy.calendar_id not in self.calendars:
            self.calendars[policy.calendar_id] = WorkingCalendar.from_model(policy.calendar)
        return self.calendars[policy.calendar_id]

    def assigner(self) -> "_Assigner":
        """Candidates and their loads are read once per sweep and kept current in memory."""
        if self._assigner is None:
            self._assigner = _Assigner()
        return self._assigner

    def supervisors(self) -> list[tuple[int, str]]:
        if self._supervisors is None:
            self._supervisors = list(
                User.objects.filter(role=Role.SUPERVISOR, is_active=True).exclude(email="").values_list("pk", "email")
            )
        return self._supervisors


@dataclass
class _Outcome:
    ticket: Ticket
    actions: sla.DueActions
    from_assignee: int | None = None
    from_line: int = Line.FIRST


def sla_sweep(*, now: datetime | None = None, batch_size: int = DEFAULT_BATCH_SIZE) -> SweepResult:
    """Warn about and escalate every appeal whose next SLA check has come; safe to run twice at once."""
    sweep = _Sweep(now=now or timezone.now())
    result = SweepResult()
    while _sweep_batch(sweep, batch_size, result) == batch_size:
        pass
    return result


def _sweep_batch(sweep: _Sweep, batch_size: int, result: SweepResult) -> int:
    with transaction.atomic():
        batch = list(
            Ticket.objects.select_for_update(skip_locked=True)
            .filter(next_sla_check__lte=sweep.now)
            .order_by("next_sla_check")
            .only(*SWEEP_FIELDS)[:batch_size]
        )
        if not batch:
            return 0
        outcomes = [_plan(ticket, sweep) for ticket in batch]
        _reassign([o for o in outcomes if o.actions.escalate], sweep)
        _save(batch)
        _insert_events(_events(outcomes, sweep.now))
        notifications_create_bulk(_notifications(outcomes, sweep))
    result.checked += len(batch)
    result.warned += sum(o.actions.warn for o in outcomes)
    result.escalated += sum(o.actions.escalate for o in outcomes)
    return len(batch)


def _save(batch: list[Ticket]) -> None:
    """One UPDATE for the whole batch. Django's bulk_update builds a CASE per column and
    row, quadratic in the batch; on PostgreSQL the rows are joined from arrays instead."""
    if connection.vendor != "postgresql":
        Ticket.objects.bulk_update(batch, list(UPDATED_FIELDS))
        return
    fields = [Ticket._meta.get_field(name) for name in UPDATED_FIELDS]
    columns = ", ".join(f"{field.column} = v.{field.column}" for field in fields)
    arrays = ", ".join(f"%b::{kind}[]" for kind in UPDATED_FIELDS.values())
    names = ", ".join(field.column for field in fields)
    sql = (
        f"UPDATE {Ticket._meta.db_table} AS t SET {columns} "
        f"FROM unnest(%b::bigint[], {arrays}) AS v(id, {names}) WHERE t.id = v.id"
    )
    values = [[ticket.pk for ticket in batch]]
    values += [[_plain(getattr(ticket, field.attname)) for ticket in batch] for field in fields]
    _execute_bound(sql, values)


def _plain(value):
    """psycopg writes an Enum member by its name; the column wants its value."""
    return value.value if isinstance(value, Enum) else value


def _execute_bound(sql: str, params: list) -> None:
    """Execute with server-side parameters: Django's psycopg cursor quotes every array
    element in Python, which costs more than the update itself. Write the placeholders as
    %b: arrays sent in binary need no quoting at all (a text array, %s, costs ~10x more)."""
    import psycopg

    connection.ensure_connection()
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(sql, params)


class _EventRow(NamedTuple):
    ticket_id: int
    at: datetime
    kind: str
    comment: str
    data: dict


def _insert_events(events: list[_EventRow]) -> None:
    if connection.vendor != "postgresql":
        TicketEvent.objects.bulk_create(TicketEvent(**event._asdict()) for event in events)
        return
    if not events:
        return
    table = TicketEvent._meta.db_table
    _execute_bound(
        f"INSERT INTO {table} (ticket_id, at, kind, from_status, to_status, comment, data) "
        "SELECT ticket_id, at, kind, '', '', comment, data::jsonb "
        "FROM unnest(%b::bigint[], %b::timestamptz[], %b::text[], %b::text[], %b::text[]) "
        "AS v(ticket_id, at, kind, comment, data)",
        [
            [event.ticket_id for event in events],
            [event.at for event in events],
            [_plain(event.kind) for event in events],
            [event.comment for event in events],
            [json.dumps(event.data) for event in events],
        ],
    )


def _plan(ticket: Ticket, sweep: _Sweep) -> _Outcome:
    """Decide and apply, in memory, what has come due for one ticket."""
    outcome = _Outcome(ticket=ticket, actions=sla.DueActions(), from_assignee=ticket.assignee_id, from_line=ticket.line)
    policy = sweep.policies.get(ticket.sla_policy_id)
    if policy is None:
        ticket.next_sla_check = None
        return outcome
    calendar = sweep.calendar_for(policy)
    actions = sla.due_actions(ticket, policy, sweep.now, calendar)
    ticket.sla_warned |= actions.warn
    ticket.first_response_breached |= actions.first_response_breach
    ticket.resolution_breached |= actions.resolution_breach
    if actions.escalate:
        ticket.escalation_level += 1
        ticket.last_escalated_at = sweep.now
    ticket.updated_at = sweep.now
    following = sla.next_check(ticket, policy, now=sweep.now, calendar=calendar)
    ticket.next_sla_check = (
        max(following, sweep.now + RETRY_AFTER) if following and following <= sweep.now else following
    )
    outcome.actions = actions
    return outcome


def _reassign(escalated: list[_Outcome], sweep: _Sweep) -> None:
    """The first escalation goes to a senior operator of the queue; later ones, or the first
    when no senior is free, to the second line (unassigned there if nobody is free)."""
    if not escalated:
        return
    assigner = sweep.assigner()
    for outcome in escalated:
        ticket = outcome.ticket
        exclude = ticket.assignee_id
        if ticket.line == Line.FIRST and ticket.escalation_level == 1:
            senior = assigner.pick(queue_id=ticket.queue_id, line=Line.FIRST, senior=True, exclude=exclude)
            if senior is not None:
                ticket.assignee_id = senior
                continue
        second = assigner.pick(queue_id=ticket.queue_id, line=Line.SECOND, senior=False, exclude=exclude)
        if second is not None or ticket.line != Line.SECOND:
            ticket.assignee_id = second
        ticket.line = Line.SECOND


def _reasons(actions: sla.DueActions) -> list[str]:
    reasons = []
    if actions.first_response_breach:
        reasons.append("first_response")
    if actions.resolution_breach:
        reasons.append("resolution")
    if actions.escalate_again:
        reasons.append("still_unresolved")
    return reasons


REASON_TEXT = {
    "first_response": lambda: _("The first response is overdue."),
    "resolution": lambda: _("The resolution is overdue."),
    "still_unresolved": lambda: _("The appeal is still unresolved after an escalation."),
}


def _events(outcomes: list[_Outcome], now: datetime) -> list[_EventRow]:
    events = []
    for outcome in outcomes:
        ticket, actions = outcome.ticket, outcome.actions
        if actions.warn:
            events.append(
                _EventRow(
                    ticket_id=ticket.pk,
                    at=now,
                    kind=EventKind.SLA_WARNING,
                    comment=_("The resolution deadline is near."),
                    data={"resolution_due": ticket.resolution_due.isoformat()},
                )
            )
        if actions.escalate:
            events.append(_escalation_event(outcome, now))
    return events


def _escalation_event(outcome: _Outcome, now: datetime) -> _EventRow:
    ticket = outcome.ticket
    reasons = _reasons(outcome.actions)
    return _EventRow(
        ticket_id=ticket.pk,
        at=now,
        kind=EventKind.ESCALATED,
        comment=" ".join(str(REASON_TEXT[reason]()) for reason in reasons),
        data={
            "level": ticket.escalation_level,
            "reasons": reasons,
            "from_assignee": outcome.from_assignee,
            "to_assignee": ticket.assignee_id,
            "from_line": outcome.from_line,
            "to_line": ticket.line,
        },
    )


def _notifications(outcomes: list[_Outcome], sweep: _Sweep) -> list[Notification]:
    """One digest per recipient per batch: a supervisor gets a list of numbers, not a flood."""
    warnings: dict[int, list[str]] = defaultdict(list)
    escalations: dict[int, list[str]] = defaultdict(list)
    supervisor_ids = [pk for pk, _email in sweep.supervisors()]
    for outcome in outcomes:
        ticket = outcome.ticket
        if outcome.actions.warn:
            for user_id in [ticket.assignee_id] if ticket.assignee_id else supervisor_ids:
                warnings[user_id].append(ticket.number)
        if outcome.actions.escalate:
            for user_id in {*supervisor_ids, ticket.assignee_id} - {None}:
                escalations[user_id].append(ticket.number)
    emails = _emails_of({*warnings, *escalations}, sweep)
    notices = [
        _digest(emails, user_id, numbers, _("Appeals close to the SLA deadline"))
        for user_id, numbers in warnings.items()
    ]
    notices += [_digest(emails, user_id, numbers, _("Appeals escalated")) for user_id, numbers in escalations.items()]
    return [notice for notice in notices if notice is not None]


def _emails_of(user_ids: set[int], sweep: _Sweep) -> dict[int, str]:
    known = dict(sweep.supervisors())
    missing = user_ids - known.keys()
    if missing:
        known.update(User.objects.filter(pk__in=missing, is_active=True).exclude(email="").values_list("pk", "email"))
    return known


def _digest(emails: dict[int, str], user_id: int, numbers: list[str], subject: str) -> Notification | None:
    if user_id not in emails:
        return None
    shown = ", ".join(numbers[:NUMBERS_IN_A_NOTICE])
    body = _("%(subject)s: %(numbers)s.") % {"subject": subject, "numbers": shown}
    if len(numbers) > NUMBERS_IN_A_NOTICE:
        body += " " + _("And %(count)s more.") % {"count": len(numbers) - NUMBERS_IN_A_NOTICE}
    return Notification(
        channel=NotificationChannel.EMAIL,
        recipient=emails[user_id],
        subject=f"{subject} ({len(numbers)})",
        body=body,
        user_id=user_id,
        reference="sla",
    )
