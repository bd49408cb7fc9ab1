"""No queued mail is lost and none is sent twice when the mail worker dies halfway.

The tasks go through django-tasks' database backend, as in production; a killed worker is
reproduced by what it leaves behind (its task claimed and RUNNING, with or without the mail
already handed to the server), and ``mail_worker`` is then started as after a restart.
"""

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from plumbers.mail import deliver_mail, mail_on_commit
from plumbers.models import AuditLog, SentMail

# The worker closes its database connection between tasks as a real one does: committed
# transactions, not the rolled-back test transaction.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _queue_one(django_capture_on_commit_callbacks, to="ada@example.org") -> DBTaskResult:
    with django_capture_on_commit_callbacks(execute=True):
        mail_on_commit(template="registration/cancelled", to=to, context={"user": "Ada"})
    return DBTaskResult.objects.get()


def _killed_while_running(result: DBTaskResult) -> None:
    """What a worker killed after claiming the task leaves behind."""
    result.claim("worker-that-died")
    DBTaskResult.objects.filter(pk=result.pk).update(
        started_at=timezone.now() - dt.timedelta(minutes=10)
    )


def test_mail_worker_same_identity_is_sent_once(db):
    deliver_mail.call(subject="Hi", body="Body", to=["a@example.org"], mail_id="m-1")
    again = deliver_mail.call(subject="Hi", body="Body", to=["a@example.org"], mail_id="m-1")

    assert again == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"].startswith("<m-1@")
    assert SentMail.objects.filter(mail_id="m-1").count() == 1


def test_mail_worker_resumes_a_task_killed_before_sending(
    database_tasks, django_capture_on_commit_callbacks
):
    result = _queue_one(django_capture_on_commit_callbacks)
    _killed_while_running(result)

    call_command("mail_worker", batch=True, stale_after=60, verbosity=0)

    result.refresh_from_db()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert [m.to for m in mail.outbox] == [["ada@example.org"]]
    assert AuditLog.objects.filter(action="task_requeued", object_id=str(result.pk)).exists()


def test_mail_worker_does_not_resend_a_mail_sent_before_the_kill(
    database_tasks, django_capture_on_commit_callbacks
):
    result = _queue_one(django_capture_on_commit_callbacks)
    mail_id = result.args_kwargs["kwargs"]["mail_id"]
    deliver_mail.call(**result.args_kwargs["kwargs"])  # sent, then killed before the ack
    _killed_while_running(result)

    call_command("mail_worker", batch=True, stale_after=60, verbosity=0)

    result.refresh_from_db()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert len(mail.outbox) == 1
    assert SentMail.objects.filter(mail_id=mail_id).count() == 1


def test_mail_worker_leaves_a_task_still_running_elsewhere(
    database_tasks, django_capture_on_commit_callbacks
):
    result = _queue_one(django_capture_on_commit_callbacks)
    result.claim("worker-busy-right-now")

    call_command("mail_worker", batch=True, stale_after=60, verbosity=0)

    result.refresh_from_db()
    assert result.status == TaskResultStatus.RUNNING
    assert mail.outbox == []
