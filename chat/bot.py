"""The bot answers first: from the knowledge base, or by handing the chat to a person."""

import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override

from chat.models import ChatSession, Phase
from chat.triage import HandoffReason, handoff_reason
from gosupport.calendar import WorkingCalendar
from gosupport.models import Category
from gosupport.portal_applications import portal_application_of
from knowledgebase.models import SearchSource
from knowledgebase.search import kb_search
from knowledgebase.text import detect_language
from tickets.models import AuthorKind, Message, Ticket
from tickets.services import message_add, ticket_categorise

ARTICLES_OFFERED = 3

HANDOFF_TEXT = {
    HandoffReason.ASKED_FOR_PERSON: gettext_noop("I am calling an operator for you."),
    HandoffReason.LEGAL: gettext_noop("Legal questions are answered by our staff. I am calling an operator."),
    HandoffReason.PERSONAL_DATA: gettext_noop(
        "Requests about personal data are handled by our staff. I am calling an operator."
    ),
    HandoffReason.COMPLAINT: gettext_noop("I am passing your complaint to an operator."),
    HandoffReason.DISTRESS: gettext_noop("I am sorry about this. I am calling an operator for you right away."),
}


@dataclass(frozen=True)
class BotDecision:
    handoff: HandoffReason | None
    text: str
    actions: list
    category: Category | None = None


def quick_replies() -> list[dict]:
    return [
        {"type": "helped", "label": _("That helped")},
        {"type": "handoff", "label": _("Call an operator")},
    ]


def leave_as_appeal_action(question: str) -> dict:
    """A link to the feedback form that carries the question along."""
    url = f"{reverse('portal:appeal_create')}?{urlencode({'text': question[:500]})}"
    return {"type": "link", "title": _("Leave the question as a written appeal"), "url": url}


def callback_action(ticket: Ticket) -> dict:
    """A quick reply to book a call back: the chat page's form (apps use the call-back API)."""
    return {"type": "callback", "label": _("Book a call back"), "url": reverse("chat:callback", args=[ticket.number])}


def operators_working_now() -> bool:
    return WorkingCalendar.from_model(None).is_open(timezone.now())


OUTSIDE_HOURS_TEXT = gettext_noop(
    "Operators are not at work now; your question stays in the queue and we will answer it as soon as "
    "they are. You can also leave it as a written appeal."
)
CALLBACK_TOO_TEXT = gettext_noop("Or book a call back at a time that suits you.")


def last_question(ticket: Ticket) -> str:
    last = ticket.messages.filter(author_kind=AuthorKind.CITIZEN).order_by("-seq").values_list("text", flat=True)
    return next(iter(last[:1]), "") or ticket.text


def waiting_alternatives(*, ticket: Ticket, working: bool, wait_seconds: int | None) -> BotDecision | None:
    """What the bot says to a citizen just queued when a person will not come soon: outside
    operator hours, with nobody online, or beyond CHAT_CALLBACK_OFFER_WAIT_SECONDS of
    expected wait. None when the wait is short."""
    actions = [leave_as_appeal_action(last_question(ticket)), callback_action(ticket)]
    if not working:
        return BotDecision(None, f"{_(OUTSIDE_HOURS_TEXT)} {_(CALLBACK_TOO_TEXT)}", actions)
    if wait_seconds is None:
        text = _(
            "No operator is online right now. You can stay in the queue, leave the question as a written appeal "
            "or book a call back at a time that suits you."
        )
        return BotDecision(None, text, actions)
    if wait_seconds > settings.CHAT_CALLBACK_OFFER_WAIT_SECONDS:
        text = _(
            "The wait for an operator is long right now. You can stay in the queue, leave the question as a "
            "written appeal or book a call back at a time that suits you."
        )
        return BotDecision(None, text, actions)
    return None


NUMBER_RE = re.compile(r"(?<![\w-])\d[\d-]{4,30}\d(?![\w-])")


def _application_answer(application) -> str:
    history = "; ".join(
        f"{date_format(timezone.localtime(event.at), 'SHORT_DATE_FORMAT')} — {event.status}"
        for event in application.events.all()
    )
    return _("Application No. %(number)s (%(service)s): “%(status)s”. History: %(history)s.") % {
        "number": application.number,
        "service": application.service,
        "status": application.status,
        "history": history,
    }


def _appeal_answer(ticket: Ticket) -> str:
    return _("Appeal No. %(number)s: “%(status)s”.") % {"number": ticket.number, "status": ticket.get_status_display()}


def lookup_numbers(*, citizen, text: str) -> BotDecision | None:
    """A number in the message: the citizen's own portal application or appeal, never another's."""
    numbers = NUMBER_RE.findall(text)
    if not numbers or citizen is None:
        return None
    for number in numbers:
        application = portal_application_of(user=citizen, number=number)
        if application is not None:
            return BotDecision(None, _application_answer(application), quick_replies())
        appeal = Ticket.objects.filter(citizen=citizen, number=number).first()
        if appeal is not None:
            return BotDecision(None, _appeal_answer(appeal), quick_replies())
    return BotDecision(
        None,
        _(
            "I did not find an application or appeal with this number in your account. Check the number, or call an operator."
        ),
        [{"type": "handoff", "label": _("Call an operator")}],
    )


def decide(*, text: str, lang: str = "ru", citizen=None) -> BotDecision:
    """What the bot says to one citizen message: a pure choice, no writes but the search log."""
    if handoff_reason(text) is None and (found := lookup_numbers(citizen=citizen, text=text)) is not None:
        return found
    hits = kb_search(query=text, lang=lang, limit=ARTICLES_OFFERED, source=SearchSource.CHAT)
    category = hits[0].article.section.category if hits else None
    reason = handoff_reason(text)
    if reason is not None:
        return BotDecision(reason, _(HANDOFF_TEXT[reason]), [], category)
    if not hits:
        return BotDecision(
            None,
            _("I could not find an answer to that. Shall I call an operator?"),
            [{"type": "handoff", "label": _("Call an operator")}],
        )
    links = [{"type": "link", "title": hit.title, "url": hit.url} for hit in hits]
    return BotDecision(None, _("Here is what may help:"), links + quick_replies(), category)


def bot_respond(*, ticket: Ticket, text: str) -> Message | None:
    """Answer a citizen's message while the chat is with the bot; hand off when needed."""
    from chat.services import chat_handoff, default_chat_category

    if ticket.assignee_id is not None:  # an operator has the chat; skips a query per message
        return None
    session = ChatSession.objects.filter(ticket=ticket).only("phase").first()
    if session is None or session.phase != Phase.BOT:
        return None
    lang = detect_language(text, "ru")
    with override(lang):
        decision = decide(text=text, lang=lang, citizen=ticket.citizen)
        reply_text, actions = decision.text, decision.actions
        working = operators_working_now()
        if decision.handoff is not None and not working:
            reply_text += f" {_(OUTSIDE_HOURS_TEXT)} {_(CALLBACK_TOO_TEXT)}"
            actions = [*actions, leave_as_appeal_action(text), callback_action(ticket)]
    with transaction.atomic():
        if decision.category is not None and ticket.category_id == default_chat_category().pk:
            ticket_categorise(
                ticket=ticket, category=decision.category, actor=None, comment=_("Category recognised by the bot.")
            )
        reply = message_add(ticket=ticket, author=None, author_kind=AuthorKind.BOT, text=reply_text, actions=actions)
        if decision.handoff is not None:
            # Outside operator hours the reply above already offers the alternatives.
            chat_handoff(ticket=ticket, actor=None, offer_alternatives=working)
    return reply
