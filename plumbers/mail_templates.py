"""Organizers' own mail text: validation, sample rendering and the audited services.

A text is checked before it is saved: it must compile (a syntax error is refused with its
line), use only the placeholders its mail kind declares (plumbers.mail_kinds; an unknown one
is refused with its line and the list of known ones), and only the tags that make sense in a
mail (no include, extends, url...). The preview renders it for a sample recipient built from
the declared example values.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.template import Context, TemplateSyntaxError
from django.template.base import FilterExpression, Node, NodeList, Variable
from django.template.defaulttags import ForNode, TemplateLiteral, WithNode
from django.template.smartif import TokenBase
from django.utils import timezone

from plumbers.audit import audit_changes, audit_delete
from plumbers.mail import (
    deliver_mail,
    forget_overrides,
    mail_engine,
    new_mail_id,
    one_line,
    site_url,
)
from plumbers.mail_kinds import MailKind, Placeholder, mail_kinds
from plumbers.models import Conference, MailTemplate, User

ALLOWED_TAGS = frozenset(
    {
        "if",
        "for",
        "with",
        "load",
        "comment",
        "now",
        "firstof",
        "spaceless",
        "templatetag",
        "autoescape",
        "filter",
    }
)
ALLOWED_LIBRARIES = frozenset({"plumbers_tags"})
LOOP_NAMES = frozenset({"forloop"})


@dataclass
class Problem:
    field: str
    line: int | None
    message: str

    def __str__(self):
        where = f"{self.field}, line {self.line}" if self.line else self.field
        return f"{where}: {self.message}"


def _expressions(value):
    """The filter expressions inside a node attribute (conditions of {% if %} included)."""
    if isinstance(value, FilterExpression):
        yield value
    elif isinstance(value, TemplateLiteral):
        yield value.value
    elif isinstance(value, TokenBase):
        for part in (getattr(value, "first", None), getattr(value, "second", None)):
            if part is not None:
                yield from _expressions(part)
    elif isinstance(value, (list, tuple)) and not isinstance(value, NodeList):
        for item in value:
            yield from _expressions(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _expressions(item)


def _child_nodelists(value):
    if isinstance(value, NodeList):
        yield value
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _child_nodelists(item)


def _variables(expression: FilterExpression):
    if isinstance(expression.var, Variable) and expression.var.lookups:
        yield expression.var
    for _func, args in expression.filters:
        for is_variable, arg in args:
            if is_variable and isinstance(arg, Variable) and arg.lookups:
                yield arg


def _check_nodes(nodes, *, field, allowed, bound, problems):
    for node in nodes:
        if not isinstance(node, Node):
            continue
        token = getattr(node, "token", None)
        line = getattr(token, "lineno", None)
        if token is not None and token.token_type.name == "BLOCK":
            bits = token.split_contents()
            tag = bits[0] if bits else ""
            if tag not in ALLOWED_TAGS:
                problems.append(Problem(field, line, f"the tag “{tag}” cannot be used in a mail."))
                continue
            if tag == "load":
                for library in bits[1:]:
                    if library not in ALLOWED_LIBRARIES:
                        problems.append(
                            Problem(field, line, f"the library “{library}” cannot be loaded.")
                        )
        attributes = vars(node)
        for name, value in attributes.items():
            if name in {"token", "origin", "nodelist"} or isinstance(value, NodeList):
                continue
            for expression in _expressions(value):
                for variable in _variables(expression):
                    path = ".".join(variable.lookups)
                    if path in allowed or variable.lookups[0] in bound:
                        continue
                    problems.append(
                        Problem(field, line, f"unknown placeholder “{{{{ {path} }}}}”.")
                    )
        inner = set(bound)
        if isinstance(node, ForNode):
            inner |= set(node.loopvars) | LOOP_NAMES
        if isinstance(node, WithNode):
            inner |= set(node.extra_context)
        for value in attributes.values():
            for nodelist in _child_nodelists(value):
                _check_nodes(nodelist, field=field, allowed=allowed, bound=inner, problems=problems)


def check_text(source: str, *, field: str, placeholders) -> list[Problem]:
    """The problems of one text (subject or body) against the allowed placeholders."""
    try:
        template = mail_engine().from_string(source)
    except TemplateSyntaxError as exc:
        debug = getattr(exc, "template_debug", None) or {}
        return [Problem(field, debug.get("line"), str(exc))]
    problems: list[Problem] = []
    _check_nodes(
        template.nodelist, field=field, allowed=set(placeholders), bound=set(), problems=problems
    )
    return problems


def validate_texts(kind: MailKind, *, subject: str, body: str) -> None:
    """Raise ValidationError naming every problem (field and line) of a subject and body."""
    placeholders = {*kind.placeholders, *kind.links}
    problems = []
    if not subject.strip():
        problems.append(Problem("Subject", None, "a mail needs a subject."))
    if not body.strip():
        problems.append(Problem("Body", None, "a mail needs a text."))
    problems += check_text(subject, field="Subject", placeholders=placeholders)
    problems += check_text(body, field="Body", placeholders=placeholders)
    if problems:
        known = ", ".join(sorted(placeholders))
        raise ValidationError(
            [str(p) for p in problems] + [f"The placeholders of this mail: {known}."]
        )


# --------------------------------------------------------------------------- samples


class Sample(dict):
    """An example value with attributes of its own: ``{{ conference }}`` shows its text,
    ``{{ conference.name }}`` the attribute."""

    def __init__(self, text=""):
        super().__init__()
        self.text = text

    def __str__(self):
        return str(self.text)


def sample_context(kind: MailKind) -> dict:
    root = Sample()
    for path, placeholder in sorted(kind.placeholders.items(), key=lambda item: item[0]):
        node = root
        parts = path.split(".")
        for part in parts[:-1]:
            child = node.get(part)
            if not isinstance(child, Sample):
                child = Sample("" if child is None else child)
                node[part] = child
            node = child
        leaf = parts[-1]
        example = placeholder.example
        if example == "" and leaf.endswith("url"):
            example = site_url("/…")  # a link: shown as the site's address
        if isinstance(node.get(leaf), Sample):
            node[leaf].text = example
        else:
            node[leaf] = example
    for name in kind.links:
        root.setdefault(name, site_url("/"))
    return dict(root)


def default_texts(kind: MailKind) -> tuple[str, str]:
    """The repository's text of a kind (subject, body), as the editor shows it."""
    engine = mail_engine()
    subject = engine.get_template(f"mail/{kind.template}.subject.txt").source
    body = engine.get_template(f"mail/{kind.template}.txt").source
    texts = []
    for text in (subject, body):  # what the mail engine has built in needs no tag
        for noise in ("{% load plumbers_tags %}", "{% autoescape off %}", "{% endautoescape %}"):
            text = text.replace(noise, "")
        texts.append(text)
    return one_line(texts[0]), texts[1].strip("\n") + "\n"


def current_texts(*, conference: Conference, key: str) -> tuple[str, str, bool]:
    """(subject, body, is the edition's own) for the editor."""
    override = MailTemplate.objects.filter(conference=conference, key=key).first()
    if override is not None:
        return override.subject, override.body, True
    return (*default_texts(mail_kinds()[key]), False)


def render_sample(kind: MailKind, *, subject: str, body: str) -> tuple[str, str]:
    """The preview: the texts rendered for the sample recipient. A text that fails while
    rendering (a filter given a wrong value) raises ValidationError saying so."""
    validate_texts(kind, subject=subject, body=body)
    context = Context(sample_context(kind), autoescape=False)
    engine = mail_engine()
    try:
        return (
            one_line(engine.from_string(subject).render(context)),
            engine.from_string(body).render(context),
        )
    except Exception as exc:  # a filter that cannot take the sample value
        raise ValidationError(f"The text cannot be rendered: {exc}") from exc


def placeholder_rows(kind: MailKind) -> list[tuple[str, Placeholder]]:
    rows = sorted(kind.placeholders.items())
    rows += [(name, Placeholder("A link to this page of the site.", "")) for name in kind.links]
    return rows


# --------------------------------------------------------------------------- services


@transaction.atomic
def mail_template_save(
    *, conference: Conference, key: str, subject: str, body: str, actor: User
) -> MailTemplate:
    kind = mail_kinds().get(key)
    if kind is None:
        raise ValidationError(f"There is no mail “{key}”.")
    subject = one_line(subject)
    validate_texts(kind, subject=subject, body=body)
    override = MailTemplate.objects.select_for_update(of=("self",)).filter(
        conference=conference, key=key
    )
    override = override.first()
    if override is None:
        override = MailTemplate.objects.create(
            conference=conference,
            key=key,
            subject=subject,
            body=body,
            updated_by=actor,
            updated_at=timezone.now(),
        )
        audit_changes(
            obj=override,
            before=None,
            fields=["key", "subject", "body"],
            action="mail_template_save",
            actor=actor,
        )
    else:
        before = MailTemplate.objects.get(pk=override.pk)
        override.subject, override.body = subject, body
        override.updated_by, override.updated_at = actor, timezone.now()
        override.save()
        audit_changes(
            obj=override,
            before=before,
            fields=["subject", "body"],
            action="mail_template_save",
            actor=actor,
        )
    forget_overrides(conference.pk)
    transaction.on_commit(lambda: forget_overrides(conference.pk))
    return override


@transaction.atomic
def mail_template_restore_default(*, conference: Conference, key: str, actor: User) -> bool:
    override = MailTemplate.objects.filter(conference=conference, key=key).first()
    if override is None:
        return False
    audit_delete(obj=override, action="mail_template_restore_default", actor=actor, from_state=key)
    forget_overrides(conference.pk)
    transaction.on_commit(lambda: forget_overrides(conference.pk))
    return True


def mail_template_send_test(
    *, kind: MailKind, key: str, subject: str, body: str, actor: User
) -> None:
    """Mail the sample rendering to the organizer at the keyboard (logged like any mail)."""
    subject, body = render_sample(kind, subject=subject, body=body)
    deliver_mail.enqueue(
        subject=f"[Test] {subject}",
        body=body,
        to=[actor.email],
        mail_id=new_mail_id(),
        template=key,
        related="",
    )
