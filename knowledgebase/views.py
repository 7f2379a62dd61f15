"""The citizen's Help pages: the FAQ by sections, search in their own words, the
article with its vote and the "still need help" path. They work without JavaScript."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from knowledgebase import selectors, services
from knowledgebase.models import FollowUp, Language, SearchSource
from knowledgebase.search import MAX_QUERY_LENGTH, kb_search
from knowledgebase.visitors import visitor_key

RESULTS_ON_PAGE = 10
# Where "still need help" leads; the chat page may not exist in every deployment, so
# each target lists the URL names to try, the first that resolves wins.
HELP_TARGETS = {
    FollowUp.CHAT: ("chat:start", "portal:chat", "portal:help"),
    FollowUp.APPEAL: ("portal:appeal_create", "portal:help"),
}


def reader_language(request: HttpRequest) -> str:
    wanted = request.GET.get("lang") or translation.get_language() or Language.RUSSIAN
    wanted = wanted[:2]
    return wanted if wanted in Language.values else Language.RUSSIAN


def search_id_of(request: HttpRequest) -> int | None:
    value = request.GET.get("s") or request.POST.get("s") or ""
    return int(value) if value.isdigit() and len(value) < 12 else None


@require_GET
def faq_index(request: HttpRequest) -> HttpResponse:
    lang = reader_language(request)
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    results = None
    if query:
        results = kb_search(
            query=query,
            lang=lang,
            limit=RESULTS_ON_PAGE,
            source=SearchSource.PAGE,
            visitor_key=visitor_key(request, start_session=True),
        )
    context = {
        "sections": selectors.sections_for_reader(lang=lang),
        "query": query,
        "results": results,
        "lang": lang,
    }
    return render(request, "knowledgebase/index.html", context)


@require_GET
def faq_section(request: HttpRequest, slug: str) -> HttpResponse:
    lang = reader_language(request)
    section = selectors.section_for_reader(slug=slug, lang=lang)
    return render(request, "knowledgebase/section.html", {"section": section, "lang": lang})


@require_GET
def faq_article(request: HttpRequest, slug: str) -> HttpResponse:
    lang = reader_language(request)
    article = selectors.article_for_reader(slug=slug, lang=lang)
    search_id = search_id_of(request)
    services.search_log_mark_opened(search_id=search_id, article=article, visitor_key=visitor_key(request))
    context = {"article": article, "lang": lang, "search_id": search_id, "question": request.GET.get("q", "")}
    return render(request, "knowledgebase/article.html", context)


@require_POST
def faq_article_vote(request: HttpRequest, slug: str) -> HttpResponse:
    article = selectors.article_for_reader(slug=slug, lang=reader_language(request))
    helpful = request.POST.get("helpful")
    if helpful not in ("yes", "no"):
        messages.error(request, _("Choose whether the answer helped."))
        return redirect(article.get_absolute_url())
    services.article_vote(
        article=article,
        helpful=helpful == "yes",
        voter_key=visitor_key(request, start_session=True),
        search_id=search_id_of(request),
    )
    messages.success(request, _("Thank you! Your answer helps us improve the FAQ."))
    if helpful == "no":
        messages.info(
            request, _("If the article did not answer your question, you can ask in the chat or write to us.")
        )
    return redirect(f"{article.get_absolute_url()}#still-need-help")


@require_GET
def still_need_help(request: HttpRequest) -> HttpResponse:
    """Leads to the chat or the feedback form with the citizen's question carried along,
    and marks the search as not settled by the FAQ."""
    target = request.GET.get("to", "")
    if target not in HELP_TARGETS:
        messages.error(request, _("Choose the chat or the feedback form."))
        return redirect("kb:index")
    search_id = search_id_of(request)
    services.search_log_mark_followed(search_id=search_id, outcome=target, visitor_key=visitor_key(request))
    params = {"text": request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]}
    if search_id:
        params["kb_search"] = search_id
    return redirect(f"{help_target_url(target)}?{urlencode(params)}")


def help_target_url(target: str) -> str:
    for name in HELP_TARGETS[target]:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return reverse("kb:index")
