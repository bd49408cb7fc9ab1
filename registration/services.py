"""State changes of registration: register, the waitlist, offers, capacity, passes.

No oversell, ever: every change that consumes or frees a seat first locks the attendance
kind row (``SELECT ... FOR UPDATE`` on PostgreSQL; on SQLite the IMMEDIATE transaction already
holds the database's write lock) and recounts the seats inside the same transaction. The lock
lives in the database, so it holds across any number of server processes and machines; there
is no in-process lock or cache in this path. Seat-consuming helpers take the ``_Locked`` token
that only ``_lock_kind`` makes, so a new code path cannot consume a seat without the lock.

Offers that lapsed are expired by ``offer_expire_lapsed`` (run by ``manage.py expire_offers``)
and also by any locked service of the same kind before it counts, so the freed seat goes to
the next person in line rather than to whoever happens to click first.
"""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.sites.models import Site
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from plumbers.audit import audit_record
from plumbers.mail import deliver_mail, mail_on_commit, render_mail
from registration import selectors
from registration.models import AttendanceKind, ComplimentaryPass, Registration

S = Registration.Status
P = ComplimentaryPass.Status
ACTIVE = (S.CONFIRMED, S.WAITLISTED, S.OFFERED)
PASS_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read out
PASS_LENGTH = 16  # 16 symbols of 32 = 80 random bits


class RegistrationError(Exception):
    """A registration change that cannot be made, with a reason a person can read."""


# --- locking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Locked:
    """Proof that the kind row is locked in the current transaction."""

    kind: AttendanceKind
    now: dt.datetime


def _lock_kind(kind_id: int) -> _Locked:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Seat changes must run inside transaction.atomic.")
    kind = AttendanceKind.objects.select_for_update().select_related("conference").get(pk=kind_id)
    return _Locked(kind=kind, now=timezone.now())


def _free_seats(locked: _Locked) -> int | None:
    """Free seats, recounted under the lock; None when the kind has no limit."""
    if locked.kind.capacity is None:
        return None
    return max(locked.kind.capacity - selectors.seats_in_use(kind=locked.kind, now=locked.now), 0)


# --- mail ----------------------------------------------------------------------------------


def register_url() -> str:
    protocol = getattr(settings, "ACCOUNT_DEFAULT_HTTP_PROTOCOL", "https")
    return f"{protocol}://{Site.objects.get_current().domain}{reverse('registration:register')}"


def _mail_context(registration: Registration, **extra) -> dict:
    return {
        "registration": registration,
        "user": registration.user,
        "kind": registration.kind,
        "conference": registration.kind.conference,
        "register_url": register_url(),
        **extra,
    }


def _mail(template: str, registration: Registration, **extra) -> None:
    mail_on_commit(
        template=f"registration/{template}",
        to=[registration.user.email],
        context=_mail_context(registration, **extra),
    )


@task()
def send_waitlisted_mail(*, registration_id: int) -> None:
    """The "you are on the waitlist, #N of M" mail. Its position is computed by the task
    worker when the mail goes out (a ranking is not free: in a registration rush it must not
    cost the request, nor be computed while anyone waits on the kind lock)."""
    reg = (
        Registration.objects.select_related("user", "kind__conference")
        .filter(pk=registration_id, status=S.WAITLISTED)
        .first()
    )
    if reg is None:  # offered, cancelled... before the mail went out: that mail says so
        return
    subject, body = render_mail(
        "registration/waitlisted",
        _mail_context(reg, position=selectors.waitlist_position(registration=reg)),
    )
    deliver_mail.call(subject=subject, body=body, to=[reg.user.email])


def _mail_waitlisted_after_commit(registration_id: int) -> None:
    transaction.on_commit(lambda: send_waitlisted_mail.enqueue(registration_id=registration_id))


# --- transitions ---------------------------------------------------------------------------


def _transition(
    registration: Registration, *, to: str, actor, reason: str = "", data=None, **fields
) -> None:
    before = registration.status
    registration.status = to
    for name, value in fields.items():
        setattr(registration, name, value)
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


def _end_virtual_after_in_person(locked: _Locked, registration: Registration, actor) -> bool:
    """Confirming in person ends the person's virtual registration of the same edition."""
    if not locked.kind.is_in_person:
        return False
    ended = False
    virtual = Registration.objects.select_for_update().filter(
        user_id=registration.user_id,
        kind__conference_id=locked.kind.conference_id,
        kind__kind=AttendanceKind.Kind.VIRTUAL,
        status__in=ACTIVE,
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


def _confirm(locked: _Locked, registration: Registration, *, actor, reason: str, data=None):
    _transition(
        registration,
        to=S.CONFIRMED,
        actor=actor,
        reason=reason,
        data=data,
        confirmed_at=locked.now,
    )
    virtual_ended = _end_virtual_after_in_person(locked, registration, actor)
    _mail("confirmed", registration, virtual_ended=virtual_ended)


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
        for reg in Registration.objects.select_for_update()
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
        Registration.objects.select_for_update()
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
    if not locked.kind.auto_offer:
        return []
    waiting = Registration.objects.filter(kind=locked.kind, status=S.WAITLISTED).count()
    if not waiting:
        return []
    return _offer_next(locked, count=waiting, actor=actor, reason=reason)


def _lock_registration(registration_id: int) -> tuple[_Locked, Registration]:
    kind_id = Registration.objects.values_list("kind_id", flat=True).get(pk=registration_id)
    locked = _lock_kind(kind_id)
    reg = Registration.objects.select_for_update().select_related("user").get(pk=registration_id)
    reg.kind = locked.kind
    return locked, reg


# --- public services -----------------------------------------------------------------------


class SoldOut(RegistrationError):  # noqa: N818 - reads as what it is: "sold out"
    """No seat for a newcomer: the answer is the waitlist, which needs the person's reasons."""


SOLD_OUT = "{kind} is sold out. To join the waitlist, tell us why you want to attend."


@transaction.atomic
def registration_create(*, user, kind: AttendanceKind, reason: str = "") -> Registration:
    """Register ``user`` for ``kind``: confirmed when a seat is free and nobody is waiting
    for one, otherwise on the waitlist (which needs the person's reasons)."""
    reason = (reason or "").strip()
    now = timezone.now()
    if (
        kind.capacity is not None
        and kind.is_open(now)
        and Registration.objects.filter(kind_id=kind.pk, status=S.WAITLISTED).exists()
    ):
        # People are waiting, so a newcomer can only join the waitlist: a freed seat goes to
        # them, never to a newcomer. Neither refusing nor joining the waitlist takes a seat,
        # so neither needs the kind's lock; in a rush that is most posts, and they no longer
        # queue behind the ones that do take a seat. (Duplicates are still refused by the
        # database's one-active-registration constraint.)
        if not reason:
            raise SoldOut(SOLD_OUT.format(kind=kind.name))
        has_active = Registration.objects.filter(
            user=user, kind_id=kind.pk, status__in=ACTIVE
        ).exists()
        if kind.is_in_person and not has_active:
            return _join_waitlist(user=user, kind=kind, reason=reason, at=now)
    locked = _lock_kind(kind.pk)
    kind = locked.kind
    if not kind.is_open(locked.now):
        if locked.now < kind.opens_at:
            raise RegistrationError(f"{kind.name} registration has not opened yet.")
        raise RegistrationError(f"{kind.name} registration is closed.")
    existing = (
        Registration.objects.filter(user=user, kind=kind, status__in=ACTIVE)
        .only("status", "offer_expires_at")
        .first()
    )
    if existing is not None and not existing.offer_lapsed(locked.now):
        raise RegistrationError(
            f"You already have a {kind.name.lower()} registration "
            f"({existing.get_status_display().lower()})."
        )
    if not kind.is_in_person:
        in_person_confirmed = Registration.objects.filter(
            user=user,
            kind__conference_id=kind.conference_id,
            kind__kind=AttendanceKind.Kind.IN_PERSON,
            status=S.CONFIRMED,
        ).exists()
        if in_person_confirmed:
            raise RegistrationError(
                "You already have an in-person place, which includes everything virtual."
            )
    _expire_lapsed(locked)
    free = _free_seats(locked)
    waiting = (
        kind.capacity is not None
        and Registration.objects.filter(kind=kind, status=S.WAITLISTED).exists()
    )
    registration = Registration(user=user, kind=kind, reason=reason)
    if free is None or (free > 0 and not waiting):
        registration.status = S.CONFIRMED
        registration.confirmed_at = locked.now
        _save_new(registration)
        audit_record(
            obj=registration,
            action="registration_confirmed",
            actor=user,
            to_state=S.CONFIRMED,
            reason="Registered with a free seat.",
        )
        virtual_ended = _end_virtual_after_in_person(locked, registration, user)
        _mail("confirmed", registration, virtual_ended=virtual_ended)
        return registration
    if not reason:
        raise SoldOut(SOLD_OUT.format(kind=kind.name))
    return _join_waitlist(user=user, kind=kind, reason=reason, at=locked.now)


def _join_waitlist(*, user, kind: AttendanceKind, reason: str, at) -> Registration:
    registration = Registration(
        user=user, kind=kind, reason=reason, status=S.WAITLISTED, joined_at=at
    )
    _save_new(registration)
    audit_record(
        obj=registration,
        action="registration_waitlisted",
        actor=user,
        to_state=S.WAITLISTED,
        reason=reason,
    )
    _mail_waitlisted_after_commit(registration.pk)
    return registration


def _save_new(registration: Registration) -> None:
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError as exc:  # the database's one-active-registration constraint
        raise RegistrationError(
            f"You already have a {registration.kind.name.lower()} registration."
        ) from exc


@transaction.atomic
def registration_cancel(*, registration: Registration, actor, reason: str = "") -> Registration:
    """Cancel an active registration (the person or an organizer). A freed seat is offered
    on when the kind's auto-offer is on."""
    locked, reg = _lock_registration(registration.pk)
    if reg.status not in ACTIVE:
        raise RegistrationError("This registration is not active any more.")
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


@transaction.atomic
def waitlist_offer_next(*, kind: AttendanceKind, count: int, actor) -> list[Registration]:
    """Offer the next ``count`` places in priority order (the organizers' "first group from
    the waitlist"), as many as there are free seats."""
    if count < 1:
        raise RegistrationError("Offer at least one place.")
    locked = _lock_kind(kind.pk)
    _expire_lapsed(locked, actor=actor)
    if not Registration.objects.filter(kind=locked.kind, status=S.WAITLISTED).exists():
        raise RegistrationError(f"Nobody is waiting for {locked.kind.name}.")
    free = _free_seats(locked)
    if free == 0:
        raise RegistrationError(
            f"{locked.kind.name} has no free seat to offer: raise the capacity first, or wait "
            "for cancellations."
        )
    return _offer_next(locked, count=count, actor=actor, reason="Offered by the organizers.")


@transaction.atomic
def offer_accept(*, registration: Registration, user) -> Registration:
    """The person takes the seat held for them (refused once the offer has expired)."""
    locked, reg = _lock_registration(registration.pk)
    if reg.user_id != user.pk:
        raise RegistrationError("This offer is not yours.")
    if reg.status != S.OFFERED:
        raise RegistrationError("There is no open offer to accept.")
    if reg.offer_lapsed(locked.now):
        raise RegistrationError("This offer has expired; the seat went to the next person.")
    _confirm(locked, reg, actor=user, reason="Accepted the offer.")
    return reg


@transaction.atomic
def offer_decline(*, registration: Registration, user) -> Registration:
    """The person declines; the seat goes to the next person in line."""
    locked, reg = _lock_registration(registration.pk)
    if reg.user_id != user.pk:
        raise RegistrationError("This offer is not yours.")
    if reg.status != S.OFFERED or reg.offer_lapsed(locked.now):
        raise RegistrationError("There is no open offer to decline.")
    _transition(reg, to=S.DECLINED, actor=user, reason="Declined the offer.", ended_at=locked.now)
    _mail("declined", reg)
    _offer_next(locked, count=1, actor=user, reason="Seat freed by a declined offer.")
    return reg


@transaction.atomic
def offer_expire_lapsed(*, kind: AttendanceKind, actor=None) -> int:
    """Expire the kind's lapsed offers and offer the seats on. Returns how many expired."""
    return _expire_lapsed(_lock_kind(kind.pk), actor=actor)


@transaction.atomic
def attendance_kind_set_capacity(
    *, kind: AttendanceKind, capacity: int | None, actor, reason: str = ""
) -> AttendanceKind:
    """Change the capacity (None: no limit). Refuses to go below the seats in use; a raise
    is offered to the waitlist when auto-offer is on."""
    if capacity is not None and capacity < 0:
        raise RegistrationError("Capacity cannot be negative.")
    locked = _lock_kind(kind.pk)
    kind = locked.kind
    before = kind.capacity
    in_use = selectors.seats_in_use(kind=kind, now=locked.now)
    if capacity is not None and capacity < in_use:
        raise RegistrationError(
            f"{in_use} seats of {kind.name} are in use (confirmed, offered or held by passes); "
            f"the capacity cannot go below that."
        )
    kind.capacity = capacity
    kind.save(update_fields=["capacity"])
    audit_record(
        obj=kind,
        action="capacity_set",
        actor=actor,
        from_state="unlimited" if before is None else str(before),
        to_state="unlimited" if capacity is None else str(capacity),
        reason=reason,
    )
    _auto_offer(locked, actor=actor, reason="Seat freed by a capacity raise.")
    return kind


@transaction.atomic
def registration_set_bonus(*, registration: Registration, bonus: int, actor) -> Registration:
    """An organizer's manual priority bonus for one waitlist entry (audited)."""
    reg = Registration.objects.select_for_update().get(pk=registration.pk)
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


# --- complimentary passes ------------------------------------------------------------------


def normalize_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _new_code() -> str:
    return "".join(secrets.choice(PASS_ALPHABET) for _ in range(PASS_LENGTH))


@transaction.atomic
def pass_issue(
    *, kind: AttendanceKind, sponsor=None, microconference=None, count: int, actor
) -> list[ComplimentaryPass]:
    """Issue ``count`` single-use codes for a sponsor or a microconference, within its
    allowance (tier.complimentary_passes per sponsor; the MC's complimentary_passes),
    counting its passes that are not revoked. Each code holds a seat until redeemed or
    revoked, so a code is only issued when a seat is free."""
    if (sponsor is None) == (microconference is None):
        raise RegistrationError("A pass is issued by exactly one sponsor or microconference.")
    if count < 1:
        raise RegistrationError("Issue at least one pass.")
    locked = _lock_kind(kind.pk)
    kind = locked.kind
    if sponsor is not None:
        issuer, allowance = sponsor, sponsor.tier.complimentary_passes
        issuer_conference_id = sponsor.tier.conference_id
        taken = ComplimentaryPass.objects.filter(sponsor=sponsor)
    else:
        issuer, allowance = microconference, microconference.complimentary_passes
        issuer_conference_id = microconference.conference_id
        taken = ComplimentaryPass.objects.filter(microconference=microconference)
    if issuer_conference_id != kind.conference_id:
        raise RegistrationError(f"{issuer} belongs to another edition than {kind}.")
    if not kind.is_in_person:
        raise RegistrationError("Complimentary passes are for in-person places.")
    used = taken.exclude(status=P.REVOKED).count()
    if used + count > allowance:
        raise RegistrationError(
            f"{issuer} may give out {allowance} passes and already has {used}; "
            f"{count} more would exceed that."
        )
    _expire_lapsed(locked, actor=actor)
    free = _free_seats(locked)
    if free is not None and free < count:
        raise RegistrationError(
            f"Only {free} seats of {kind.name} are free; a pass holds a seat, so raise the "
            "capacity first."
        )
    passes = []
    for _ in range(count):
        while True:
            code = _new_code()
            if not ComplimentaryPass.objects.filter(code=code).exists():
                break
        item = ComplimentaryPass.objects.create(
            code=code,
            kind=kind,
            sponsor=sponsor,
            microconference=microconference,
            issued_by=actor if getattr(actor, "is_authenticated", False) else None,
            issued_at=locked.now,
        )
        audit_record(
            obj=item,
            action="pass_issued",
            actor=actor,
            to_state=P.ISSUED,
            data={"issuer": str(issuer)},
        )
        passes.append(item)
    return passes


def _lock_pass(pass_id: int) -> tuple[_Locked, ComplimentaryPass]:
    kind_id = ComplimentaryPass.objects.values_list("kind_id", flat=True).get(pk=pass_id)
    locked = _lock_kind(kind_id)
    item = ComplimentaryPass.objects.select_for_update().get(pk=pass_id)
    item.kind = locked.kind
    return locked, item


@transaction.atomic
def pass_revoke(*, pass_: ComplimentaryPass, actor, reason: str) -> ComplimentaryPass:
    """Revoke an unredeemed code; its seat is freed (and offered on with auto-offer)."""
    locked, item = _lock_pass(pass_.pk)
    if item.status == P.REDEEMED:
        raise RegistrationError(
            f"Pass {item.display_code} was already redeemed; cancel the registration instead."
        )
    if item.status == P.REVOKED:
        raise RegistrationError(f"Pass {item.display_code} is already revoked.")
    item.status = P.REVOKED
    item.revoked_at = locked.now
    item.revoke_reason = reason
    item.save(update_fields=["status", "revoked_at", "revoke_reason"])
    audit_record(
        obj=item,
        action="pass_revoked",
        actor=actor,
        from_state=P.ISSUED,
        to_state=P.REVOKED,
        reason=reason,
    )
    _auto_offer(locked, actor=actor, reason="Seat freed by a revoked pass.")
    return item


@transaction.atomic
def pass_redeem(*, code: str, user) -> Registration:
    """Confirm an in-person place with a complimentary pass, without the waitlist. A person
    already waitlisted or offered for that kind is confirmed on that registration."""
    normalized = normalize_code(code)
    pass_id = (
        ComplimentaryPass.objects.filter(code=normalized).values_list("id", flat=True).first()
        if normalized
        else None
    )
    if pass_id is None:
        raise RegistrationError(
            "This pass code is not known. Check it for typos (it looks like ABCD-EFGH-JKLM-NPQR)."
        )
    locked, item = _lock_pass(pass_id)
    if item.status == P.REDEEMED:
        raise RegistrationError("This pass code has already been used.")
    if item.status == P.REVOKED:
        raise RegistrationError("This pass code was revoked by the organizers.")
    kind = locked.kind
    if locked.kind.closes_at is not None and locked.now >= locked.kind.closes_at:
        raise RegistrationError(f"{kind.name} registration is closed.")
    reg = (
        Registration.objects.select_for_update()
        .select_related("user")
        .filter(user=user, kind=kind, status__in=ACTIVE)
        .first()
    )
    if reg is not None and reg.status == S.CONFIRMED:
        raise RegistrationError(
            f"You already have a confirmed {kind.name.lower()} place; pass the code on to "
            "someone who needs it."
        )
    freed_offer = False
    if reg is None:
        reg = Registration(
            user=user,
            kind=kind,
            status=S.CONFIRMED,
            confirmed_at=locked.now,
            reason="Complimentary pass.",
        )
        _save_new(reg)
        audit_record(
            obj=reg,
            action="registration_confirmed",
            actor=user,
            to_state=S.CONFIRMED,
            reason=f"Redeemed complimentary pass {item.display_code}.",
        )
        virtual_ended = _end_virtual_after_in_person(locked, reg, user)
        _mail("confirmed", reg, virtual_ended=virtual_ended, via_pass=True)
    else:
        reg.kind = kind
        freed_offer = reg.status == S.OFFERED and not reg.offer_lapsed(locked.now)
        _confirm(
            locked,
            reg,
            actor=user,
            reason=f"Redeemed complimentary pass {item.display_code}.",
        )
    item.status = P.REDEEMED
    item.redeemed_registration = reg
    item.redeemed_at = locked.now
    item.save(update_fields=["status", "redeemed_registration", "redeemed_at"])
    audit_record(
        obj=item,
        action="pass_redeemed",
        actor=user,
        from_state=P.ISSUED,
        to_state=P.REDEEMED,
        data={"registration": reg.pk},
    )
    if freed_offer:  # the offer's seat and the pass's seat became one confirmed seat
        _auto_offer(locked, actor=user, reason="Seat freed: an offered person used a pass.")
    return reg
