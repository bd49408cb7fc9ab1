"""Templated mail, queued only after the surrounding transaction commits (convention 8), and
sent once per identity even when the worker dies halfway.

A mail is rendered from ``templates/mail/<name>.subject.txt`` and ``<name>.txt`` when it is
queued, so the task carries plain strings and the worker needs no database objects. Each
queued mail gets an identity (``mail_id``). The worker records the identity in ``SentMail``
in the same transaction as the send: the row is inserted first (a second run of the same
mail waits on it, then finds it and stops), the mail goes to the server, and the row
commits before the task is marked done. A worker killed before the commit leaves no row,
so the mail is sent when its task runs again (``manage.py mail_worker`` requeues tasks a
dead worker left running); only a kill between the server's acceptance and the commit, a
matter of milliseconds, can repeat a mail, and the stable Message-ID lets mail servers
drop that copy.
"""

import uuid

from django.conf import settings
from django.contrib.sites.models import Site
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django_tasks import task

from plumbers.models import SentMail


def site_url(path: str) -> str:
    """An absolute link for a mail: the site's domain (the Sites framework) and protocol."""
    protocol = getattr(settings, "ACCOUNT_DEFAULT_HTTP_PROTOCOL", "https")
    return f"{protocol}://{Site.objects.get_current().domain}{path}"


def new_mail_id() -> str:
    return uuid.uuid4().hex


@task()
def deliver_mail(*, subject: str, body: str, to: list[str], mail_id: str = "") -> int:
    """Send one mail unless its identity was sent already. Returns the number sent (0/1)."""
    mail_id = mail_id or new_mail_id()
    message = EmailMessage(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        to,
        headers={"Message-ID": f"<{mail_id}@{Site.objects.get_current().domain}>"},
    )
    try:
        with transaction.atomic():
            SentMail.objects.create(
                mail_id=mail_id, recipients=", ".join(to), subject=subject[:255]
            )
            return message.send(fail_silently=False)
    except IntegrityError:
        return 0  # sent by an earlier run of this task


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
    mail_id = new_mail_id()
    transaction.on_commit(
        lambda: deliver_mail.enqueue(subject=subject, body=body, to=recipients, mail_id=mail_id)
    )
