from datetime import timedelta

import time_machine
from django.utils import timezone

from tickets.forms_workspace import SlaState, open_queue
from tickets.services import ticket_create

TEXT = "Не могу войти в личный кабинет, пишет неверный пароль."


def make_ticket(citizen, category):
    return ticket_create(channel="form", category=category, text=TEXT, citizen=citizen, contact_email=citizen.email)


def states(user):
    return {t.number: t.sla_state for t in open_queue(user, now=timezone.now())}


def test_sla_state_moves_from_on_time_to_at_risk_to_breached(citizen_a, account_category, form_policy, supervisor):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ticket = make_ticket(citizen_a, account_category)
    with time_machine.travel(start + timedelta(hours=1), tick=False):
        assert states(supervisor)[ticket.number] == SlaState.ON_TIME
    with time_machine.travel(start + timedelta(hours=20), tick=False):
        assert states(supervisor)[ticket.number] == SlaState.AT_RISK
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        assert states(supervisor)[ticket.number] == SlaState.BREACHED
