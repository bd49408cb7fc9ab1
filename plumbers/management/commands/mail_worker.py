"""Run the mail worker: first requeue the tasks a killed worker left running, then work.

django-tasks' ``db_worker`` marks a task RUNNING when it claims it; a worker killed mid-task
leaves it RUNNING for ever, and the mail in it would never go out. Tasks running longer than
``--stale-after`` seconds (far longer than sending one mail takes) are put back in the queue;
``deliver_mail`` sends each mail identity once, so requeuing one that did go out is harmless.
"""

import datetime as dt

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from plumbers.audit import audit_record


def requeue_interrupted_tasks(*, stale_after: dt.timedelta) -> int:
    stale = DBTaskResult.objects.running().filter(started_at__lt=timezone.now() - stale_after)
    requeued = 0
    for result in stale.select_for_update(skip_locked=True, of=("self",)):
        result.status = TaskResultStatus.READY
        result.started_at = None
        result.save(update_fields=["status", "started_at"])
        audit_record(
            obj=result,
            action="task_requeued",
            actor=None,
            from_state=TaskResultStatus.RUNNING,
            to_state=TaskResultStatus.READY,
            reason="Its worker stopped before finishing it.",
            data={"task": result.task_path, "workers": result.worker_ids},
        )
        requeued += 1
    return requeued


class Command(BaseCommand):
    help = "Requeue tasks interrupted by a killed worker, then run the database task worker."

    def add_arguments(self, parser):
        parser.add_argument("--stale-after", type=float, default=120.0, help="Seconds.")
        parser.add_argument("--batch", action="store_true", help="Exit when the queue is empty.")

    def handle(self, *args, stale_after: float, batch: bool, **options):
        with transaction.atomic():
            requeued = requeue_interrupted_tasks(stale_after=dt.timedelta(seconds=stale_after))
        self.stdout.write(f"Requeued {requeued} interrupted task(s).")
        call_command("db_worker", batch=batch, verbosity=options["verbosity"])
