"""Who a Help visitor is, for search analytics: "u:<user id>" when signed in, "s:<session
key>" for an anonymous visitor, "" for one we could not know again. The services keep only
a digest of it (`services.search_visitor_digest`)."""

from django.http import HttpRequest


def visitor_key(request: HttpRequest, *, start_session: bool = False) -> str:
    """With `start_session` an anonymous visitor gets a session here, so that what they do
    next (open, vote, go on to the chat) is known to be theirs; without, one is never made
    (a visitor with no session has no search of their own to mark)."""
    if request.user.is_authenticated:
        return f"u:{request.user.pk}"
    session = getattr(request, "session", None)
    if session is None:
        return ""
    if start_session and not session.session_key:
        session.save()
    return f"s:{session.session_key}" if session.session_key else ""
