"""The one way any app writes its audit trail (DESIGN.md convention 7)."""

from django.contrib.contenttypes.models import ContentType
from django.db import models

from plumbers.models import AuditLog


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
