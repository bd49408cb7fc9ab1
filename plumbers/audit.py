"""The one way any app writes its audit trail: who changed what, when, from which state to
which, and why (``audit_record``), or an edit as "this field, from that to this"
(``audit_changes``)."""

import datetime as dt
from collections.abc import Mapping, Sequence

from django.contrib.contenttypes.models import ContentType
from django.db import models

from plumbers.models import AuditLog, User


def audit_record(
    *,
    obj: models.Model,
    action: str,
    actor=None,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict | None = None,
) -> AuditLog:
    """Write one audit row. Call it inside the service's transaction so that the row and the
    change it describes commit or roll back together."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditLog.objects.create(
        actor=actor,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        from_state=str(from_state or "")[:200],
        to_state=str(to_state or "")[:200],
        reason=reason or "",
        data=data or {},
    )


def audit_trail(obj: models.Model):
    return AuditLog.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
    ).select_related("actor")


_SHOWN_MAX = 200


def _shown(value) -> str:
    """A field value as the audit trail shows it: short, and the same text for the same value
    (so comparing two shown values tells whether the field changed)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return ", ".join(sorted(_shown(item) for item in value))
    return str(value)[:_SHOWN_MAX]


def audit_changes(
    *,
    obj: models.Model,
    before: models.Model | None,
    fields: Sequence[str],
    action: str,
    actor: User | None,
    reason: str = "",
    also: Mapping[str, tuple[object, object]] | None = None,
    data: dict | None = None,
) -> AuditLog | None:
    """Audit a create (``before`` is None) or an edit of ``obj`` as the fields it changed.

    ``fields`` are attribute names compared between ``before`` and ``obj`` (use ``*_id`` for
    foreign keys); ``also`` adds changes the caller measured itself, e.g. a many-to-many
    set, as (before, after). An edit that changed nothing is not an event: nothing is written
    and None is returned. Call it inside the service's transaction."""
    changes: dict[str, list[str]] = {}
    for name in fields:
        old = "" if before is None else _shown(getattr(before, name))
        new = _shown(getattr(obj, name))
        if old != new:
            changes[name] = [old, new]
    for name, (old, new) in (also or {}).items():
        old, new = _shown(old), _shown(new)
        if old != new:
            changes[name] = [old, new]
    if before is not None and not changes:
        return None
    return audit_record(
        obj=obj,
        action=action,
        actor=actor,
        from_state="; ".join(f"{name}: {old}" for name, (old, _) in changes.items() if old),
        to_state="; ".join(f"{name}: {new}" for name, (_, new) in changes.items()),
        reason=reason,
        data={"changes": changes, **(data or {})},
    )


def audit_delete(
    *,
    obj: models.Model,
    action: str,
    actor=None,
    from_state: str = "",
    reason: str = "",
    data: dict | None = None,
) -> None:
    """Record a deletion, then delete: the audit row outlives the object it names."""
    audit_record(
        obj=obj,
        action=action,
        actor=actor,
        from_state=from_state,
        to_state="deleted",
        reason=reason,
        data=data,
    )
    obj.delete()
