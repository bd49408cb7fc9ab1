"""Public pages show the latest release (the program, the microconference pages' block times):
a new release bumps the shared page cache's content version once it is committed, so every
server shows it on the next request. Draft edits change nothing public and bump nothing."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from plumbers.pagecache import bump_content_version
from schedule.models import Release


def _release_changed(sender, **kwargs):
    transaction.on_commit(bump_content_version)


def connect() -> None:
    post_save.connect(_release_changed, sender=Release, dispatch_uid="schedule-release-saved")
    post_delete.connect(_release_changed, sender=Release, dispatch_uid="schedule-release-deleted")
