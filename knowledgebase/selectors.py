"""Reads of the knowledge base, already limited to what the caller may see."""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.http import Http404

from gosupport.models import User
from knowledgebase.models import Article, CannedResponse, FollowUp, Language, SearchLog, SearchSource, Section

CANDIDATES = 100
WEAK_SCORE = 0.35
CANDIDATE_FIELDS = (
    "id", "slug", "lang", "question", "ordering", "section_id",
    "stems_question", "stems_keywords", "stems_answer",
)  # fmt: skip


def published_articles(*, lang: str | None = None) -> QuerySet[Article]:
    articles = Article.objects.filter(is_published=True).select_related("section")
    return articles.filter(lang=lang) if lang else articles


def published_count(*, lang: str) -> int:
    """For IDF weights only, so a minute-old figure is good enough."""
    key = f"kb:published-count:{lang}"
    count = cache.get(key)
    if count is None:
        count = Article.objects.filter(lang=lang, is_published=True).count()
        cache.set(key, count, 60)
    return count


def sections_for_reader(*, lang: str) -> list[Section]:
    """Sections that have published articles, each with `.reader_articles` in the reader's
    language (falling back to Russian for an article not translated)."""
    sections = list(Section.objects.all())
    by_section: dict[int, dict[str, Article]] = {s.pk: {} for s in sections}
    for article in published_articles().order_by("ordering", "pk"):
        chosen = by_section[article.section_id]
        if article.lang == lang or article.slug not in chosen:
            chosen[article.slug] = article
    for section in sections:
        section.reader_articles = list(by_section[section.pk].values())
        section.reader_title = section.localized_title(lang)
    return [s for s in sections if s.reader_articles]


def section_for_reader(*, slug: str, lang: str) -> Section:
    for section in sections_for_reader(lang=lang):
        if section.slug == slug:
            return section
    raise Http404


def article_for_reader(*, slug: str, lang: str) -> Article:
    """The published article in the reader's language, else in Russian, else 404."""
    articles = {a.lang: a for a in published_articles().filter(slug=slug).prefetch_related("links")}
    article = articles.get(lang) or articles.get(Language.RUSSIAN) or next(iter(articles.values()), None)
    if article is None:
        raise Http404
    article.translations = [a for a in articles.values() if a.lang != article.lang]
    return article


def article_by_id(*, article_id: int) -> Article:
    article = published_articles().prefetch_related("links").filter(pk=article_id).first()
    if article is None:
        raise Http404
    article.translations = list(published_articles().filter(slug=article.slug).exclude(pk=article.pk))
    return article


def article_candidates(*, lang: str, category: str | None, groups, in_answers: bool = True) -> list[Article]:
    """Articles that contain any word of the query: through the GIN-indexed tsvector on
    PostgreSQL, through the stem columns on SQLite. `in_answers=False`: only those with a
    word in the question or the keywords (a much smaller set on a big FAQ, with its own
    index on PostgreSQL)."""
    if not any(g.stems for g in groups):
        return []
    articles = published_articles(lang=lang).only(*CANDIDATE_FIELDS)
    if category:
        articles = articles.filter(Q(section__slug=category) | Q(section__category__slug=category))
    if connection.vendor == "postgresql":
        return _postgres_candidates(articles, lang, groups, in_answers=in_answers)
    stems = {s for g in groups for s in g.stems}
    match = Q()
    for stem in stems:
        needle = f" {stem} "
        match |= Q(stems_question__contains=needle) | Q(stems_keywords__contains=needle)
        if in_answers:
            match |= Q(stems_answer__contains=needle)
    return list(articles.filter(match))


def question_vector(config: str) -> SearchVector:
    """The question and keywords part of `search_vector`; migration 0003 indexes exactly this
    expression per language, so keep the two identical."""
    return SearchVector("question", weight="A", config=config) + SearchVector("keywords", weight="B", config=config)


def _postgres_candidates(articles: QuerySet[Article], lang: str, groups, *, in_answers: bool) -> list[Article]:
    words = sorted({w for g in groups for w in g.words})
    config = "english" if lang == "en" else "russian"
    # Words are [0-9a-zа-я]+ by construction, so the raw tsquery is safe to build.
    query = SearchQuery(" | ".join(words), config=config, search_type="raw")
    if in_answers:
        articles = articles.filter(search_vector=query)
    else:
        articles = articles.alias(question_vector=question_vector(config)).filter(question_vector=query)
    ranked = articles.annotate(rank=SearchRank(F("search_vector"), query, weights=[0.1, 0.3, 0.6, 1.0]))
    return list(ranked.order_by("-rank")[:CANDIDATES])


def answer_texts(*, article_ids: list[int]) -> dict[int, str]:
    """The plain answers of a few articles in one query (candidates are read without them)."""
    return dict(Article.objects.filter(pk__in=article_ids).order_by().values_list("pk", "answer_text"))


def canned_responses_for(
    *, user: User, category: str | None = None, lang: str | None = None
) -> QuerySet[CannedResponse]:
    """Active canned responses for staff: general ones plus those of the category."""
    if not (user.is_authenticated and user.is_staff_member):
        return CannedResponse.objects.none()
    responses = CannedResponse.objects.filter(is_active=True).select_related("category")
    if category:
        responses = responses.filter(
            Q(category__isnull=True) | Q(category__slug=category) | Q(category__children__slug=category)
        ).distinct()
    if lang:
        responses = responses.filter(lang=lang)
    return responses.order_by("shortcut")


def canned_responses_matching(
    *, user: User, query: str, category: str | None = None, lang: str | None = None, limit: int = 20
) -> list[CannedResponse]:
    """Responses whose shortcut starts with the query ("/pwd") or whose title or text
    contains it. Matched in Python: SQLite's LIKE ignores case only for ASCII, and an
    operator's list is short."""
    needle = query.strip().lstrip("/").casefold()
    matches = []
    for response in canned_responses_for(user=user, category=category, lang=lang):
        haystack = f"{response.title}\n{response.body}".casefold()
        if response.shortcut.casefold().startswith(needle) or needle in haystack:
            matches.append(response)
            if len(matches) == limit:
                break
    return matches


def canned_response_by_shortcut(*, user: User, shortcut: str, lang: str = "ru") -> CannedResponse:
    response = canned_responses_for(user=user, lang=lang).filter(shortcut=shortcut.lstrip("/")).first()
    if response is None:
        raise Http404
    return response


# Analytics ---------------------------------------------------------------------------


def unanswered_searches(*, since: datetime, include_suggestions: bool = False) -> QuerySet[SearchLog]:
    """Searches the FAQ did not settle: nothing found, only weak matches, the answer
    voted unhelpful, or the citizen went on to a chat or an appeal."""
    searches = SearchLog.objects.filter(created_at__gte=since)
    if not include_suggestions:
        searches = searches.exclude(source=SearchSource.SUGGEST)
    return searches.filter(
        Q(results_count=0) | Q(top_score__lt=WEAK_SCORE) | Q(helpful=False) | ~Q(followed_by=FollowUp.NONE)
    )


@dataclass
class QuestionGroup:
    key_stems: set[str]
    count: int = 0
    examples: list[str] = field(default_factory=list)
    last_asked: datetime | None = None
    no_results: int = 0
    followed: int = 0


GROUP_SIMILARITY = 0.5
EXAMPLES_PER_GROUP = 5


def unanswered_question_groups(*, since: datetime, include_suggestions: bool = False, limit: int = 100):
    """Unanswered searches grouped by similar wording (shared stems), biggest first, so a
    supervisor sees "12 people asked about a lost SNILS" rather than 12 rows."""
    rows = (
        unanswered_searches(since=since, include_suggestions=include_suggestions)
        .values("query_key", "query", "created_at", "results_count", "followed_by")
        .order_by("-created_at")
    )
    groups: list[QuestionGroup] = []
    by_key: dict[str, QuestionGroup] = {}
    for row in rows.iterator():
        group = by_key.get(row["query_key"])
        if group is None:
            group = _closest_group(groups, set(row["query_key"].split()))
            by_key[row["query_key"]] = group
        _add_to_group(group, row)
    groups.sort(key=lambda g: (-g.count, g.examples[0] if g.examples else ""))
    return groups[:limit]


def _closest_group(groups: list[QuestionGroup], stems: set[str]) -> QuestionGroup:
    best, best_similarity = None, 0.0
    for group in groups:
        union = stems | group.key_stems
        similarity = len(stems & group.key_stems) / len(union) if union else 1.0
        if similarity > best_similarity:
            best, best_similarity = group, similarity
    if best is not None and best_similarity >= GROUP_SIMILARITY:
        return best
    groups.append(QuestionGroup(key_stems=stems))
    return groups[-1]


def _add_to_group(group: QuestionGroup, row: dict) -> None:
    group.count += 1
    group.last_asked = max(filter(None, (group.last_asked, row["created_at"])))
    group.no_results += row["results_count"] == 0
    group.followed += bool(row["followed_by"])
    if len(group.examples) < EXAMPLES_PER_GROUP and row["query"] not in group.examples:
        group.examples.append(row["query"])


def article_vote_summary() -> QuerySet[Article]:
    return Article.objects.annotate(
        helpful_votes=Count("votes", filter=Q(votes__helpful=True)),
        unhelpful_votes=Count("votes", filter=Q(votes__helpful=False)),
    )
