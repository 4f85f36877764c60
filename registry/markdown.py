"""Markdown that users write (annotations, posts, rationales), rendered to safe HTML.

The raw text is stored; it is rendered on display by markdown-it (raw HTML disabled) and then
cleaned by nh3 with a small allowlist, so nothing a user writes can run script or load content.
"""

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "h3", "h4",
    "table", "thead", "tbody", "tr", "th", "td", "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render(text: str | None) -> str:
    """Safe HTML for ``text`` (empty string for None)."""
    if not text:
        return ""
    html = _md.render(text)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"}, link_rel="nofollow noopener")
