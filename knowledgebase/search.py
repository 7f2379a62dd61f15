"""The one FAQ search: pages, the API, the chat bot and the operator workspace call
`kb_search`.

How a query is answered:
1. its words are stemmed (Snowball, as PostgreSQL's `russian`/`english` configs do),
   stop words dropped; a word the FAQ does not know is replaced by the closest words
   of the FAQ vocabulary by trigram similarity (pg_trgm on PostgreSQL, the same
   measure in Python on SQLite): "пороль" becomes "пароль";
2. candidates come from the database: the weighted tsvector (GIN index) on PostgreSQL,
   padded stem columns on SQLite;
3. candidates are ranked the same way on both: each query word adds its rarity (IDF)
   times where the article has it, question above keywords above answer.
"""

import math
import re
from dataclasses import dataclass, field

from django.contrib.postgres.search import TrigramSimilarity
from django.db import connection

from knowledgebase import selectors, services, text
from knowledgebase.models import Article, SearchSource, Term

MAX_QUERY_LENGTH = 300
MAX_QUERY_WORDS = 12
MAX_LIMIT = 20
FIELD_WEIGHTS = (1.0, 0.6, 0.3)  # question, keywords, answer
CORRECTION_SIMILARITY = 0.4
CORRECTION_PENALTY = 0.85
CORRECTIONS_PER_WORD = 3
PREFIX_EXPANSIONS = 8
MIN_SCORE = 0.12
# article_score of an article with no query word in its question or keywords: answer
# weight times full coverage, and no focus.
ANSWER_ONLY_MAX_SCORE = 0.85 * FIELD_WEIGHTS[2]
SNIPPET_LENGTH = 200
SENTENCE_RE = re.compile(r"(?<=[.!?])\s+")


@dataclass(frozen=True)
class SearchHit:
    article: Article
    score: float
    snippet: str

    @property
    def id(self) -> int:
        return self.article.pk

    @property
    def title(self) -> str:
        return self.article.question

    @property
    def url(self) -> str:
        return self.article.get_absolute_url()


class SearchResults(list):
    """The hits, best first, plus the id of the search log row (pass it on as `s` so
    opening an article, a vote, a chat or an appeal is tied to this search)."""

    def __init__(self, hits, *, search_id: int | None, lang: str):
        super().__init__(hits)
        self.search_id = search_id
        self.lang = lang


@dataclass
class WordGroup:
    """One word of the query: the stems that may stand for it and how rare it is."""

    stems: dict[str, float] = field(default_factory=dict)
    words: set[str] = field(default_factory=set)
    idf: float = 0.0


def kb_search(
    *,
    query: str,
    lang: str = "ru",
    category: str | None = None,
    limit: int = 5,
    source: str = SearchSource.API,
    log: bool = True,
    visitor_key: str = "",
) -> SearchResults:
    """Published articles that answer the query, best first; logged unless log=False,
    with the visitor whose vote may later settle it (see services.article_vote)."""
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    lang = text.detect_language(query, lang if lang in ("ru", "en") else "ru")
    limit = max(1, min(limit, MAX_LIMIT))
    groups = plan_query(query, lang, prefix_last=source == SearchSource.SUGGEST)
    hits = _search(groups, lang=lang, category=category, limit=limit)
    search_id = None
    if log and query:
        top = hits[0] if hits else None
        search_id = services.search_log_record(
            query=query,
            lang=lang,
            category=category,
            source=source,
            results_count=len(hits),
            top_article_id=top.id if top else None,
            top_score=top.score if top else 0.0,
            visitor_key=visitor_key,
        ).pk
    return SearchResults(hits, search_id=search_id, lang=lang)


def plan_query(query: str, lang: str, *, prefix_last: bool = False) -> list[WordGroup]:
    tokens = list(dict.fromkeys(text.meaningful_words(query, lang)))[:MAX_QUERY_WORDS]
    if not tokens:
        return []
    known = _known_stems(lang, {text.stem(t, lang) for t in tokens})
    total = max(selectors.published_count(lang=lang), 1)
    groups = []
    for position, token in enumerate(tokens):
        group = _group_for(token, lang, known, prefix=prefix_last and position == len(tokens) - 1)
        # A word the FAQ does not know at all still counts as part of the question, so
        # "утерян снилс восстановить" does not look fully answered by a password article.
        group.idf = max((_idf(known.get(s, 1), total) for s in group.stems), default=_idf(0, total))
        groups.append(group)
    return groups


def _group_for(token: str, lang: str, known: dict[str, int], *, prefix: bool) -> WordGroup:
    group = WordGroup()
    token_stem = text.stem(token, lang)
    if token_stem in known:
        group.stems[token_stem] = 1.0
        group.words.add(token)
    if prefix and len(token) >= 3:
        for word, word_stem, df in _prefix_words(token, lang):
            group.stems.setdefault(word_stem, 1.0)
            group.words.add(word)
            known.setdefault(word_stem, df)
    if not group.stems and len(token) >= 4 and not token.isdigit():
        for word, word_stem, df, similarity in _similar_words(token, lang):
            group.stems.setdefault(word_stem, CORRECTION_PENALTY * min(1.0, similarity + 0.3))
            group.words.add(word)
            known.setdefault(word_stem, df)
    return group


def _known_stems(lang: str, stems: set[str]) -> dict[str, int]:
    return dict(Term.objects.filter(lang=lang, stem__in=stems).values_list("stem", "df").distinct())


def _prefix_words(token: str, lang: str) -> list[tuple[str, str, int]]:
    terms = Term.objects.filter(lang=lang, word__startswith=token).order_by("-df", "word")
    return list(terms.values_list("word", "stem", "df")[:PREFIX_EXPANSIONS])


def _similar_words(token: str, lang: str) -> list[tuple[str, str, int, float]]:
    """Vocabulary words that look like a mistyped token."""
    n = len(token)
    terms = Term.objects.filter(lang=lang, length__range=(n - 2, n + 2))
    if connection.vendor == "postgresql":
        rows = (
            terms.filter(word__trigram_similar=token)
            .annotate(similarity=TrigramSimilarity("word", token))
            .filter(similarity__gte=CORRECTION_SIMILARITY)
            .order_by("-similarity", "-df")
            .values_list("word", "stem", "df", "similarity")[:CORRECTIONS_PER_WORD]
        )
        return list(rows)
    scored = [
        (word, word_stem, df, text.trigram_similarity(token, word))
        for word, word_stem, df in terms.values_list("word", "stem", "df").iterator()
    ]
    scored = [row for row in scored if row[3] >= CORRECTION_SIMILARITY]
    scored.sort(key=lambda row: (-row[3], -row[2]))
    return scored[:CORRECTIONS_PER_WORD]


def _idf(df: int, total: int) -> float:
    return math.log(1 + (total - df + 0.5) / (df + 0.5))


def _search(groups: list[WordGroup], *, lang: str, category: str | None, limit: int) -> list[SearchHit]:
    """Articles with a query word in the question or keywords first: an article that has
    the words only in its answer scores at most ANSWER_ONLY_MAX_SCORE, so when `limit`
    articles score above that, the answers need not be searched (on a big FAQ most
    articles mention common words somewhere in their answers)."""
    candidates = selectors.article_candidates(lang=lang, category=category, groups=groups, in_answers=False)
    scored = _scored(groups, candidates)
    if len(scored) < limit or scored[limit - 1][0] <= ANSWER_ONLY_MAX_SCORE:
        candidates = selectors.article_candidates(lang=lang, category=category, groups=groups)
        scored = _scored(groups, candidates)
    return _hits(groups, scored[:limit])


def _scored(groups: list[WordGroup], candidates: list[Article]) -> list[tuple[float, Article]]:
    scored = [(round(article_score(groups, article), 3), article) for article in candidates]
    scored = [pair for pair in scored if pair[0] >= MIN_SCORE]
    scored.sort(key=lambda pair: (-pair[0], pair[1].ordering, pair[1].pk))
    return scored


def _hits(groups: list[WordGroup], best: list[tuple[float, Article]]) -> list[SearchHit]:
    answers = selectors.answer_texts(article_ids=[article.pk for _score, article in best])
    for _score, article in best:
        article.answer_text = answers[article.pk]  # read for the snippet, in one query
    return [SearchHit(article=a, score=score, snippet=_snippet(a, groups)) for score, a in best]


def article_score(groups: list[WordGroup], article: Article) -> float:
    """0..1: the share of the query's weight the article covers, where it covers it,
    plus a little for how much of the question the query covers (focused beats broad)."""
    fields = (article.stems_question, article.stems_keywords, article.stems_answer)
    total = sum(g.idf for g in groups)
    if not total:
        return 0.0
    covered = sum(g.idf * _best_weight(g, fields) for g in groups)
    question_stems = article.stems_question.split()
    matched_in_question = sum(1 for s in question_stems if any(s in g.stems for g in groups))
    focus = matched_in_question / len(question_stems) if question_stems else 0.0
    return 0.85 * covered / total + 0.15 * focus if covered else 0.0


def _best_weight(group: WordGroup, fields: tuple[str, str, str]) -> float:
    best = 0.0
    for stem, factor in group.stems.items():
        needle = f" {stem} "
        for weight, stems in zip(FIELD_WEIGHTS, fields, strict=True):
            if needle in stems:
                best = max(best, weight * factor)
                break
    return best


def _snippet(article: Article, groups: list[WordGroup]) -> str:
    """The sentence of the answer that holds most of the query, shortened."""
    sentences = SENTENCE_RE.split(article.answer_text) or [""]
    wanted = {s for g in groups for s in g.stems}

    def overlap(sentence: str) -> int:
        return len(wanted & set(text.stems(sentence, article.lang)))

    best = max(sentences, key=overlap)
    if len(best) <= SNIPPET_LENGTH:
        return best
    return best[: SNIPPET_LENGTH - 1].rsplit(" ", 1)[0] + "…"
