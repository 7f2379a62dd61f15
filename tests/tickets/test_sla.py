from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from gosupport.calendar import WorkingCalendar
from tests.factories import CategoryFactory, SlaPolicyFactory
from tests.tickets.conftest import TEXT, moscow
from tickets import sla
from tickets.models import Priority, SlaPolicy, Status
from tickets.services import message_add, ticket_create, ticket_transition

HOUR = timedelta(hours=1)


def pdf_bytes() -> bytes:
    from io import BytesIO

    from pypdf import PdfWriter

    writer, buffer = PdfWriter(), BytesIO()
    writer.add_blank_page(width=200, height=200)
    writer.write(buffer)
    return buffer.getvalue()


def create(citizen, category, channel="form", priority=Priority.SIMPLE):
    return ticket_create(
        channel=channel, category=category, text=TEXT, citizen=citizen, contact_email=citizen.email, priority=priority
    )


# Policy choice


def choose(policies, *, channel="form", category_ids=(3, 2, 1), priority="simple", is_complaint=False):
    return sla.choose_policy(
        policies, channel=channel, category_ids=list(category_ids), priority=priority, is_complaint=is_complaint
    )


def policy(pk, **fields):
    return SlaPolicy(id=pk, name=f"p{pk}", first_response_seconds=1, resolution_seconds=2, **fields)


def test_the_most_specific_policy_wins():
    general, by_channel, by_priority = policy(1), policy(2, channel="form"), policy(3, priority="simple")
    assert choose([general]) is general
    assert choose([general, by_channel]) is by_channel
    assert choose([general, by_channel, by_priority]) is by_priority


def test_a_closer_category_beats_its_ancestors_and_other_channels_do_not_fit():
    grandparent, parent, itself = policy(1, category_id=1), policy(2, category_id=2), policy(3, category_id=3)
    assert choose([grandparent, itself, parent]) is itself
    assert choose([grandparent, parent]) is parent
    assert choose([policy(4, channel="chat"), policy(5, category_id=99)]) is None


def test_complaint_policies_apply_to_complaints_only_and_beat_the_channel():
    form, complaints = policy(1, channel="form"), policy(2, for_complaints=True)
    assert choose([form, complaints]) is form
    assert choose([form, complaints], is_complaint=True) is complaints


def test_between_equals_the_oldest_policy_wins():
    older, newer = policy(1, channel="form"), policy(2, channel="form")
    assert choose([newer, older]) is older


# The seeded figures, through ticket_create


@pytest.mark.parametrize(
    ("channel", "priority", "first", "resolution"),
    [
        ("chat", Priority.SIMPLE, timedelta(seconds=30), timedelta(minutes=5)),
        ("chat", Priority.COMPLEX, timedelta(seconds=30), timedelta(minutes=30)),
        ("chat", Priority.ESCALATED, timedelta(seconds=30), HOUR),
        ("form", Priority.SIMPLE, 24 * HOUR, 48 * HOUR),
        ("email", Priority.SIMPLE, 24 * HOUR, 48 * HOUR),
    ],
)
def test_ticket_create_takes_the_promised_figures(
    citizen_a, account_category, default_policies, channel, priority, first, resolution
):
    ticket = create(citizen_a, account_category, channel=channel, priority=priority)
    assert ticket.first_response_due - ticket.created_at == first
    assert ticket.resolution_due - ticket.created_at == resolution


def test_a_letter_is_answered_within_ten_working_days(citizen_a, account_category, default_policies):
    with time_machine.travel(moscow(2025, 6, 16, 10), tick=False):
        ticket = create(citizen_a, account_category, channel="post")
    assert ticket.sla_policy.name == "Письмо по почте"
    assert ticket.resolution_due == moscow(2025, 6, 30, 10)


def test_a_complaint_is_answered_within_five_working_days(citizen_a, default_policies):
    complaints = CategoryFactory(slug="complaints", is_complaint=True)
    with time_machine.travel(moscow(2025, 6, 11, 10), tick=False):
        ticket = create(citizen_a, complaints)
    # 12 June is Russia Day and 13 June a day off transferred from Saturday 8 March
    assert ticket.resolution_due == moscow(2025, 6, 20, 10)


def test_the_seeding_is_idempotent_and_keeps_supervisor_edits(default_policies):
    import importlib

    from django.apps import apps

    SlaPolicy.objects.filter(name="Форма обратной связи").update(first_response_seconds=3600)
    count = SlaPolicy.objects.count()
    importlib.import_module("tickets.migrations.0003_default_calendar_and_policies").seed_defaults(apps)
    assert SlaPolicy.objects.count() == count
    assert SlaPolicy.objects.get(name="Форма обратной связи").first_response_seconds == 3600


# Pause and resume


def test_waiting_for_documents_stops_the_clock_and_resumption_grants_the_time_left(
    citizen_a, account_category, operator_of_queue, only_policy
):
    with time_machine.travel(moscow(2025, 6, 16, 10), tick=False) as traveller:
        ticket = create(citizen_a, account_category)
        assert ticket.resolution_due == moscow(2025, 6, 16, 20)
        traveller.move_to(moscow(2025, 6, 16, 12))
        ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, actor=operator_of_queue)
        ticket = ticket_transition(ticket=ticket, to_status=Status.WAITING_DOCUMENTS, actor=operator_of_queue)
        assert ticket.sla_paused_at == moscow(2025, 6, 16, 12) and ticket.next_sla_check is None
        traveller.move_to(moscow(2025, 6, 18, 9))
        message_add(ticket=ticket, author=citizen_a, text="", files=[SimpleUploadedFile("passport.pdf", pdf_bytes())])
    ticket.refresh_from_db()
    assert ticket.status == Status.IN_PROGRESS and ticket.sla_paused_at is None
    assert ticket.resolution_due == moscow(2025, 6, 18, 17)
    assert ticket.next_sla_check == moscow(2025, 6, 18, 15)  # the warning: 2 of 10 hours left


def test_a_pause_in_business_time_counts_working_hours_only(citizen_a, operator_of_queue, default_policies):
    complaints = CategoryFactory(slug="complaints", is_complaint=True)
    with time_machine.travel(moscow(2025, 6, 16, 10), tick=False) as traveller:
        ticket = create(citizen_a, complaints)
        ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, actor=operator_of_queue)
        assert ticket.resolution_due == moscow(2025, 6, 23, 10)
        traveller.move_to(moscow(2025, 6, 20, 17))  # two working hours left: Friday 17-18, Monday 9-10
        ticket_transition(ticket=ticket, to_status=Status.WAITING_DOCUMENTS, actor=operator_of_queue)
        traveller.move_to(moscow(2025, 6, 24, 12))
        ticket = ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, actor=operator_of_queue)
    assert ticket.resolution_due == moscow(2025, 6, 24, 14)


def test_the_warning_in_business_time_keeps_nights_and_weekends_out():
    complaint = SlaPolicyFactory.build(business_time=True, resolution_seconds=5 * 9 * 3600, warn_at_percent=80)
    due = moscow(2025, 6, 23, 10)  # Monday; 20% of five working days is nine working hours
    assert sla.warning_moment(complaint, due, moscow(2025, 6, 16, 10), WorkingCalendar()) == moscow(2025, 6, 20, 10)


def test_next_check_is_none_for_closed_and_paused_tickets(citizen_a, account_category, operator_of_queue, only_policy):
    ticket = create(citizen_a, account_category)
    assert sla.next_check(ticket, only_policy) == ticket.first_response_due
    ticket.sla_paused_at = ticket.created_at
    assert sla.next_check(ticket, only_policy) is None
    ticket.sla_paused_at, ticket.status = None, Status.COMPLETED
    assert sla.next_check(ticket, only_policy) is None
    assert sla.next_check(ticket, None) is None
