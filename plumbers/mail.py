"""Templated mail, queued only after the surrounding transaction commits (convention 8).

A mail is rendered from ``templates/mail/<name>.subject.txt`` and ``<name>.txt`` when it is
queued, so the task carries plain strings and the worker needs no database objects.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django_tasks import task


@task()
def deliver_mail(*, subject: str, body: str, to: list[str]) -> int:
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to, fail_silently=False)


def render_mail(template: str, context: dict) -> tuple[str, str]:
    subject = render_to_string(f"mail/{template}.subject.txt", context)
    subject = " ".join(subject.split())
    body = render_to_string(f"mail/{template}.txt", context)
    return subject, body


def mail_on_commit(*, template: str, to: list[str] | str, context: dict) -> None:
    """Render now (objects are fresh), enqueue after commit (nothing sent on rollback)."""
    recipients = [to] if isinstance(to, str) else list(to)
    recipients = [address for address in recipients if address]
    if not recipients:
        return
    subject, body = render_mail(template, context)
    transaction.on_commit(lambda: deliver_mail.enqueue(subject=subject, body=body, to=recipients))
