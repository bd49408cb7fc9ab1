"""Public pages show the latest release (the program, the microconference pages' block times):
a new release bumps the shared page cache's content version (now and once it is committed),
so every server shows it on the next request. Draft edits change nothing public and bump nothing."""

from django.db.models.signals import post_delete, post_save

from plumbers.pagecache import content_changed
from schedule.models import Release


def _release_changed(sender, **kwargs):
    content_changed()


def connect() -> None:
    post_save.connect(_release_changed, sender=Release, dispatch_uid="schedule-release-saved")
    post_delete.connect(_release_changed, sender=Release, dispatch_uid="schedule-release-deleted")
