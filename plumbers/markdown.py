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
from django import forms
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
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


class MarkdownFormField(forms.CharField):
    """Markdown in a form: at most ``MARKDOWN_MAX_LENGTH`` characters, checked on the server
    only. A browser's ``maxlength`` would cut a long paste silently, where the form's message
    says how long the text may be and shows back every character typed."""

    widget = forms.Textarea

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MARKDOWN_MAX_LENGTH)
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.pop("maxlength", None)
        return attrs


class MarkdownTextField(models.TextField):
    """A text field for Markdown; its forms use ``MarkdownFormField``."""

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": MarkdownFormField, **kwargs})


def markdown_field(
    verbose_name: str | None = None, *, more_help: str = "", **kwargs
) -> MarkdownTextField:
    """A Markdown source: forms refuse more than ``MARKDOWN_MAX_LENGTH`` characters with a
    message (and the model's ``markdown_length_check`` makes the database refuse it too)."""
    help_text = f"Markdown, at most {MARKDOWN_MAX_LENGTH:,} characters. {more_help}".strip()
    kwargs.setdefault("help_text", help_text)
    return MarkdownTextField(verbose_name, max_length=MARKDOWN_MAX_LENGTH, **kwargs)


def markdown_length_check(field: str, *, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), MARKDOWN_MAX_LENGTH), name=name
    )


class RenderedMarkdown:
    """Mixed into a model whose Markdown is shown on pages: its sanitized HTML is rendered
    once, when the model is saved, into a stored field, and pages show that. Declare the
    pairs in ``markdown_fields = {"body": "body_html"}``."""

    markdown_fields: dict[str, str] = {}

    def render_markdown_fields(self, sources=None) -> None:
        """Render the HTML of ``sources`` (all Markdown fields when None)."""
        for source, rendered in self.markdown_fields.items():
            if sources is None or source in sources:
                setattr(self, rendered, str(render_markdown(getattr(self, source))))

    def save(self, *args, **kwargs):
        # A save of some fields only (a state change, a rendition) renders only the Markdown
        # it writes: a decision must not re-render an abstract it does not touch.
        update_fields = kwargs.get("update_fields")
        self.render_markdown_fields(update_fields)
        if update_fields is not None:
            kwargs["update_fields"] = {
                *update_fields,
                *(html for src, html in self.markdown_fields.items() if src in update_fields),
            }
        super().save(*args, **kwargs)


def render_existing(app_label: str, model_name: str, pairs: dict[str, str]):
    """A migration step that renders the stored HTML of rows saved before it existed."""

    def forwards(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        for row in model.objects.all().only("pk", *pairs).iterator():
            changes = {html: str(render_markdown(getattr(row, src))) for src, html in pairs.items()}
            model.objects.filter(pk=row.pk).update(**changes)

    return forwards
