"""SLA arithmetic: pure functions of a policy, a start time and a business calendar."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from gosupport.calendar import WorkingCalendar
from tickets.models import SlaPolicy

# Unanswered after a breach, an appeal is escalated again every resolution span, up to this level.
MAX_ESCALATION_LEVEL = 3


@dataclass(frozen=True)
class Deadlines:
    first_response_due: datetime
    resolution_due: datetime


@dataclass(frozen=True)
class DueActions:
    """What the sweep must do to one ticket at one moment."""

    warn: bool = False
    first_response_breach: bool = False
    resolution_breach: bool = False
    escalate_again: bool = False

    @property
    def escalate(self) -> bool:
        return self.first_response_breach or self.resolution_breach or self.escalate_again

    @property
    def any(self) -> bool:
        return self.warn or self.escalate


def deadline_after(policy: SlaPolicy, start: datetime, seconds: float, calendar: WorkingCalendar) -> datetime:
    if policy.business_time:
        return calendar.add_business_seconds(start, seconds)
    return start + timedelta(seconds=seconds)


def compute_deadlines(policy: SlaPolicy, start: datetime, calendar: WorkingCalendar) -> Deadlines:
    return Deadlines(
        first_response_due=deadline_after(policy, start, policy.first_response_seconds, calendar),
        resolution_due=deadline_after(policy, start, policy.resolution_seconds, calendar),
    )


def remaining_seconds(policy: SlaPolicy, now: datetime, due: datetime, calendar: WorkingCalendar) -> float:
    """Time left until `due`, counted the way the policy counts it."""
    if policy.business_time:
        return calendar.business_seconds_between(now, due)
    return max((due - now).total_seconds(), 0.0)


def resumed_deadline(
    policy: SlaPolicy, due: datetime, paused_at: datetime, resumed_at: datetime, calendar: WorkingCalendar
) -> datetime:
    """A deadline after a pause: the time that was left at the pause is granted again."""
    left = remaining_seconds(policy, paused_at, due, calendar)
    return deadline_after(policy, resumed_at, left, calendar)


def warning_lead_seconds(policy: SlaPolicy) -> float:
    """How long before the resolution deadline the warning goes out."""
    return policy.resolution_seconds * (100 - min(policy.warn_at_percent, 100)) / 100


def warning_moment(policy: SlaPolicy, due: datetime, since: datetime, calendar: WorkingCalendar) -> datetime:
    """When `warn_at_percent` of the resolution time is used, counted the policy's way.

    `since` is any moment before the warning while the clock runs (creation, resumption, now):
    counting back from the deadline keeps pauses out of the sum."""
    left = remaining_seconds(policy, since, due, calendar)
    return deadline_after(policy, since, max(left - warning_lead_seconds(policy), 0.0), calendar)


def next_escalation_moment(ticket, policy: SlaPolicy, calendar: WorkingCalendar) -> datetime | None:
    """After a resolution breach the appeal climbs one level per resolution span, up to the top."""
    if not ticket.resolution_breached or ticket.escalation_level >= MAX_ESCALATION_LEVEL:
        return None
    if ticket.last_escalated_at is None:
        return None
    return deadline_after(policy, ticket.last_escalated_at, max(policy.resolution_seconds, 60), calendar)


def policy_specificity(
    policy: SlaPolicy, *, channel: str, category_ids: list[int], priority: str, is_complaint: bool = False
) -> tuple[int, int, int, int] | None:
    """How well a policy fits, compared as a tuple (priority, complaint, channel, category
    closeness: the category itself beats its parent, which beats the grandparent); None
    when it does not fit at all."""
    if policy.channel and policy.channel != channel:
        return None
    if policy.priority and policy.priority != priority:
        return None
    if policy.for_complaints and not is_complaint:
        return None
    closeness = 0
    if policy.category_id:
        if policy.category_id not in category_ids:
            return None
        closeness = len(category_ids) - category_ids.index(policy.category_id)
    return (int(bool(policy.priority)), int(policy.for_complaints), int(bool(policy.channel)), closeness)


def choose_policy(
    policies: list[SlaPolicy], *, channel: str, category_ids: list[int], priority: str, is_complaint: bool = False
) -> SlaPolicy | None:
    """The most specific active policy for a ticket; category_ids go from the category up.
    Between equally specific policies the oldest wins, so a new duplicate changes nothing."""
    scored = []
    for policy in policies:
        score = policy_specificity(
            policy, channel=channel, category_ids=category_ids, priority=priority, is_complaint=is_complaint
        )
        if score is not None:
            scored.append((score, -policy.id, policy))
    return max(scored, key=lambda item: item[:2])[2] if scored else None


def next_check(
    ticket, policy: SlaPolicy | None, *, now: datetime | None = None, calendar: WorkingCalendar | None = None
) -> datetime | None:
    """The next moment the sweep must look at a ticket: a warning, a deadline or a further
    escalation not yet handled; None when the clock is stopped. `now` is when the clock was
    last known to run (defaults to the ticket's creation)."""
    if policy is None or not ticket.is_open or ticket.sla_paused_at is not None:
        return None
    calendar = calendar or WorkingCalendar.from_model(policy.calendar)
    since = now or ticket.created_at
    moments = []
    if ticket.first_responded_at is None and not ticket.first_response_breached:
        moments.append(ticket.first_response_due)
    if not ticket.resolution_breached and ticket.resolution_due is not None:
        if not ticket.sla_warned:
            moments.append(warning_moment(policy, ticket.resolution_due, since, calendar))
        moments.append(ticket.resolution_due)
    moments.append(next_escalation_moment(ticket, policy, calendar))
    moments = [m for m in moments if m is not None]
    return min(moments) if moments else None


def due_actions(ticket, policy: SlaPolicy, now: datetime, calendar: WorkingCalendar) -> DueActions:
    """Which warnings and breaches have come due by `now` and are not handled yet."""
    if not ticket.is_open or ticket.sla_paused_at is not None:
        return DueActions()
    first_due = ticket.first_response_due
    resolution_due = ticket.resolution_due
    first_breach = (
        ticket.first_responded_at is None
        and not ticket.first_response_breached
        and first_due is not None
        and now >= first_due
    )
    resolution_breach = not ticket.resolution_breached and resolution_due is not None and now >= resolution_due
    warn = (
        not ticket.sla_warned
        and not ticket.resolution_breached
        and not resolution_breach
        and resolution_due is not None
        and remaining_seconds(policy, now, resolution_due, calendar) <= warning_lead_seconds(policy)
    )
    again = next_escalation_moment(ticket, policy, calendar)
    return DueActions(
        warn=warn,
        first_response_breach=first_breach,
        resolution_breach=resolution_breach,
        escalate_again=again is not None and now >= again,
    )
