"""SLA arithmetic: pure functions of a policy, a start time and a business calendar."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from gosupport.calendar import WorkingCalendar
from tickets.models import SlaPolicy


@dataclass(frozen=True)
class Deadlines:
    first_response_due: datetime
    resolution_due: datetime


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


def warning_moment(policy: SlaPolicy, start: datetime, due: datetime) -> datetime:
    """When to warn that a deadline is near: `warn_at_percent` of the span has gone."""
    return start + (due - start) * policy.warn_at_percent / 100


def policy_specificity(policy: SlaPolicy, *, channel: str, category_ids: list[int], priority: str) -> int | None:
    """How well a policy fits; None when it does not fit at all."""
    score = 0
    if policy.channel:
        if policy.channel != channel:
            return None
        score += 4
    if policy.category_id:
        if policy.category_id not in category_ids:
            return None
        score += 2 if policy.category_id == category_ids[0] else 1
    if policy.priority:
        if policy.priority != priority:
            return None
        score += 8
    return score


def choose_policy(
    policies: list[SlaPolicy], *, channel: str, category_ids: list[int], priority: str
) -> SlaPolicy | None:
    """The most specific active policy for a ticket; category_ids go from the category up."""
    scored = [
        (score, -policy.id, policy)
        for policy in policies
        if (score := policy_specificity(policy, channel=channel, category_ids=category_ids, priority=priority))
        is not None
    ]
    return max(scored, key=lambda item: item[:2])[2] if scored else None


def next_check(ticket, policy: SlaPolicy | None) -> datetime | None:
    """The next moment the sweep must look at a ticket: a warning or a deadline not yet handled."""
    if policy is None or not ticket.is_open or ticket.sla_paused_at is not None:
        return None
    moments = []
    if ticket.first_responded_at is None and not ticket.first_response_breached:
        moments.append(ticket.first_response_due)
    if not ticket.resolution_breached:
        if not ticket.sla_warned:
            moments.append(warning_moment(policy, ticket.created_at, ticket.resolution_due))
        moments.append(ticket.resolution_due)
    moments = [m for m in moments if m is not None]
    return min(moments) if moments else None
