"""The mails of registration transitions, queued after commit (never sent for a change that
rolls back). Bodies are the templates under ``templates/mail/registration/``."""

from django.urls import reverse
from django_tasks import task

from plumbers.mail import (
    deliver_mail,
    enqueue_with_change,
    mail_on_commit,
    new_mail_id,
    render_kind,
    site_url,
)
from registration import selectors
from registration.models import Registration


def register_url() -> str:
    return site_url(reverse("registration:register"))


def _mail_context(registration: Registration, **extra) -> dict:
    return {
        "registration": registration,
        "user": registration.user,
        "kind": registration.kind,
        "conference": registration.kind.conference,
        "register_url": register_url(),
        **extra,
    }


def _mail(template: str, registration: Registration, **extra) -> None:
    mail_on_commit(
        template=f"registration/{template}",
        to=[registration.user.email],
        context=_mail_context(registration, **extra),
    )


@task()
def send_waitlisted_mail(*, registration_id: int, mail_id: str = "") -> None:
    """The "you are on the waitlist, #N of M" mail. Its position is computed by the task
    worker when the mail goes out (a ranking is not free: in a registration rush it must not
    cost the request, nor be computed while anyone waits on the kind lock). ``mail_id`` is
    given when queued, so a run repeated after a killed worker sends nothing twice."""
    reg = (
        Registration.objects.select_related("user", "kind__conference")
        .filter(pk=registration_id, status=Registration.Status.WAITLISTED)
        .first()
    )
    if reg is None:  # offered, cancelled... before the mail went out: that mail says so
        return
    rendered = render_kind(
        "registration/waitlisted",
        _mail_context(reg, position=selectors.waitlist_position(registration=reg)),
    )
    deliver_mail.call(
        subject=rendered.subject,
        body=rendered.body,
        to=[reg.user.email],
        mail_id=mail_id,
        template=rendered.key,
        related=rendered.related,
    )


def _mail_waitlisted_after_commit(registration_id: int) -> None:
    """Queued with the change: in its transaction with the database task backend (it
    commits or rolls back with the registration), after commit with any other."""
    enqueue_with_change(
        send_waitlisted_mail, registration_id=registration_id, mail_id=new_mail_id()
    )
