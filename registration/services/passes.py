"""Complimentary passes: single-use codes from a sponsor or a microconference that confirm an
in-person place without the waitlist. An issued, unredeemed code holds its seat, so issuing,
revoking and redeeming all take the kind's lock like any other seat change."""

import secrets

from django.db import transaction

from plumbers.audit import audit_record
from registration import selectors
from registration.models import ACTIVE_STATUSES, AttendanceKind, ComplimentaryPass, Registration
from registration.services.errors import (
    AlreadyRegistered,
    Closed,
    NoFreeSeat,
    PassInvalid,
    PassLimitReached,
    RegistrationError,
)
from registration.services.seats import _confirm, _free_seats, _lock_kind, _Locked
from registration.services.waitlist import _auto_offer, _expire_lapsed

S = Registration.Status
P = ComplimentaryPass.Status
PASS_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read out
PASS_LENGTH = 16  # 16 symbols of 32 = 80 random bits


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
    issuer = selectors.PassIssuer(sponsor=sponsor, microconference=microconference)
    if not issuer.valid:
        raise RegistrationError("A pass is issued by exactly one sponsor or microconference.")
    if count < 1:
        raise RegistrationError("Issue at least one pass.")
    locked = _lock_kind(kind.pk)
    kind = locked.kind
    if issuer.conference_id != kind.conference_id:
        raise RegistrationError(f"{issuer} belongs to another edition than {kind}.")
    if not kind.is_in_person:
        raise RegistrationError("Complimentary passes are for in-person places.")
    allowance, used = issuer.allowance, issuer.given()
    if used + count > allowance:
        raise PassLimitReached(
            f"{issuer} may give out {allowance} passes and already has {used}; "
            f"{count} more would exceed that."
        )
    _expire_lapsed(locked, actor=actor)
    free = _free_seats(locked)
    if free is not None and free < count:
        raise NoFreeSeat(
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
    item = ComplimentaryPass.objects.select_for_update(of=("self",)).get(pk=pass_id)
    item.kind = locked.kind
    return locked, item


@transaction.atomic
def pass_revoke(*, pass_: ComplimentaryPass, actor, reason: str) -> ComplimentaryPass:
    """Revoke an unredeemed code; its seat is freed (and offered on with auto-offer)."""
    locked, item = _lock_pass(pass_.pk)
    if item.status == P.REDEEMED:
        raise PassInvalid(
            f"Pass {item.display_code} was already redeemed; cancel the registration instead."
        )
    if item.status == P.REVOKED:
        raise PassInvalid(f"Pass {item.display_code} is already revoked.")
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
    already waitlisted or offered for that kind is confirmed on that registration.

    Refusing a known code to someone who already holds a confirmed place of its kind raises
    ``AlreadyRegistered`` whatever the code's trouble (a replayed form, a stale page: their
    page shows the place, not the redeem form); anyone else is told what is wrong with it."""
    normalized = normalize_code(code)
    pass_id = (
        ComplimentaryPass.objects.filter(code=normalized).values_list("id", flat=True).first()
        if normalized
        else None
    )
    if pass_id is None:
        raise PassInvalid(
            "This pass code is not known. Check it for typos (it looks like ABCD-EFGH-JKLM-NPQR)."
        )
    locked, item = _lock_pass(pass_id)
    kind = locked.kind
    reg = (
        Registration.objects.select_for_update(of=("self",))
        .select_related("user")
        .filter(user=user, kind=kind, status__in=ACTIVE_STATUSES)
        .first()
    )
    has_place = reg is not None and reg.status == S.CONFIRMED
    refused = AlreadyRegistered if has_place else PassInvalid
    if item.status == P.REDEEMED:
        raise refused("This pass code has already been used.")
    if item.status == P.REVOKED:
        raise refused("This pass code was revoked by the organizers.")
    if kind.closes_at is not None and locked.now >= kind.closes_at:
        raise (AlreadyRegistered if has_place else Closed)(f"{kind.name} registration is closed.")
    if has_place:
        raise AlreadyRegistered(
            f"You already have a confirmed {kind.name.lower()} place; pass the code on to "
            "someone who needs it."
        )
    freed_offer = reg is not None and reg.status == S.OFFERED and not reg.offer_lapsed(locked.now)
    new = reg is None
    if new:
        reg = Registration(user=user, kind=kind, reason="Complimentary pass.")
    reg.kind = kind
    # The mail says "with a complimentary pass" for a new registration only (as it always
    # did); a waitlisted or offered person's mail just confirms.
    _confirm(
        locked,
        reg,
        actor=user,
        reason=f"Redeemed complimentary pass {item.display_code}.",
        via_pass=new,
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
