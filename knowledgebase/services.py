"""Every write of the knowledge base: articles and their search data, the import,
votes, the search log, canned responses."""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import formats, timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from gosupport.models import User
from knowledgebase import text
from knowledgebase.importing import ImportPlan, import_plan_build
from knowledgebase.models import (
    Article,
    ArticleLink,
    ArticleVote,
    CannedResponse,
    FollowUp,
    Language,
    SearchLog,
    Section,
    Term,
)
from knowledgebase.rendering import markdown_to_text

TS_CONFIG = {"ru": "russian", "en": "english"}


# Articles and their search data -------------------------------------------------------


def article_save(*, article: Article) -> Article:
    """Store an article with its derived search data, and refresh the vocabulary."""
    with transaction.atomic():
        _derive_search_fields(article)
        article.save()
        search_vectors_refresh(article_ids=[article.pk])
        terms_rebuild(lang=article.lang)
    return article


def article_delete(*, article: Article) -> None:
    with transaction.atomic():
        lang = article.lang
        article.delete()
        terms_rebuild(lang=lang)


def _derive_search_fields(article: Article) -> None:
    article.answer_text = markdown_to_text(article.answer)
    article.stems_question = text.stem_field(article.question, article.lang)
    article.stems_keywords = text.stem_field(article.keywords, article.lang)
    article.stems_answer = text.stem_field(article.answer_text, article.lang)


def search_vectors_refresh(*, article_ids: list[int]) -> None:
    """Weighted tsvector: the question (A) above keywords (B) above the answer (C)."""
    if connection.vendor != "postgresql" or not article_ids:
        return
    for lang, config in TS_CONFIG.items():
        vector = (
            SearchVector("question", weight="A", config=config)
            + SearchVector("keywords", weight="B", config=config)
            + SearchVector("answer_text", weight="C", config=config)
        )
        Article.objects.filter(pk__in=article_ids, lang=lang).update(search_vector=vector)


def terms_rebuild(*, lang: str) -> int:
    """Rebuild the vocabulary of one language from its published articles."""
    stem_of: dict[str, str] = {}
    df: Counter[str] = Counter()
    rows = Article.objects.filter(lang=lang, is_published=True).values_list("question", "keywords", "answer_text")
    for question, keywords, answer_text in rows.iterator(chunk_size=1000):
        seen = set()
        for word in text.meaningful_words(f"{question} {keywords} {answer_text}", lang):
            seen.add(stem_of.setdefault(word, text.stem(word, lang)))
        df.update(seen)
    terms = [Term(lang=lang, word=w, stem=s, length=len(w), df=df[s]) for w, s in stem_of.items()]
    with transaction.atomic():
        Term.objects.filter(lang=lang).delete()
        Term.objects.bulk_create(terms, batch_size=2000)
    return len(terms)


def kb_reindex() -> None:
    """Recompute every article's search data; for after a change of the text rules."""
    with transaction.atomic():
        articles = list(Article.objects.all())
        for article in articles:
            _derive_search_fields(article)
        Article.objects.bulk_update(articles, ["answer_text", "stems_question", "stems_keywords", "stems_answer"])
        search_vectors_refresh(article_ids=[a.pk for a in articles])
        for lang in Language.values:
            terms_rebuild(lang=lang)


# Import ----------------------------------------------------------------------------


@dataclass
class ImportReport:
    sections_created: int = 0
    sections_updated: int = 0
    articles_created: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    changed_ids: list[int] = field(default_factory=list)


def kb_import(*, data) -> ImportReport:
    """Import the documented JSON format; all or nothing. Raises ValidationError listing
    every problem of the file before anything is written."""
    plan = import_plan_build(data)
    report = ImportReport()
    with transaction.atomic():
        sections = _import_sections(plan, report)
        for position, item in enumerate(plan.articles):
            _import_article(item, sections[item["section"]], position, report)
        search_vectors_refresh(article_ids=report.changed_ids)
        for lang in {item["lang"] for item in plan.articles}:
            terms_rebuild(lang=lang)
    return report


def _import_sections(plan: ImportPlan, report: ImportReport) -> dict[str, Section]:
    sections = {s.slug: s for s in Section.objects.filter(slug__in=plan.section_slugs_used)}
    for position, item in enumerate(plan.sections):
        values = {
            "title": item["title"],
            "title_en": item.get("title_en", ""),
            "ordering": item.get("ordering", position),
            "category": plan.categories.get(item.get("category")),
        }
        section = sections.get(item["slug"])
        if section is None:
            sections[item["slug"]] = Section.objects.create(slug=item["slug"], **values)
            report.sections_created += 1
        elif _assign_changed(section, values):
            section.save()
            report.sections_updated += 1
    return sections


def _import_article(item: dict, section: Section, position: int, report: ImportReport) -> None:
    values = {
        "section": section,
        "question": item["question"],
        "answer": item["answer"],
        "keywords": ", ".join(item.get("keywords", [])),
        "is_published": item.get("published", True),
        "ordering": item.get("ordering", position),
    }
    links = [(link.get("kind", "regulation"), link["title"], link["url"]) for link in item.get("links", [])]
    article = Article.objects.filter(slug=item["slug"], lang=item["lang"]).first()
    if article is None:
        article = Article(slug=item["slug"], lang=item["lang"], **values)
        report.articles_created += 1
    elif _assign_changed(article, values) or _links_of(article) != links:
        report.articles_updated += 1
    else:
        report.articles_unchanged += 1
        return
    _derive_search_fields(article)
    article.save()
    article.links.all().delete()
    ArticleLink.objects.bulk_create(
        ArticleLink(article=article, kind=kind, title=title, url=url, ordering=i)
        for i, (kind, title, url) in enumerate(links)
    )
    report.changed_ids.append(article.pk)


def _assign_changed(instance, values: dict) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(instance, name) != value:
            setattr(instance, name, value)
            changed = True
    return changed


def _links_of(article: Article) -> list[tuple[str, str, str]]:
    return list(article.links.order_by("ordering", "pk").values_list("kind", "title", "url"))


# Search analytics and votes ---------------------------------------------------------


def search_log_record(
    *,
    query: str,
    lang: str,
    category: str | None,
    source: str,
    results_count: int,
    top_article_id,
    top_score: float,
    visitor_key: str = "",
) -> SearchLog:
    """`visitor_key` ("u:<user id>" or "s:<session key>") lets that visitor's vote settle the search."""
    return SearchLog.objects.create(
        created_at=timezone.now(),
        query=query[:300],
        query_key=query_key(query, lang),
        lang=lang,
        category=(category or "")[:50],
        source=source,
        results_count=results_count,
        top_article_id=top_article_id,
        top_score=top_score,
        visitor=search_visitor_digest(visitor_key),
    )


def search_visitor_digest(visitor_key: str) -> str:
    if not visitor_key:
        return ""
    return salted_hmac("knowledgebase.search-visitor", visitor_key, algorithm="sha256").hexdigest()


def query_key(query: str, lang: str) -> str:
    """What groups "забыл пароль" with "пароль забыла": the sorted set of stems."""
    return " ".join(sorted(set(text.stems(query, lang))))[:300]


def search_log_mark_opened(*, search_id: int | None, article: Article, visitor_key: str) -> bool:
    """Remember which article a search led to; the first one opened counts, and only when
    the search is the visitor's own (any other id is ignored)."""
    updated = (
        _own_searches(search_id, visitor_key)
        .filter(opened_article__isnull=True)
        .update(opened_article=article, opened_at=timezone.now())
    )
    return updated == 1


def search_log_mark_followed(*, search_id: int | None, outcome: str, visitor_key: str) -> bool:
    """The citizen went on to the chat or an appeal after this search: the FAQ did not
    settle it. Chat and feedback form call this with the search id they were handed; an id
    of somebody else's search is ignored."""
    if outcome not in (FollowUp.CHAT, FollowUp.APPEAL):
        raise ValidationError({"outcome": [_("Unknown follow-up.")]})
    updated = (
        _own_searches(search_id, visitor_key)
        .filter(followed_by="")
        .update(followed_by=outcome, followed_at=timezone.now())
    )
    return updated == 1


def article_vote(*, article: Article, helpful: bool, voter_key: str = "", search_id: int | None = None) -> ArticleVote:
    """Record "did this help?"; a voter who changes their mind replaces their vote. The vote
    settles the search it came from only when that search is the voter's own."""
    now = timezone.now()
    search = _own_search(search_id, voter_key)
    with transaction.atomic():
        if voter_key:
            vote, _created = ArticleVote.objects.update_or_create(
                article=article,
                voter_key=voter_key[:64],
                defaults={"helpful": helpful, "search": search, "created_at": now},
            )
        else:
            vote = ArticleVote.objects.create(article=article, helpful=helpful, search=search, created_at=now)
        if search is not None:
            SearchLog.objects.filter(pk=search.pk).update(helpful=helpful)
    return vote


def _own_search(search_id: int | None, visitor_key: str) -> SearchLog | None:
    return _own_searches(search_id, visitor_key).first()


def _own_searches(search_id: int | None, visitor_key: str):
    """Anyone can put a search id in a link or a vote; someone else's (or an unknown
    visitor's) search is left alone, so the supervisor's analytics count what visitors did."""
    if not search_id or not visitor_key:
        return SearchLog.objects.none()
    return SearchLog.objects.filter(pk=search_id, visitor=search_visitor_digest(visitor_key))


# Canned responses -------------------------------------------------------------------

PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")
PLACEHOLDERS = ("citizen_name", "ticket_number", "due", "first_response_due", "operator_name")


def canned_response_check(*, body: str) -> None:
    """Refuse a text with a placeholder the renderer does not know (a typo would reach the citizen)."""
    unknown = sorted({name for name in PLACEHOLDER_RE.findall(body) if name not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            {
                "body": [
                    _("Unknown placeholders: %(names)s. Available: %(available)s.")
                    % {"names": ", ".join(unknown), "available": ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)}
                ]
            }
        )


def canned_response_save(*, response: CannedResponse, user: User | None = None) -> CannedResponse:
    canned_response_check(body=response.body)
    if response.pk is None and user is not None:
        response.created_by = user
    response.save()
    return response


def canned_response_render(*, response: CannedResponse, ticket) -> str:
    """The text of a canned response for one appeal, in the response's language.

    `ticket` is a tickets.Ticket; only its public attributes are read, so this app does
    not depend on the tickets app."""
    with translation.override(response.lang):
        values = {
            "citizen_name": _citizen_name(ticket),
            "ticket_number": ticket.number,
            "due": _format_time(ticket.resolution_due),
            "first_response_due": _format_time(ticket.first_response_due),
            "operator_name": _operator_name(ticket.assignee),
        }
        return PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1), m.group(0)), response.body)


def _citizen_name(ticket) -> str:
    citizen = ticket.citizen
    if citizen is not None:
        # Russian courtesy addresses a person by first name and patronymic.
        name = " ".join(part for part in (citizen.first_name, citizen.middle_name) if part)
        if name:
            return name
    return _("applicant")


def _operator_name(user) -> str:
    if user is None:
        return _("contact centre operator")
    return user.first_name or user.get_username()


def _format_time(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")
