import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from chat.models import Phase
from chat.services import chat_accept, chat_handoff, chat_open
from gosupport.models import Line, OperatorProfile, Presence, User
from tests.factories import CategoryFactory, OperatorFactory, UserFactory
from tests.tickets.conftest import TEXT
from tests.tickets.test_sla import pdf_bytes
from tickets.models import Attachment, AuthorKind, EventKind, Rating, Status, Ticket
from tickets.routing import (
    TicketAlreadyTaken,
    free_operator_id,
    operators_for,
    operators_online_for,
    ticket_assign,
    ticket_route,
    ticket_take,
    ticket_transfer,
)
from tickets.services import (
    AlreadyRated,
    TransitionForbidden,
    message_add,
    ticket_create,
    ticket_rate,
    ticket_transition,
)


def create(citizen, category, channel="form"):
    return ticket_create(channel=channel, category=category, text=TEXT, citizen=citizen, contact_email=citizen.email)


def close(ticket, operator):
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, actor=operator)
    return ticket_transition(
        ticket=ticket, to_status=Status.COMPLETED, actor=operator, resolution="Доступ восстановлен."
    )


# Routing


def test_routing_gives_the_appeal_to_the_least_loaded_online_operator(citizen_a, account_category, operator_of_queue):
    colleague = OperatorFactory(username="colleague", profile__skills=[account_category])
    first, second = create(citizen_a, account_category), create(citizen_a, account_category)
    assert {first.assignee, second.assignee} == {operator_of_queue, colleague}


def test_full_or_offline_operators_leave_the_appeal_queued(citizen_a, account_category, operator_of_queue):
    OperatorProfile.objects.filter(user=operator_of_queue).update(capacity=1)
    assert create(citizen_a, account_category).assignee == operator_of_queue
    assert create(citizen_a, account_category).assignee is None
    OperatorProfile.objects.filter(user=operator_of_queue).update(capacity=5, presence=Presence.OFFLINE)
    assert create(citizen_a, account_category).assignee is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_routings_at_once_never_exceed_capacity():
    category = CategoryFactory(slug="race-routing")
    citizen = UserFactory(username="racer-routing")
    operator = OperatorFactory(username="only-one", profile__skills=[category], profile__capacity=1)
    OperatorProfile.objects.filter(user=operator).update(presence=Presence.OFFLINE)
    tickets = [create(citizen, category) for _ in range(2)]
    OperatorProfile.objects.filter(user=operator).update(presence=Presence.ONLINE)
    barrier = threading.Barrier(2)

    def route(ticket):
        try:
            barrier.wait()
            ticket_route(ticket=ticket)
        finally:
            connection.close()

    threads = [threading.Thread(target=route, args=(t,)) for t in tickets]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert Ticket.objects.filter(assignee=operator).count() == 1


# One rule of who may take an appeal, for routing and for the chat


@pytest.fixture
def crowd(citizen_a, account_category, applications_category):
    """Operators who each differ in one way from one who may take an account-access appeal,
    and the appeal, queued before any of them came online."""
    appeal, held, finished = (create(citizen_a, account_category) for _ in range(3))

    def operator(name, **profile):
        return OperatorFactory(username=name, **{f"profile__{key}": value for key, value in profile.items()})

    people = {
        "fits": operator("fits", skills=[account_category]),
        "every-queue": operator("every-queue", all_queues=True),
        "finished-work": operator("finished-work", skills=[account_category], capacity=1),
        "away": operator("away", skills=[account_category], presence=Presence.AWAY),
        "offline": operator("offline", skills=[account_category], presence=Presence.OFFLINE),
        "second-line": operator("second-line", skills=[account_category], line=Line.SECOND),
        "inactive": operator("inactive", skills=[account_category]),
        "other-queue": operator("other-queue", skills=[applications_category]),
        "full": operator("full", skills=[account_category], capacity=1),
        "no-capacity": operator("no-capacity", skills=[account_category], capacity=0),
    }
    ticket_assign(ticket=held, operator=people["full"], actor=None)
    ticket_assign(ticket=finished, operator=people["finished-work"], actor=None)
    close(finished, people["finished-work"])
    User.objects.filter(pk=people["inactive"].pk).update(is_active=False)
    return appeal, people


ELIGIBLE = {"fits", "every-queue", "finished-work"}


def routing_candidates(ticket) -> set[str]:
    """Everybody routing would try for the ticket, in turn."""
    tried = []
    while (operator_id := free_operator_id(ticket, skip=tried)) is not None:
        tried.append(operator_id)
    return set(User.objects.filter(pk__in=tried).values_list("username", flat=True))


def test_routing_and_the_chats_accept_check_agree_on_who_may_take_an_appeal(crowd):
    appeal, _people = crowd
    listed = set(operators_for(appeal).values_list("user__username", flat=True))
    assert routing_candidates(appeal) == listed == ELIGIBLE
    assert set(operators_online_for(appeal).values_list("user__username", flat=True)) == ELIGIBLE | {
        "full",
        "no-capacity",
    }


def test_routing_gives_the_appeal_to_the_operator_it_names(crowd):
    appeal, _people = crowd
    expected = free_operator_id(appeal)
    assert ticket_route(ticket=appeal).pk == expected


def test_a_chat_is_offered_to_whom_routing_names_and_only_the_eligible_accept_it(crowd, citizen_a, account_category):
    _appeal, people = crowd
    chat = chat_open(citizen=citizen_a, text="Нужен оператор", category=account_category)
    session = chat_handoff(ticket=chat, actor=citizen_a)
    assert session.offered_to_id == free_operator_id(chat)
    assert session.offered_to.username in ELIGIBLE
    for name in people.keys() - ELIGIBLE:
        with pytest.raises(TransitionForbidden):
            chat_accept(ticket=chat, operator=people[name])
    assert chat_accept(ticket=chat, operator=people["finished-work"]).phase == Phase.ASSIGNED


# Taking and transferring


@pytest.fixture
def queued(citizen_a, account_category, operator_of_queue):
    OperatorProfile.objects.filter(user=operator_of_queue).update(presence=Presence.OFFLINE)
    return create(citizen_a, account_category)


def test_an_operator_takes_an_unassigned_appeal_of_their_queue(queued, operator_of_queue):
    ticket = ticket_take(ticket=queued, operator=operator_of_queue)
    assert ticket.assignee == operator_of_queue
    assert ticket.events.filter(kind=EventKind.ASSIGNED, actor=operator_of_queue).exists()
    assert ticket_take(ticket=queued, operator=operator_of_queue).assignee == operator_of_queue  # harmless twice


def test_the_second_taker_gets_a_conflict(queued, operator_of_queue, account_category):
    colleague = OperatorFactory(username="colleague", profile__skills=[account_category])
    ticket_take(ticket=queued, operator=operator_of_queue)
    with pytest.raises(TicketAlreadyTaken):
        ticket_take(ticket=queued, operator=colleague)
    assert Ticket.objects.get(pk=queued.pk).assignee == operator_of_queue


def test_others_cannot_take_the_appeal(queued, operator_of_other_queue, citizen_a):
    for outsider in (operator_of_other_queue, citizen_a):
        with pytest.raises(PermissionDenied):
            ticket_take(ticket=queued, operator=outsider)
    assert Ticket.objects.get(pk=queued.pk).assignee is None


def test_a_closed_appeal_cannot_be_taken(queued, operator_of_queue, supervisor):
    close(queued, supervisor)
    with pytest.raises(TransitionForbidden):
        ticket_take(ticket=queued, operator=operator_of_queue)


def test_a_closed_appeal_cannot_be_assigned(queued, operator_of_queue, supervisor):
    close(queued, supervisor)
    with pytest.raises(TransitionForbidden):
        ticket_assign(ticket=queued, operator=operator_of_queue, actor=supervisor)
    assert Ticket.objects.get(pk=queued.pk).assignee is None
    assert not queued.events.filter(kind=EventKind.ASSIGNED).exists()


def test_transfer_to_the_second_line_routes_there(citizen_a, account_category, operator_of_queue, second_line_operator):
    ticket = create(citizen_a, account_category)
    ticket = ticket_transfer(ticket=ticket, queue=account_category, line=Line.SECOND, actor=operator_of_queue)
    assert ticket.line == Line.SECOND and Ticket.objects.get(pk=ticket.pk).assignee == second_line_operator
    assert ticket.events.filter(kind=EventKind.TRANSFERRED).exists()


def test_transfer_to_an_unknown_line_changes_nothing(citizen_a, account_category, operator_of_queue):
    ticket = create(citizen_a, account_category)
    with pytest.raises(ValidationError):
        ticket_transfer(ticket=ticket, queue=account_category, line=7, actor=operator_of_queue)
    assert Ticket.objects.get(pk=ticket.pk).line == Line.FIRST
    assert not ticket.events.filter(kind=EventKind.TRANSFERRED).exists()


# Rating


def test_the_citizen_rates_a_closed_appeal_once(citizen_a, account_category, operator_of_queue):
    ticket = close(create(citizen_a, account_category), operator_of_queue)
    rating = ticket_rate(ticket=ticket, citizen=citizen_a, score=5, comment="Спасибо!")
    assert rating.operator == operator_of_queue and ticket.events.filter(kind=EventKind.RATED).exists()
    with pytest.raises(AlreadyRated):
        ticket_rate(ticket=ticket, citizen=citizen_a, score=1)
    assert Rating.objects.get().score == 5


@pytest.mark.parametrize("score", [0, 6, "5", True, None])
def test_a_bad_score_stores_nothing(citizen_a, account_category, operator_of_queue, score):
    ticket = close(create(citizen_a, account_category), operator_of_queue)
    with pytest.raises(ValidationError) as error:
        ticket_rate(ticket=ticket, citizen=citizen_a, score=score)
    assert "score" in error.value.message_dict and not Rating.objects.exists()


def test_only_the_appeals_citizen_rates_it(citizen_a, citizen_b, account_category, operator_of_queue):
    ticket = close(create(citizen_a, account_category), operator_of_queue)
    for stranger in (citizen_b, operator_of_queue):
        with pytest.raises(PermissionDenied):
            ticket_rate(ticket=ticket, citizen=stranger, score=4)
    assert not Rating.objects.exists()


def test_an_open_written_appeal_cannot_be_rated_yet(citizen_a, account_category):
    with pytest.raises(TransitionForbidden):
        ticket_rate(ticket=create(citizen_a, account_category), citizen=citizen_a, score=4)
    assert not Rating.objects.exists()


def test_a_chat_is_rated_once_somebody_answered(citizen_a, account_category, operator_of_queue):
    chat = create(citizen_a, account_category, channel="chat")
    with pytest.raises(TransitionForbidden):
        ticket_rate(ticket=chat, citizen=citizen_a, score=4)
    message_add(ticket=chat, author=None, author_kind=AuthorKind.BOT, text="Попробуйте восстановить пароль.")
    assert ticket_rate(ticket=chat, citizen=citizen_a, score=4).score == 4


# Result documents


def test_completion_stores_the_result_document(citizen_a, account_category, operator_of_queue):
    ticket = create(citizen_a, account_category)
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, actor=operator_of_queue)
    result = SimpleUploadedFile("decision.pdf", pdf_bytes())
    ticket_transition(
        ticket=ticket, to_status=Status.COMPLETED, actor=operator_of_queue, resolution="Готово.", result_files=[result]
    )
    document = Attachment.objects.get(ticket=ticket, is_result_document=True)
    assert document.uploaded_by == operator_of_queue and document.content_type == "application/pdf"


@pytest.mark.parametrize(
    ("to_status", "upload"),
    [
        (Status.WAITING_DOCUMENTS, lambda: SimpleUploadedFile("decision.pdf", pdf_bytes())),
        (Status.COMPLETED, lambda: SimpleUploadedFile("decision.pdf", b"MZ\x90\x00" + b"\x00" * 64)),
    ],
)
def test_a_bad_result_document_changes_nothing(citizen_a, account_category, operator_of_queue, to_status, upload):
    ticket = create(citizen_a, account_category)
    ticket_transition(ticket=ticket, to_status=Status.IN_PROGRESS, actor=operator_of_queue)
    with pytest.raises(ValidationError) as error:
        ticket_transition(
            ticket=ticket, to_status=to_status, actor=operator_of_queue, resolution="Готово.", result_files=[upload()]
        )
    assert "result_files" in error.value.message_dict
    assert Ticket.objects.get(pk=ticket.pk).status == Status.IN_PROGRESS and not Attachment.objects.exists()


def test_an_operator_of_every_queue_with_skills_is_not_counted_fuller_than_they_are(
    account_category, applications_category
):
    from tickets.routing import operators_for
    from tickets.services import ticket_create

    generalist = OperatorFactory(
        username="generalist",
        profile__skills=[account_category, applications_category],
        profile__all_queues=True,
        profile__capacity=2,
    )
    citizen = UserFactory(username="load-citizen")
    first = ticket_create(
        channel="form",
        category=account_category,
        text="Первое обращение о доступе к кабинету",
        citizen=citizen,
        contact_email="c@example.ru",
    )
    assert first.assignee == generalist
    assert operators_for(first).get().load == 1
    second = ticket_create(
        channel="form",
        category=applications_category,
        text="Второе обращение о статусе заявления",
        citizen=citizen,
        contact_email="c@example.ru",
    )
    assert second.assignee == generalist


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_many_routings_at_once_neither_deadlock_nor_overfill():
    category = CategoryFactory(slug="crowd-routing")
    citizen = UserFactory(username="crowd-routing")
    operators = [
        OperatorFactory(username=f"crowd-{n}", profile__skills=[category], profile__capacity=2) for n in range(3)
    ]
    OperatorProfile.objects.filter(user__in=operators).update(presence=Presence.OFFLINE)
    tickets = [create(citizen, category) for _ in range(12)]
    OperatorProfile.objects.filter(user__in=operators).update(presence=Presence.ONLINE)
    barrier, failures = threading.Barrier(6), []

    def route(batch):
        try:
            barrier.wait()
            for ticket in batch:
                ticket_route(ticket=ticket)
        except Exception as error:  # a deadlock would surface here
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=route, args=(tickets[n::6],)) for n in range(6)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert failures == []
    for operator in operators:
        assert Ticket.objects.filter(assignee=operator).count() <= 2
