"""Plays the planned month through the domain services, in the order things happened.

Steps of all appeals are merged by time; before each one the SLA sweep runs at every
moment a check fell due, so warnings and escalations carry the time they would have
had with beat running."""

import heapq
import io
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Min
from PIL import Image, ImageDraw

from chat.services import chat_accept, chat_close, chat_handoff, chat_message_send, chat_open, chat_transfer
from chat.services import operator_presence_set as presence_set
from gosupport.demo import texts
from gosupport.demo.clock import ReplayClock
from gosupport.demo.plan import AppealPlan, Step
from gosupport.models import Category, Line, Presence, User
from tickets.escalation import sla_sweep
from tickets.models import OPEN_STATUSES, AuthorKind, Channel, Status, Ticket
from tickets.routing import ticket_take, ticket_transfer
from tickets.services import (
    TRANSITIONS,
    TransitionForbidden,
    message_add,
    ticket_create,
    ticket_rate,
    ticket_transition,
)

# A sweep that keeps finding the same moment due is a bug elsewhere; never loop on it.
MAX_SWEEPS_PER_STEP = 1000
DOMAIN_REFUSALS = (TransitionForbidden, ValidationError, PermissionDenied)


@dataclass
class ReplayReport:
    appeals: int = 0
    steps: int = 0
    sweeps: int = 0
    refused: list[str] = field(default_factory=list)


class Replay:
    def __init__(
        self,
        *,
        clock: ReplayClock,
        rng: random.Random,
        categories: dict[str, Category],
        operators: list[User],
        citizens: list[User],
    ):
        self.clock = clock
        self.rng = rng
        self.categories = categories
        self.operators = operators
        self.citizens = citizens
        self.skills = {user.pk: set(user.operator_profile.skills.values_list("pk", flat=True)) for user in operators}
        self.tickets: dict[int, Ticket] = {}
        self.report = ReplayReport()

    def run(self, plans: list[AppealPlan], *, until: datetime) -> ReplayReport:
        queue = [(plan.steps[0].at, plan.key, 0) for plan in plans if plan.steps[0].at <= until]
        heapq.heapify(queue)
        by_key = {plan.key: plan for plan in plans}
        while queue:
            at, key, index = heapq.heappop(queue)
            plan = by_key[key]
            self._sweep_until(at)
            self.clock.advance_to(at)
            if not self._perform(plan, plan.steps[index]):
                continue
            if index + 1 < len(plan.steps) and plan.steps[index + 1].at <= until:
                heapq.heappush(queue, (plan.steps[index + 1].at, key, index + 1))
        self._sweep_until(until)
        return self.report

    def _sweep_until(self, moment: datetime) -> None:
        for _round in range(MAX_SWEEPS_PER_STEP):
            due = Ticket.objects.filter(next_sla_check__lte=moment).aggregate(at=Min("next_sla_check"))["at"]
            if due is None:
                return
            self.clock.advance_to(due)
            sla_sweep(now=self.clock.moment)
            self.report.sweeps += 1

    def _perform(self, plan: AppealPlan, step: Step) -> bool:
        """Run one step; a refusal by the domain ends that appeal's story where it is."""
        try:
            getattr(self, f"_{step.action}")(plan, **step.options)
        except DOMAIN_REFUSALS as refusal:
            self.report.refused.append(f"{plan.key}:{step.action}: {refusal}")
            return False
        self.report.steps += 1
        return True

    # People

    def _citizen_of(self, plan: AppealPlan) -> User | None:
        return self.citizens[plan.citizen] if plan.citizen is not None else None

    def _operators_for(self, ticket: Ticket, line: int | None = None) -> list[User]:
        return self._operators_of(ticket.queue_id, line or ticket.line)

    def _operators_of(self, queue_id: int, line: int) -> list[User]:
        return [
            user
            for user in self.operators
            if user.operator_profile.line == line
            and (user.operator_profile.all_queues or queue_id in self.skills[user.pk])
        ]

    def _assignee(self, plan: AppealPlan, *, line: int | None = None) -> User:
        """Whoever has the appeal now; if nobody, an operator of its queue takes it."""
        ticket = self._fresh(plan)
        if ticket.assignee_id is not None and (line is None or ticket.line == line):
            return ticket.assignee
        operator = self.rng.choice(self._operators_for(ticket, line))
        ticket_take(ticket=ticket, operator=operator)
        return operator

    def _fresh(self, plan: AppealPlan) -> Ticket:
        ticket = Ticket.objects.select_related("assignee", "queue").get(pk=self.tickets[plan.key].pk)
        self.tickets[plan.key] = ticket
        return ticket

    # Written channels and phone calls

    def _create(self, plan: AppealPlan) -> None:
        citizen = self._citizen_of(plan)
        category = self.categories[plan.category]
        if plan.channel == Channel.CHAT:
            ticket = chat_open(citizen=citizen, text=plan.text, category=category)
        else:
            appeal = self._new_appeal(plan, citizen, category)
            ticket = ticket_create(**appeal)
            if appeal["actor"] is not None:
                ticket_take(ticket=ticket, operator=appeal["actor"])  # who took the call keeps the appeal
        self.tickets[plan.key] = ticket
        self.report.appeals += 1

    def _new_appeal(self, plan: AppealPlan, citizen: User | None, category: Category) -> dict:
        email, phone = texts.ANONYMOUS_CONTACTS[plan.contact]
        if citizen is not None:
            email, phone = citizen.email, str(citizen.phone)
        by_phone = plan.channel == Channel.PHONE
        return {
            "channel": plan.channel,
            "category": category,
            "text": plan.text,
            "citizen": citizen,
            "contact_email": "" if by_phone else email,
            "contact_phone": phone if by_phone or plan.channel == Channel.SOCIAL else "",
            "rating": plan.initial_rating,
            "subject": plan.text.split(":")[0][:80] if plan.channel == Channel.EMAIL else "",
            "actor": self.rng.choice(self._operators_of(category.pk, Line.FIRST)) if by_phone else None,
        }

    def _take(self, plan: AppealPlan, line: int | None = None) -> None:
        self._assignee(plan, line=line)

    def _operator_replies(self, plan: AppealPlan) -> None:
        ticket = self._fresh(plan)
        text = self.rng.choice(texts.FIRST_REPLIES if ticket.first_responded_at is None else texts.OPERATOR_FOLLOW_UPS)
        author = self._assignee(plan)
        if ticket.channel == Channel.CHAT:
            chat_message_send(ticket=ticket, author=author, text=text, client_id=self._client_id())
        else:
            message_add(ticket=ticket, author=author, text=text)

    def _citizen_replies(self, plan: AppealPlan) -> None:
        ticket = self._fresh(plan)
        text = self.rng.choice(texts.CITIZEN_FOLLOW_UPS)
        if ticket.channel == Channel.CHAT:
            chat_message_send(ticket=ticket, author=ticket.citizen, text=text, client_id=self._client_id())
        else:
            message_add(ticket=ticket, author=ticket.citizen, author_kind=AuthorKind.CITIZEN, text=text)

    def _internal_note(self, plan: AppealPlan) -> None:
        message_add(
            ticket=self._fresh(plan),
            author=self._assignee(plan),
            text=self.rng.choice(texts.INTERNAL_NOTES),
            internal=True,
        )

    def _start_work(self, plan: AppealPlan) -> None:
        self._move(plan, Status.IN_PROGRESS)

    def _ask_documents(self, plan: AppealPlan) -> None:
        message_add(ticket=self._fresh(plan), author=self._assignee(plan), text=texts.DOCUMENTS_REQUEST)
        self._move(plan, Status.WAITING_DOCUMENTS)

    def _send_documents(self, plan: AppealPlan) -> None:
        ticket = self._fresh(plan)
        scan = SimpleUploadedFile("scan.png", demo_image("Passport scan"), content_type="image/png")
        message_add(
            ticket=ticket,
            author=ticket.citizen,
            author_kind=AuthorKind.CITIZEN,
            text=texts.DOCUMENTS_SENT,
            files=[scan],
        )

    def _second_line(self, plan: AppealPlan) -> None:
        ticket = self._fresh(plan)
        if ticket.line == Line.SECOND:
            return
        actor = self._assignee(plan)
        ticket_transfer(
            ticket=ticket, queue=ticket.queue, line=Line.SECOND, actor=actor, comment=texts.SECOND_LINE_NOTE
        )

    def _close(self, plan: AppealPlan, rejected: bool) -> None:
        ticket = self._fresh(plan)
        if ticket.status == Status.ACCEPTED:
            self._move(plan, Status.IN_PROGRESS)
        elif ticket.status == Status.WAITING_DOCUMENTS:
            return  # still waiting for the citizen: the appeal stays open
        if rejected:
            self._move(plan, Status.REJECTED, **texts.REJECTION)
            return
        results = []
        if self.rng.random() < 0.2:
            results = [
                SimpleUploadedFile("result.pdf", demo_pdf("Reply to the appeal"), content_type="application/pdf")
            ]
        self._move(plan, Status.COMPLETED, resolution=self.rng.choice(texts.RESOLUTIONS), result_files=results)

    def _move(self, plan: AppealPlan, to_status: str, **fields) -> None:
        ticket = self._fresh(plan)
        if to_status == ticket.status or to_status not in TRANSITIONS[ticket.status]:
            return
        ticket_transition(ticket=ticket, to_status=to_status, actor=self._assignee(plan), **fields)

    def _rate(self, plan: AppealPlan) -> None:
        ticket = self._fresh(plan)
        if ticket.channel != Channel.CHAT and ticket.status in OPEN_STATUSES:
            return
        score = self.rng.choices((5, 4, 3, 2, 1), weights=(55, 25, 10, 6, 4))[0]
        comment = self.rng.choice(texts.RATING_COMMENTS[score])
        ticket_rate(ticket=ticket, citizen=ticket.citizen, score=score, comment=comment)

    # Live chat

    def _bot_greets(self, plan: AppealPlan) -> None:
        message_add(ticket=self._fresh(plan), author=None, author_kind=AuthorKind.BOT, text=texts.BOT_GREETING)

    def _handoff(self, plan: AppealPlan) -> None:
        ticket = self._fresh(plan)
        message_add(ticket=ticket, author=None, author_kind=AuthorKind.BOT, text=texts.BOT_HANDOFF)
        chat_handoff(ticket=ticket, actor=ticket.citizen)

    def _chat_accept(self, plan: AppealPlan, line: int | None = None) -> None:
        """An operator comes online for the chat; when nobody has room, one takes it by hand."""
        ticket = self._fresh(plan)
        candidates = self._operators_for(ticket, line)
        self.rng.shuffle(candidates)
        for operator in candidates:
            if self._accepted_by(ticket, operator):
                return
        self._assignee(plan, line=line)
        self._move(plan, Status.IN_PROGRESS)

    def _accepted_by(self, ticket: Ticket, operator: User) -> bool:
        presence_set(operator=operator, presence=Presence.ONLINE)
        try:
            chat_accept(ticket=ticket, operator=operator)
            return True
        except TransitionForbidden:
            return False
        finally:
            presence_set(operator=operator, presence=Presence.OFFLINE)

    def _chat_second_line(self, plan: AppealPlan) -> None:
        ticket = self._fresh(plan)
        chat_transfer(ticket=ticket, queue="second_line", operator=self._assignee(plan))

    def _chat_close(self, plan: AppealPlan) -> None:
        chat_close(
            ticket=self._fresh(plan), operator=self._assignee(plan), resolution=self.rng.choice(texts.RESOLUTIONS)
        )

    def _client_id(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)


def demo_image(caption: str) -> bytes:
    """A small, real PNG: what a phone photo of a document looks like to the checks."""
    image = Image.new("RGB", (320, 200), "white")
    drawing = ImageDraw.Draw(image)
    drawing.rectangle((10, 10, 310, 190), outline="navy", width=3)
    drawing.text((24, 90), caption, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def demo_pdf(caption: str) -> bytes:
    image = Image.open(io.BytesIO(demo_image(caption)))
    buffer = io.BytesIO()
    image.save(buffer, "PDF")
    return buffer.getvalue()
