"""Attendance kinds as organizers set them up: capacity, registration window, offer duration
and auto-offer. Each of these decides who gets a seat, so each change is audited (who, from
what, to what) and made under the kind's lock, so no seat decision in flight sees half of it.
"""

from dataclasses import dataclass

from django.db import transaction

from plumbers.audit import audit_changes, audit_delete, audit_record
from registration.models import AttendanceKind, Registration
from registration.services.errors import CapacityTooLow, RegistrationError
from registration.services.seats import _lock_kind, _seats
from registration.services.waitlist import _auto_offer, _offer_next

# The settings an organizer edits in the kind's form; the capacity is not among them (it
# changes only through attendance_kind_set_capacity, which checks the seats in use).
SETTINGS = [
    "conference_id",
    "name",
    "kind",
    "opens_at",
    "closes_at",
    "offer_duration",
    "auto_offer",
    "order",
]


def _capacity_text(capacity: int | None) -> str:
    return "unlimited" if capacity is None else str(capacity)


@transaction.atomic
def attendance_kind_create(*, kind: AttendanceKind, actor) -> AttendanceKind:
    """Add a kind to an edition, audited with its initial settings and capacity."""
    if not kind._state.adding:
        raise RegistrationError(f"{kind} already exists.")
    kind.save()
    audit_changes(
        obj=kind,
        before=None,
        fields=["capacity", *SETTINGS],
        action="attendance_kind_create",
        actor=actor,
    )
    return kind


@transaction.atomic
def attendance_kind_update(*, kind: AttendanceKind, actor, reason: str = "") -> AttendanceKind:
    """Save an organizer's edit of ``kind`` (an instance with the new settings) and audit
    what changed, from what to what. A new capacity is refused here: it must not go below
    the seats in use, which only ``attendance_kind_set_capacity`` checks."""
    locked = _lock_kind(kind.pk)
    before = locked.kind
    if kind.capacity != before.capacity:
        raise RegistrationError("Change the capacity with the “Set capacity” action.")
    changed = [name for name in SETTINGS if getattr(before, name) != getattr(kind, name)]
    if not changed:
        return kind
    kind.save(update_fields=[name.removesuffix("_id") for name in changed])
    audit_changes(
        obj=kind,
        before=before,
        fields=changed,
        action="attendance_kind_update",
        actor=actor,
        reason=reason,
    )
    return kind


@transaction.atomic
def attendance_kind_delete(*, kind: AttendanceKind, actor) -> None:
    """Remove a kind set up by mistake. The database refuses while registrations or passes
    point at it."""
    audit_delete(
        obj=kind,
        action="attendance_kind_delete",
        actor=actor,
        from_state=f"{kind.name}, capacity {_capacity_text(kind.capacity)}",
    )


def _apply_capacity(locked, *, capacity: int | None, actor, reason: str) -> int | None:
    """Set the locked kind's capacity (refused below the seats in use), audited. Returns
    the capacity it had."""
    if capacity is not None and capacity < 0:
        raise RegistrationError("Capacity cannot be negative.")
    kind = locked.kind
    before = kind.capacity
    in_use = _seats(locked).in_use
    if capacity is not None and capacity < in_use:
        raise CapacityTooLow(
            f"{in_use} seats of {kind.name} are in use (confirmed, offered or held by passes); "
            f"the capacity cannot go below that."
        )
    kind.capacity = capacity
    kind.save(update_fields=["capacity"])
    audit_record(
        obj=kind,
        action="capacity_set",
        actor=actor,
        from_state=_capacity_text(before),
        to_state=_capacity_text(capacity),
        reason=reason,
    )
    return before


@transaction.atomic
def attendance_kind_set_capacity(
    *, kind: AttendanceKind, capacity: int | None, actor, reason: str = ""
) -> AttendanceKind:
    """Change the capacity (None: no limit). Refuses to go below the seats in use; a raise
    is offered to the waitlist when auto-offer is on."""
    if capacity is not None and capacity < 0:
        raise RegistrationError("Capacity cannot be negative.")
    locked = _lock_kind(kind.pk)
    _apply_capacity(locked, capacity=capacity, actor=actor, reason=reason)
    _auto_offer(locked, actor=actor, reason="Seat freed by a capacity raise.")
    return locked.kind


@dataclass(frozen=True)
class CapacityChange:
    """What a capacity change did: the capacity before and after, who got an offer, and
    the seats and waitlist left; ``no_offer_reason`` says why nobody got one."""

    kind: AttendanceKind
    before: int | None
    after: int | None
    offered: list[Registration]
    free: int | None
    waiting: int
    no_offer_reason: str = ""


@transaction.atomic
def attendance_kind_change_capacity(
    *, kind: AttendanceKind, capacity: int | None, actor, offer_now: bool, reason: str = ""
) -> CapacityChange:
    """The organizers' "Set capacity" page: change the capacity and, when ``offer_now``
    (the page's default), offer every free seat to the next people on the waitlist at
    once, whatever the kind's auto-offer setting. Unticked, no offer is made even with
    auto-offer on: the organizer said not now. All under the kind's lock, audited."""
    locked = _lock_kind(kind.pk)
    before = _apply_capacity(locked, capacity=capacity, actor=actor, reason=reason)
    offered: list[Registration] = []
    seats = _seats(locked)
    why = ""
    if not offer_now:
        why = "you chose not to offer the free seats now"
    elif not seats.waitlisted:
        why = "nobody is waiting"
    elif seats.seats_left == 0:
        why = f"no seat is free ({seats.in_use} in use of {capacity})"
    else:
        offered = _offer_next(
            locked, count=seats.waitlisted, actor=actor, reason="Seat freed by a capacity raise."
        )
        if offered:
            seats = _seats(locked)
        else:
            why = "nobody is waiting"
    return CapacityChange(
        kind=locked.kind,
        before=before,
        after=capacity,
        offered=offered,
        free=seats.seats_left,
        waiting=seats.waitlisted,
        no_offer_reason=why,
    )
