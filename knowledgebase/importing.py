"""Validation of the `import_kb` file, before anything is written.

The format (API.md, extended with optional fields):

    {"sections": [{"slug", "title", "title_en"?, "ordering"?, "category"?}],
     "articles": [{"slug", "section", "question", "answer", "keywords": [...], "lang",
                   "links"?: [{"kind": "regulation|video|other", "title", "url"}],
                   "published"?: true, "ordering"?: 0}]}
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_slug
from django.utils.translation import gettext as _

from gosupport.models import Category
from knowledgebase.models import Article, ArticleLink, Language, LinkKind, Section

MAX_ERRORS_SHOWN = 20
MAX_ORDERING = 2**31 - 1  # PositiveIntegerField on every database


def _max_lengths(model, names: tuple[str, ...]) -> dict[str, int]:
    return {name: model._meta.get_field(name).max_length for name in names}


SECTION_LIMITS = _max_lengths(Section, ("slug", "title", "title_en"))
ARTICLE_LIMITS = _max_lengths(Article, ("slug", "question"))
LINK_LIMITS = _max_lengths(ArticleLink, ("title", "url"))
url_validator = URLValidator(schemes=["http", "https"])


@dataclass
class ImportPlan:
    sections: list[dict] = field(default_factory=list)
    articles: list[dict] = field(default_factory=list)
    categories: dict[str, Category] = field(default_factory=dict)
    section_slugs_used: set[str] = field(default_factory=set)


def import_plan_build(data) -> ImportPlan:
    """The checked content of the file, or a ValidationError listing what is wrong."""
    errors: list[str] = []
    if not isinstance(data, dict) or not isinstance(data.get("articles", []), list):
        raise ValidationError(_('The file must be a JSON object with "sections" and "articles" lists.'))
    plan = ImportPlan(sections=_list(data, "sections", errors), articles=_list(data, "articles", errors))
    _check_sections(plan, errors)
    _check_articles(plan, errors)
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN]
        if len(errors) > MAX_ERRORS_SHOWN:
            shown.append(_("…and %(count)d more problems.") % {"count": len(errors) - MAX_ERRORS_SHOWN})
        raise ValidationError(shown)
    return plan


def _list(data: dict, key: str, errors: list[str]) -> list:
    value = data.get(key, [])
    if not isinstance(value, list):
        errors.append(_('"%(key)s" must be a list.') % {"key": key})
        return []
    return value


def _check_sections(plan: ImportPlan, errors: list[str]) -> None:
    seen: set[str] = set()
    wanted_categories: set[str] = set()
    for i, item in enumerate(plan.sections):
        where = f"sections[{i}]"
        if not _require(item, ("slug", "title"), where, errors):
            continue
        _check_slug(item["slug"], where, errors)
        _check_lengths(item, SECTION_LIMITS, where, errors)
        if item["slug"] in seen:
            errors.append(_("%(where)s: section %(slug)s appears twice.") % {"where": where, "slug": item["slug"]})
        seen.add(item["slug"])
        if item.get("category") and not isinstance(item["category"], str):
            errors.append(_("%(where)s: category must be the slug of an appeal category.") % {"where": where})
        elif item.get("category"):
            wanted_categories.add(item["category"])
    plan.categories = {c.slug: c for c in Category.objects.filter(slug__in=wanted_categories)}
    for missing in sorted(wanted_categories - plan.categories.keys()):
        errors.append(_("Unknown appeal category: %(slug)s.") % {"slug": missing})
    plan.section_slugs_used = seen


def _check_articles(plan: ImportPlan, errors: list[str]) -> None:
    referenced = {item["section"] for item in plan.articles if isinstance(item, dict) and _is_text(item, "section")}
    known = plan.section_slugs_used | set(Section.objects.filter(slug__in=referenced).values_list("slug", flat=True))
    plan.section_slugs_used = known
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(plan.articles):
        where = f"articles[{i}]"
        if not _require(item, ("slug", "section", "question", "answer", "lang"), where, errors):
            continue
        _check_article(item, where, known, errors)
        key = (item["slug"], item["lang"])
        if key in seen:
            errors.append(_("%(where)s: article %(slug)s (%(lang)s) appears twice.") % {"where": where, **item})
        seen.add(key)


def _check_article(item: dict, where: str, known_sections: set[str], errors: list[str]) -> None:
    _check_slug(item["slug"], where, errors)
    _check_lengths(item, ARTICLE_LIMITS, where, errors)
    if item["section"] not in known_sections:
        errors.append(_("%(where)s: unknown section %(section)s.") % {"where": where, "section": item["section"]})
    if item["lang"] not in Language.values:
        errors.append(_("%(where)s: language must be one of ru, en.") % {"where": where})
    if not str(item["answer"]).strip():
        errors.append(_("%(where)s: the answer is empty.") % {"where": where})
    keywords = item.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) for k in keywords):
        errors.append(_("%(where)s: keywords must be a list of strings.") % {"where": where})
    if not isinstance(item.get("published", True), bool):
        errors.append(_("%(where)s: published must be true or false.") % {"where": where})
    for j, link in enumerate(item.get("links", []) if isinstance(item.get("links", []), list) else [None]):
        _check_link(link, f"{where}.links[{j}]", errors)


def _check_link(link, where: str, errors: list[str]) -> None:
    if not _require(link, ("title", "url"), where, errors):
        return
    _check_lengths(link, LINK_LIMITS, where, errors)
    if link.get("kind", LinkKind.REGULATION) not in LinkKind.values:
        errors.append(_("%(where)s: kind must be regulation, video or other.") % {"where": where})
    try:
        url_validator(link["url"])
    except ValidationError:
        errors.append(_("%(where)s: %(url)s is not an http(s) address.") % {"where": where, "url": link["url"]})


def _require(item, keys: tuple[str, ...], where: str, errors: list[str]) -> bool:
    if not isinstance(item, dict):
        errors.append(_("%(where)s must be an object.") % {"where": where})
        return False
    missing = [k for k in keys if not _is_text(item, k)]
    if missing:
        errors.append(_("%(where)s: missing %(fields)s.") % {"where": where, "fields": ", ".join(missing)})
    return not missing


def _is_text(item: dict, key: str) -> bool:
    return isinstance(item.get(key), str) and bool(item[key].strip())


def _check_slug(slug: str, where: str, errors: list[str]) -> None:
    try:
        validate_slug(slug)
    except ValidationError:
        errors.append(_("%(where)s: %(slug)s is not a valid slug.") % {"where": where, "slug": slug})


def _check_lengths(item: dict, limits: dict[str, int], where: str, errors: list[str]) -> None:
    ordering = item.get("ordering", 0)
    if not isinstance(ordering, int) or isinstance(ordering, bool) or not 0 <= ordering <= MAX_ORDERING:
        errors.append(_("%(where)s: ordering must be a whole number.") % {"where": where})
    for key, limit in limits.items():
        if isinstance(item.get(key), str) and len(item[key]) > limit:
            errors.append(
                _("%(where)s: %(field)s is longer than %(limit)d characters.")
                % {"where": where, "field": key, "limit": limit}
            )
