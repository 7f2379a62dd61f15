from django import template
from django.utils.safestring import mark_safe

from knowledgebase.rendering import markdown_to_safe_html

register = template.Library()


@register.filter
def kb_markdown(source: str) -> str:
    """Article Markdown as HTML; safe to mark so because nh3 has cleaned it."""
    return mark_safe(markdown_to_safe_html(source))  # noqa: S308


@register.filter
def localized_title(section, lang: str) -> str:
    return section.localized_title(lang)
