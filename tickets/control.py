"""Who may transfer or close an appeal, beyond seeing it.

A channel with rules of its own registers a check from its AppConfig.ready(); the live
chat does (`chat.services.chat_control_check`: only the chat's operator, a senior
operator of its queue or a supervisor). `ticket_transfer` and `ticket_transition` (when
it closes the appeal) run the check under their row lock, so the workspace pages, the
REST API, the admin and the chat desk refuse the same people with the same words, and
tickets imports none of the apps that register."""

from collections.abc import Callable

from gosupport.models import User
from tickets.models import Ticket

ControlCheck = Callable[..., None]

_checks: dict[str, ControlCheck] = {}


def ticket_control_check_register(*, channel: str, check: ControlCheck) -> None:
    """`check(ticket=..., user=...)` raises PermissionDenied with a message for the person."""
    _checks[channel] = check


def ticket_control_check(*, ticket: Ticket, actor: User | None) -> None:
    """Refuse a person who may not transfer or close this appeal; the system (None) always may."""
    if actor is None:
        return
    check = _checks.get(ticket.channel)
    if check is not None:
        check(ticket=ticket, user=actor)
