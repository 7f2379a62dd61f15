"""Markdown of articles to HTML that is safe to show: whatever a supervisor (or an
imported file) wrote, no script, style, event handler or javascript: link survives."""

import html

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "h3", "h4", "h5",
    "blockquote", "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}


def markdown_to_safe_html(source: str) -> str:
    raw = markdown.markdown(source, extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )


def markdown_to_text(source: str) -> str:
    """The answer as a citizen reads it, without markup: for search and snippets."""
    stripped = nh3.clean(markdown_to_safe_html(source), tags=set())
    return " ".join(html.unescape(stripped).split())
