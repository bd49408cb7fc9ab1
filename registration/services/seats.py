"""The seat lock, the ledger under it, and the state transitions every service shares.

Seat-consuming helpers take the ``_Locked`` token that only ``_lock_kind`` makes, so a new
code path cannot consume a seat without holding the kind's row lock, and they read the
seats from ``selectors.seat_summary`` (the one ledger) inside the same transaction.

Lock discipline (PostgreSQL): the kind's row first, then the rows the change touches, and
every ``SELECT ... FOR UPDATE`` locks only the rows of its own table (``of=("self",)``),
never a joined one. Joins used to lock the edition's row (``select_related("conference")``)
and, when confirming in person ends a virtual place, the virtual kind's row: two paths then
took the same rows in opposite orders and deadlocked. Ending a virtual place locks that
registration only; it frees a seat of the virtual kind and consumes none, so it needs no
lock on that kind to keep it from overselling.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from plumbers.audit import audit_record
from registration import selectors
from registration.models import ACTIVE_STATUSES, AttendanceKind, Registration
from registration.services.errors import AlreadyRegistered
from registration.services.mail import _mail

S = Registration.Status


@dataclass(frozen=True)
class _Locked:
    """Proof that the kind row is locked in the current transaction."""

    kind: AttendanceKind
    now: dt.datetime


def _lock_kind(kind_id: int) -> _Locked:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Seat changes must run inside transaction.atomic.")
    kind = (
        AttendanceKind.objects.select_for_update(of=("self",))
        .select_related("conference")
        .get(pk=kind_id)
    )
    return _Locked(kind=kind, now=timezone.now())


def _lock_registration(registration_id: int) -> tuple[_Locked, Registration]:
    kind_id = Registration.objects.values_list("kind_id", flat=True).get(pk=registration_id)
    locked = _lock_kind(kind_id)
    reg = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("user")
        .get(pk=registration_id)
    )
    reg.kind = locked.kind
    return locked, reg


def _seats(locked: _Locked) -> selectors.KindSummary:
    """The kind's seat ledger, recounted under the lock."""
    return selectors.seat_summary(kind=locked.kind, now=locked.now)


def _free_seats(locked: _Locked) -> int | None:
    """Free seats, recounted under the lock; None when the kind has no limit."""
    return _seats(locked).seats_left


def _save_new(registration: Registration) -> None:
    """Insert a new registration. No savepoint around it (two round trips): a duplicate
    refused by the constraint ends the whole service's transaction, which rolls back."""
    try:
        registration.save(force_insert=True)
    except IntegrityError as exc:  # the database's one-active-registration constraint
        raise AlreadyRegistered(
            f"You already have a {registration.kind.name.lower()} registration."
        ) from exc


def _transition(
    registration: Registration, *, to: str, actor, reason: str = "", data=None, **fields
) -> None:
    """Move a registration (a new one too) to ``to`` and audit it, from what to what."""
    before = registration.status
    registration.status = to
    for name, value in fields.items():
        setattr(registration, name, value)
    if registration._state.adding:
        _save_new(registration)
    else:
        registration.save()
    audit_record(
        obj=registration,
        action=f"registration_{to}",
        actor=actor,
        from_state=before,
        to_state=to,
        reason=reason,
        data=data or {},
    )


def _end_virtual_after_in_person(
    locked: _Locked, registration: Registration, actor, *, may_hold_virtual: bool = True
) -> bool:
    """Confirming in person ends the person's virtual registration of the same edition.
    ``may_hold_virtual`` False: the caller read, under the lock, that there is none."""
    if not locked.kind.is_in_person or not may_hold_virtual:
        return False
    ended = False
    virtual = Registration.objects.select_for_update(of=("self",)).filter(
        user_id=registration.user_id,
        kind__conference_id=locked.kind.conference_id,
        kind__kind=AttendanceKind.Kind.VIRTUAL,
        status__in=ACTIVE_STATUSES,
    )
    for other in virtual:
        _transition(
            other,
            to=S.CANCELLED,
            actor=actor,
            reason="Confirmed in person; the virtual place is no longer needed.",
            ended_at=locked.now,
        )
        ended = True
    return ended


def _confirm(
    locked: _Locked,
    registration: Registration,
    *,
    actor,
    reason: str,
    via_pass: bool = False,
    may_hold_virtual: bool = True,
) -> None:
    """Give a registration (new, waitlisted or offered) its seat: the one way any service
    confirms, so the audit row, the end of a virtual place and the mail always go together.
    The caller has made sure, under ``locked``, that the seat is there."""
    _transition(registration, to=S.CONFIRMED, actor=actor, reason=reason, confirmed_at=locked.now)
    virtual_ended = _end_virtual_after_in_person(
        locked, registration, actor, may_hold_virtual=may_hold_virtual
    )
    _mail("confirmed", registration, virtual_ended=virtual_ended, via_pass=via_pass)
