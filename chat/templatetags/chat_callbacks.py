"""The call-back panel of a chat, for the citizen's chat page and their appeal page."""

from django import template

from chat import selectors
from chat.callbacks import callback_slots, callback_time_text, masked_phone
from chat.forms import CallbackForm
from tickets.models import Channel

register = template.Library()


@register.inclusion_tag("chat/_callback_panel.html", takes_context=True)
def callback_panel(context, ticket, back: str = "chat", form=None, expanded: bool = False) -> dict:
    """Shown to the chat's citizen: the booked call back with a cancel button, or (while the
    chat is open) the booking form, folded unless `expanded` (the booking page)."""
    user = context["request"].user
    form = form if isinstance(form, CallbackForm) else None  # a page without a bound form passes ""
    shown = ticket.channel == Channel.CHAT and user.is_authenticated and ticket.citizen_id == user.pk
    callback = selectors.callback_open_of(ticket=ticket, citizen=user) if shown else None
    may_book = shown and callback is None and ticket.is_open
    if may_book and form is None:
        form = CallbackForm(slots=callback_slots(), initial={"phone": str(user.phone) if user.phone else ""})
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "shown": shown and (callback is not None or may_book),
        "ticket": ticket,
        "back": back,
        "expanded": expanded,
        "callback": callback,
        "callback_when": callback_time_text(callback.scheduled_at) if callback else "",
        "callback_phone": masked_phone(callback.phone) if callback else "",
        "form": form if may_book else None,
        # A refused booking (one is booked already) still says why, above what is booked.
        "errors_form": form if form is not None and form.errors else None,
    }
