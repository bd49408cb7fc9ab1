"""Markdown written by people is rendered to HTML, then sanitized with nh3: scripts, event
handlers and javascript: URLs never reach a page.

The parser is markdown-it-py (CommonMark, with tables and strikethrough): it was built for
hostile input and its cost grows linearly with the text, where Python-Markdown recursed
until RecursionError on ``"- " * 1000`` and took seconds on ``"[" * 8000``. Raw HTML in the
text goes to nh3 like the rest, which keeps only the allowed tags and attributes. Every
Markdown field is also limited to ``MARKDOWN_MAX_LENGTH`` characters, which bounds the cost
of one render.
"""

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

# Characters in one Markdown field: about four pages of prose; the slowest pathological text
# of this length renders in about half a second, ordinary text in milliseconds.
MARKDOWN_MAX_LENGTH = 10_000

_PARSER = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False})
_PARSER.enable(["table", "strikethrough"])

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}


def render_markdown(text: str) -> SafeString:
    html = _PARSER.render(text or "")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener noreferrer",
    )
    return mark_safe(clean)  # noqa: S308 - sanitized by nh3 just above
