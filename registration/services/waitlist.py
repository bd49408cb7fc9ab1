"""The waitlist and its offers: joining, offering the next places in rank order, accepting,
declining, expiring, and the organizers' manual bonus.

An offer holds a seat until it expires. Offers that lapsed are expired by
``offer_expire_lapsed`` (run by ``manage.py expire_offers``) and also by any locked service of
the same kind before it counts, so the freed seat goes to the next person in line rather than
to whoever happens to click first.
"""

import datetime as dt

from django.db import transaction

from plumbers.audit import audit_record
from registration import selectors
from registration.models import AttendanceKind, Registration
from registration.services.errors import (
    NobodyWaiting,
    NoFreeSeat,
    NoOpenOffer,
    NotYours,
    OfferExpired,
    RegistrationError,
)
from registration.services.mail import _mail, _mail_waitlisted_after_commit
from registration.services.seats import (
    _confirm,
    _free_seats,
    _lock_kind,
    _lock_registration,
    _Locked,
    _seats,
    _transition,
)

S = Registration.Status


def _join_waitlist(*, user, kind: AttendanceKind, reason: str, at) -> Registration:
    """Joining takes no seat, so it needs no lock (in a rush most posts end here)."""
    registration = Registration(user=user, kind=kind, reason=reason)
    _transition(registration, to=S.WAITLISTED, actor=user, reason=reason, joined_at=at)
    _mail_waitlisted_after_commit(registration.pk)
    return registration


def _offer(locked: _Locked, registration: Registration, *, actor, reason: str) -> None:
    expires = locked.now + locked.kind.offer_duration
    _transition(
        registration,
        to=S.OFFERED,
        actor=actor,
        reason=reason,
        data={"offer_expires_at": expires.isoformat()},
        offered_at=locked.now,
        offer_expires_at=expires,
    )
    _mail("offered", registration)


def _offer_next(locked: _Locked, *, count: int, actor, reason: str) -> list[Registration]:
    """Offer up to ``count`` free seats to the next people in rank order (under the lock)."""
    free = _free_seats(locked)
    n = count if free is None else min(count, free)
    if n <= 0:
        return []
    ids = selectors.waitlist_next_ids(kind=locked.kind, count=n)
    chosen = {
        reg.pk: reg
        for reg in Registration.objects.select_for_update(of=("self",))
        .select_related("user", "kind__conference")
        .filter(pk__in=ids, status=S.WAITLISTED)
    }
    offered = []
    for reg_id in ids:
        reg = chosen.get(reg_id)
        if reg is None:
            continue
        reg.kind = locked.kind
        _offer(locked, reg, actor=actor, reason=reason)
        offered.append(reg)
    return offered


def _expire_lapsed(locked: _Locked, *, actor=None) -> int:
    """Expire the kind's lapsed offers and offer their seats to the next people in line."""
    lapsed = list(
        Registration.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(kind=locked.kind, status=S.OFFERED, offer_expires_at__lte=locked.now)
    )
    for reg in lapsed:
        reg.kind = locked.kind
        _transition(
            reg,
            to=S.EXPIRED,
            actor=actor,
            reason="The offer was not answered in time.",
            ended_at=locked.now,
        )
        _mail("expired", reg)
    if lapsed:
        _offer_next(
            locked, count=len(lapsed), actor=actor, reason="Seat freed by an expired offer."
        )
    return len(lapsed)


def _auto_offer(locked: _Locked, *, actor, reason: str) -> list[Registration]:
    """Offer freed seats on, when the kind says so."""
    if not locked.kind.auto_offer:
        return []
    waiting = _seats(locked).waitlisted
    if not waiting:
        return []
    return _offer_next(locked, count=waiting, actor=actor, reason=reason)


@transaction.atomic
def waitlist_offer_next(*, kind: AttendanceKind, count: int, actor) -> list[Registration]:
    """Offer the next ``count`` places in priority order (the organizers' "first group from
    the waitlist"), as many as there are free seats."""
    if count < 1:
        raise RegistrationError("Offer at least one place.")
    locked = _lock_kind(kind.pk)
    _expire_lapsed(locked, actor=actor)
    seats = _seats(locked)
    if not seats.waitlisted:
        raise NobodyWaiting(f"Nobody is waiting for {locked.kind.name}.")
    if seats.seats_left == 0:
        raise NoFreeSeat(
            f"{locked.kind.name} has no free seat to offer: raise the capacity first, or wait "
            "for cancellations."
        )
    return _offer_next(locked, count=count, actor=actor, reason="Offered by the organizers.")


@transaction.atomic
def offer_accept(*, registration: Registration, user) -> Registration:
    """The person takes the seat held for them (refused once the offer has expired)."""
    locked, reg = _lock_registration(registration.pk)
    if reg.user_id != user.pk:
        raise NotYours("This offer is not yours.")
    if reg.status != S.OFFERED:
        raise NoOpenOffer("There is no open offer to accept.")
    if reg.offer_lapsed(locked.now):
        raise OfferExpired("This offer has expired; the seat went to the next person.")
    _confirm(locked, reg, actor=user, reason="Accepted the offer.")
    return reg


@transaction.atomic
def offer_decline(*, registration: Registration, user) -> Registration:
    """The person declines; the seat goes to the next person in line."""
    locked, reg = _lock_registration(registration.pk)
    if reg.user_id != user.pk:
        raise NotYours("This offer is not yours.")
    if reg.status != S.OFFERED or reg.offer_lapsed(locked.now):
        raise NoOpenOffer("There is no open offer to decline.")
    _transition(reg, to=S.DECLINED, actor=user, reason="Declined the offer.", ended_at=locked.now)
    _mail("declined", reg)
    _offer_next(locked, count=1, actor=user, reason="Seat freed by a declined offer.")
    return reg


@transaction.atomic
def offer_expire_lapsed(*, kind: AttendanceKind, actor=None) -> int:
    """Expire the kind's lapsed offers and offer the seats on. Returns how many expired."""
    return _expire_lapsed(_lock_kind(kind.pk), actor=actor)


@transaction.atomic
def registration_set_bonus(*, registration: Registration, bonus: int, actor) -> Registration:
    """An organizer's manual priority bonus for one waitlist entry: it reorders the
    waitlist, so who gave it and how much is audited."""
    reg = Registration.objects.select_for_update(of=("self",)).get(pk=registration.pk)
    before = reg.manual_bonus
    if before == bonus:
        return reg
    reg.manual_bonus = bonus
    reg.save(update_fields=["manual_bonus", "updated_at"])
    audit_record(
        obj=reg,
        action="registration_bonus",
        actor=actor,
        from_state=str(before),
        to_state=str(bonus),
    )
    return reg


MAX_EXTENSION_HOURS = 24 * 30


@transaction.atomic
def offer_extend(
    *, registration: Registration, hours: int, actor, reason: str = ""
) -> Registration:
    """Give an open offer more time (an organizer's decision: the person asked, the mail
    bounced...). Audited from the old expiry to the new one; the person is mailed."""
    if not 1 <= hours <= MAX_EXTENSION_HOURS:
        raise RegistrationError(f"Extend by 1 to {MAX_EXTENSION_HOURS} hours.")
    locked, reg = _lock_registration(registration.pk)
    if reg.status != S.OFFERED or reg.offer_lapsed(locked.now):
        raise NoOpenOffer(
            f"{reg.user} has no open offer to extend: it was answered, withdrawn or has expired."
        )
    before = reg.offer_expires_at
    reg.offer_expires_at = before + dt.timedelta(hours=hours)
    reg.save(update_fields=["offer_expires_at", "updated_at"])
    audit_record(
        obj=reg,
        action="offer_extended",
        actor=actor,
        from_state=before.isoformat(),
        to_state=reg.offer_expires_at.isoformat(),
        reason=reason,
        data={"hours": hours},
    )
    _mail("offer_extended", reg, previous_expiry=before)
    return reg


@transaction.atomic
def offer_withdraw(*, registration: Registration, actor, reason: str) -> Registration:
    """Take back an open offer (made by mistake, or the seat is needed elsewhere): the
    person goes back to the waitlist with the place they had (their joined-at time), the
    seat is free. It is not offered on by itself (it would go straight back to the same
    person, who still ranks first): the organizers offer it when they choose."""
    if not reason.strip():
        raise RegistrationError("Say why the offer is withdrawn: the person is told.")
    locked, reg = _lock_registration(registration.pk)
    if reg.status != S.OFFERED or reg.offer_lapsed(locked.now):
        raise NoOpenOffer(
            f"{reg.user} has no open offer to withdraw: it was answered or has expired."
        )
    expired_at = reg.offer_expires_at
    _transition(
        reg,
        to=S.WAITLISTED,
        actor=actor,
        reason=reason,
        data={"withdrawn_offer_expiring": expired_at.isoformat()},
        joined_at=reg.joined_at or locked.now,
        offered_at=None,
        offer_expires_at=None,
    )
    _mail("offer_withdrawn", reg, reason=reason)
    return reg
