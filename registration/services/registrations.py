"""Registering and cancelling."""

from django.db import transaction
from django.utils import timezone

from registration import selectors
from registration.models import ACTIVE_STATUSES, AttendanceKind, Registration
from registration.services.errors import (
    AlreadyRegistered,
    Closed,
    InPersonIncludesVirtual,
    NotActive,
    NotOpen,
    SoldOut,
)
from registration.services.mail import _mail
from registration.services.seats import (
    _confirm,
    _lock_kind,
    _lock_registration,
    _seats,
    _transition,
)
from registration.services.waitlist import _auto_offer, _expire_lapsed, _join_waitlist

S = Registration.Status

SOLD_OUT = "{kind} is sold out. To join the waitlist, tell us why you want to attend."


def _refuse_if_registered(
    active: Registration | None, *, kind: AttendanceKind, now
) -> Registration | None:
    """Refuse a person who already has an active registration of ``kind``; return their
    offer that lapsed unanswered, if any (it no longer counts, and the locked path expires
    it). Asked first, so a replayed form is answered "you already have one" whatever else
    changed meanwhile; the database's constraint still refuses a racing duplicate."""
    if active is not None and not active.offer_lapsed(now):
        raise AlreadyRegistered(
            f"You already have a {kind.name.lower()} registration "
            f"({active.get_status_display().lower()})."
        )
    return active


def registration_create(*, user, kind: AttendanceKind, reason: str = "") -> Registration:
    """Register ``user`` for ``kind``: confirmed when a seat is free and nobody is waiting
    for one, otherwise on the waitlist (which needs the person's reasons).

    Round trips, the rush's cost (pinned by tests/registration/test_statement_count.py):
    what the person already has and whether anybody waits are read once, before any
    transaction, with the kind itself when the view read it through
    ``selectors.kind_for_registration``. A post that consumes no seat (a refusal, joining a
    waitlist others are on) takes no lock: the insert, its audit row and its mail. One
    that may consume a seat locks the kind and recounts in one more statement, which also
    says whether offers lapsed and whether the person holds a place that the new one
    changes (only then are those read)."""
    reason = (reason or "").strip()
    now = timezone.now()
    seen = selectors.registrant(kind=kind, user=user)
    lapsed_offer = _refuse_if_registered(seen.active, kind=kind, now=now)
    if kind.capacity is not None and kind.is_open(now) and seen.anyone_waiting:
        # People are waiting, so a newcomer can only join the waitlist: a freed seat goes to
        # them, never to a newcomer. Neither refusing nor joining the waitlist takes a seat,
        # so neither needs the kind's lock; in a rush that is most posts, and they no longer
        # queue behind the ones that do take a seat. (Duplicates are still refused by the
        # database's one-active-registration constraint.)
        if not reason:
            raise SoldOut(SOLD_OUT.format(kind=kind.name))
        if kind.is_in_person and lapsed_offer is None:
            with transaction.atomic():
                return _join_waitlist(user=user, kind=kind, reason=reason, at=now)
    return _register_locked(user=user, kind_id=kind.pk, reason=reason)


@transaction.atomic
def _register_locked(*, user, kind_id: int, reason: str) -> Registration:
    locked = _lock_kind(kind_id)
    kind = locked.kind
    if not kind.is_open(locked.now):
        if locked.now < kind.opens_at:
            raise NotOpen(f"{kind.name} registration has not opened yet.")
        raise Closed(f"{kind.name} registration is closed.")
    seats, lapsed, other_place = selectors.locked_seat_summary(
        kind=kind, now=locked.now, user_id=user.pk
    )
    if other_place and not kind.is_in_person:
        raise InPersonIncludesVirtual(
            "You already have an in-person place, which includes everything virtual."
        )
    if lapsed:
        _expire_lapsed(locked)
        seats = _seats(locked)
    if not seats.sold_out:
        registration = Registration(user=user, kind=kind, reason=reason)
        _confirm(
            locked,
            registration,
            actor=user,
            reason="Registered with a free seat.",
            may_hold_virtual=other_place,
        )
        return registration
    if not reason:
        raise SoldOut(SOLD_OUT.format(kind=kind.name))
    return _join_waitlist(user=user, kind=kind, reason=reason, at=locked.now)


@transaction.atomic
def registration_cancel(*, registration: Registration, actor, reason: str = "") -> Registration:
    """Cancel an active registration (the person or an organizer). A freed seat is offered
    on when the kind's auto-offer is on."""
    locked, reg = _lock_registration(registration.pk)
    if reg.status not in ACTIVE_STATUSES:
        raise NotActive("This registration is not active any more.")
    held_seat = reg.status == S.CONFIRMED or (
        reg.status == S.OFFERED and not reg.offer_lapsed(locked.now)
    )
    _transition(
        reg, to=S.CANCELLED, actor=actor, reason=reason or "Cancelled.", ended_at=locked.now
    )
    _mail("cancelled", reg, reason=reason)
    if held_seat:
        _auto_offer(locked, actor=actor, reason="Seat freed by a cancellation.")
    return reg
