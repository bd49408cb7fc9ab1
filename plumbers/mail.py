"""Templated mail, queued with the state change that causes it (convention 8), sent once per
identity even when the worker dies halfway, and logged.

Rendering. A mail is rendered when it is queued, so the task carries plain strings and the
worker needs no database objects. Its text is the edition's override of its kind
(``plumbers.models.MailTemplate``, edited in the admin) when there is one, else the default in
``templates/mail/<template>.subject.txt`` and ``.txt``. Mail text is plain text rendered
without autoescaping; the HTML part sent beside it is that text escaped (links made
clickable), so HTML or script in a placeholder value (a display name, a title) is inert.

Queueing. With the database task backend (production) the task row is inserted at once, in
the caller's transaction: it commits or rolls back with the state change (a rollback mails
nobody; a commit cannot lose the mail), and it costs one INSERT. Other backends (development
runs tasks immediately) are queued after commit, so nothing is sent for a change that rolls
back.

Sending and the mail log. Each queued mail gets an identity (``mail_id``). The worker records
it in ``SentMail`` (the mail log: to, subject, body, kind, status, related object) in the same
transaction as the send: the row is inserted first (a second run of the same mail waits on
it, then finds it and stops), the mail goes to the server, and the row commits before the
task is marked done. A worker killed before the commit leaves no row, so the mail is sent
when its task runs again (``manage.py mail_worker`` requeues tasks a dead worker left
running); only a kill between the server's acceptance and the commit, a matter of
milliseconds, can repeat a mail, and the stable Message-ID lets mail servers drop that copy.
A refused mail is logged as failed with the server's error; a later run of it sends it.

Links. ``site_url(path)`` builds every link in a mail from the one setting
``PLUMBERS_SITE_URL``; production (DEBUG off) must give an https address
(``check --deploy`` reports an error otherwise).
"""

import uuid
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.core.cache import cache as django_cache
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template import Context, Engine
from django.template.backends.django import get_installed_libraries
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape, linebreaks, urlize
from django_tasks import task

from plumbers.mail_kinds import kind_for_template, variants_of
from plumbers.models import MailTemplate, SentMail

OVERRIDES_CACHE_SECONDS = 30


# --------------------------------------------------------------------------- links


def site_url(path: str = "") -> str:
    """An absolute link for a mail: ``PLUMBERS_SITE_URL`` (scheme and host, no trailing
    slash needed) followed by ``path`` (from ``reverse``)."""
    return settings.PLUMBERS_SITE_URL.rstrip("/") + path


def site_domain() -> str:
    return urlsplit(settings.PLUMBERS_SITE_URL).hostname or "localhost"


@checks.register(checks.Tags.security, deploy=True)
def check_site_url(app_configs=None, **kwargs):
    """Links in production mail must be https (and absolute)."""
    value = getattr(settings, "PLUMBERS_SITE_URL", "")
    parts = urlsplit(value)
    if settings.DEBUG or (parts.scheme == "https" and parts.hostname):
        return []
    return [
        checks.Error(
            f"PLUMBERS_SITE_URL is {value!r}: production needs the https address of the site "
            "(e.g. https://lpc.example.org), which builds every link in mails.",
            id="plumbers.E001",
        )
    ]


# --------------------------------------------------------------------------- rendering


@cache
def mail_engine() -> Engine:
    """The engine of mail text: our template folders, no autoescaping (plain text), our
    filters (``plain_time``) built in, debug on so a syntax error names its line."""
    return Engine(
        dirs=[settings.BASE_DIR / "templates"],
        app_dirs=True,
        autoescape=False,
        debug=True,
        libraries=get_installed_libraries(),
        builtins=["plumbers.templatetags.plumbers_tags"],
    )


def _lookup(context: dict, path: str):
    value = context
    for part in path.split("."):
        if value is None:
            return None
        value = value.get(part) if isinstance(value, dict) else getattr(value, part, None)
    return value


def _overrides_key(conference_id: int) -> str:
    return f"plumbers:mail-overrides:{conference_id}"


def overrides_for(conference_id: int) -> dict[str, tuple[str, str]]:
    """The edition's overridden texts by kind key. Cached briefly (one query per edition
    and half-minute), and dropped from the cache when an organizer saves or restores one."""
    key = _overrides_key(conference_id)
    found = django_cache.get(key)
    if found is None:
        found = {
            row.key: (row.subject, row.body)
            for row in MailTemplate.objects.filter(conference_id=conference_id).only(
                "key", "subject", "body"
            )
        }
        django_cache.set(key, found, OVERRIDES_CACHE_SECONDS)
    return found


def forget_overrides(conference_id: int) -> None:
    django_cache.delete(_overrides_key(conference_id))


def render_text(source: str, context: dict) -> str:
    return mail_engine().from_string(source).render(Context(context, autoescape=False))


def one_line(subject: str) -> str:
    return " ".join(subject.split())


class RenderedMail:
    __slots__ = ("key", "subject", "body", "related")

    def __init__(self, key: str, subject: str, body: str, related: str):
        self.key, self.subject, self.body, self.related = key, subject, body, related


def render_kind(template: str, context: dict) -> RenderedMail:
    """Render the mail ``template`` (e.g. "registration/offered") for ``context``: the
    variant of it the context calls for, the edition's override when there is one, the
    declared links added."""
    key, kind = kind_for_template(template)
    for variant_key, variant in variants_of(template):
        if variant.when[1](context):
            key, kind, template = variant_key, variant, variant.template
            break
    related = ""
    override = None
    if kind is not None:
        context = {**{name: site_url(reverse(url)) for name, url in kind.links.items()}, **context}
        conference = _lookup(context, kind.conference)
        if conference is not None and getattr(conference, "pk", None):
            override = overrides_for(conference.pk).get(key)
        obj = context.get(kind.related) if kind.related else None
        if obj is not None and getattr(obj, "pk", None):
            related = f"{obj._meta.label_lower}:{obj.pk}"
    if override is not None:
        subject, body = (render_text(text, context) for text in override)
    else:
        engine = mail_engine()
        ctx = Context(context, autoescape=False)
        subject = engine.get_template(f"mail/{template}.subject.txt").render(ctx)
        body = engine.get_template(f"mail/{template}.txt").render(ctx)
    return RenderedMail(key or template, one_line(subject), body, related)


def render_mail(template: str, context: dict) -> tuple[str, str]:
    rendered = render_kind(template, context)
    return rendered.subject, rendered.body


def html_part(body: str) -> str:
    """The HTML alternative of a plain-text mail: the text escaped, links clickable."""
    return (
        '<!DOCTYPE html><html><body style="font-family: sans-serif">'
        f"{linebreaks(urlize(escape(body)))}</body></html>"
    )


# --------------------------------------------------------------------------- sending


def new_mail_id() -> str:
    return uuid.uuid4().hex


def _related_fields(related: str) -> dict:
    if not related or ":" not in related:
        return {}
    from django.contrib.contenttypes.models import ContentType

    label, pk = related.split(":", 1)
    app_label, _, model = label.partition(".")
    try:
        content_type = ContentType.objects.get_by_natural_key(app_label, model)
    except ContentType.DoesNotExist:
        return {}
    return {"related_type": content_type, "related_id": pk[:64]}


def send_logged(
    *,
    subject: str,
    body: str,
    to: list[str],
    mail_id: str,
    template: str = "",
    related: str = "",
) -> int:
    """Send one mail and log it, once per ``mail_id``. Returns the number sent (0/1); a
    refusal by the mail server is logged as failed and raised (the task fails, a later run
    sends it)."""
    message = EmailMultiAlternatives(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        to,
        headers={"Message-ID": f"<{mail_id}@{site_domain()}>"},
    )
    message.attach_alternative(html_part(body), "text/html")
    log = {
        "recipients": ", ".join(to),
        "subject": subject[:255],
        "body": body,
        "template": template[:100],
        **_related_fields(related),
    }
    try:
        try:
            with transaction.atomic():
                SentMail.objects.create(mail_id=mail_id, status=SentMail.Status.SENT, **log)
                return message.send(fail_silently=False)
        except IntegrityError:
            pass  # logged already: sent (nothing to do) or failed (sent again below)
        with transaction.atomic():
            entry = SentMail.objects.select_for_update(of=("self",)).filter(mail_id=mail_id).first()
            if entry is None or entry.status == SentMail.Status.SENT:
                return 0
            sent = message.send(fail_silently=False)
            entry.status, entry.error, entry.sent_at = SentMail.Status.SENT, "", timezone.now()
            entry.save(update_fields=["status", "error", "sent_at"])
            return sent
    except Exception as exc:
        _log_failure(mail_id=mail_id, error=f"{type(exc).__name__}: {exc}", log=log)
        raise


def _log_failure(*, mail_id: str, error: str, log: dict) -> None:
    with transaction.atomic():
        updated = SentMail.objects.filter(mail_id=mail_id, status=SentMail.Status.FAILED).update(
            error=error, sent_at=timezone.now()
        )
        if not updated and not SentMail.objects.filter(mail_id=mail_id).exists():
            SentMail.objects.create(
                mail_id=mail_id, status=SentMail.Status.FAILED, error=error, **log
            )


@task()
def deliver_mail(
    *,
    subject: str,
    body: str,
    to: list[str],
    mail_id: str = "",
    template: str = "",
    related: str = "",
) -> int:
    """Send one mail unless its identity was sent already. Returns the number sent (0/1)."""
    return send_logged(
        subject=subject,
        body=body,
        to=to,
        mail_id=mail_id or new_mail_id(),
        template=template,
        related=related,
    )


def queues_in_database(a_task) -> bool:
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(a_task.get_backend(), DatabaseBackend)


def enqueue_with_change(a_task, **kwargs) -> None:
    """Queue ``a_task`` so that it happens exactly when the current transaction commits: in
    the transaction itself with the database backend (one INSERT, rolled back with it),
    after commit with any other backend."""
    if queues_in_database(a_task):
        a_task.enqueue(**kwargs)
    else:
        transaction.on_commit(lambda: a_task.enqueue(**kwargs))


def mail_on_commit(*, template: str, to: list[str] | str, context: dict) -> None:
    """Render now (objects are fresh); queue with the change (nothing sent on rollback)."""
    recipients = [to] if isinstance(to, str) else list(to)
    recipients = [address for address in recipients if address]
    if not recipients:
        return
    rendered = render_kind(template, context)
    enqueue_with_change(
        deliver_mail,
        subject=rendered.subject,
        body=rendered.body,
        to=recipients,
        mail_id=new_mail_id(),
        template=rendered.key,
        related=rendered.related,
    )
