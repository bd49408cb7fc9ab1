"""The cached sponsor wall (footer) and home section, one entry per edition.

Keys carry the conference id, so switching the current edition never shows the previous
edition's wall. Any tier or sponsor change clears every edition's entries (writes are rare
and editions few); the timeout is only a safety net for a read that raced a write.
"""

from django.core.cache import cache
from django.db import transaction

WALL_TIMEOUT = 15 * 60
FRAGMENTS = ("wall", "home")


def fragment_key(fragment: str, conference_id: int) -> str:
    return f"sponsors:{fragment}:{conference_id}"


def invalidate_all() -> None:
    from plumbers.models import Conference

    ids = list(Conference.objects.values_list("id", flat=True))
    cache.delete_many([fragment_key(f, cid) for f in FRAGMENTS for cid in ids])


def invalidate_on_commit() -> None:
    """Clear now (this process's readers) and again after commit (everyone else's reads
    made while the transaction was open)."""
    invalidate_all()
    transaction.on_commit(invalidate_all)
