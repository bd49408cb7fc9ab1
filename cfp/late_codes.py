"""Late-submission codes: a chair's exception to a closed deadline for one named person.

The public deadline does not move (a hard deadline stays hard, and is shown as such): a code
admits, after the deadline, submissions by the account whose email is the code's address,
on the code's track only, up to its number of uses and until it expires. Issuing, revoking
and every use are on the audit record.

Decisions taken here:

* A code is only looked at when the track's window is closed because the deadline passed:
  inside the window a submission needs no code (and uses none); before the track opens a
  code admits nothing.
* The code row is locked (``select_for_update``) while a use is counted, in the transaction
  that creates the proposal, so two simultaneous uses of a single-use code admit one: the
  second waits, then finds it used up. A refused submission uses nothing.
* Whose code: the account's primary email (case-insensitive); the refusal says so without
  telling the code's address to somebody else.
"""

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cfp.models import LateSubmissionCode, Proposal, Track
from cfp.permissions import is_track_decider
from cfp.services import CfpError
from plumbers.audit import audit_delete, audit_record
from plumbers.mail import mail_on_commit, site_url
from plumbers.models import User

MAX_USES = 100
CODE_MAX_LENGTH = 64

UNKNOWN = "This late-submission code is not valid. Check it against the mail you received."
USED_UP = (
    "This late-submission code has been used already{uses}; ask the track's chairs for a new one."
)
EXPIRED = "This late-submission code expired on {when}; ask the track's chairs for a new one."
FOREIGN = (
    "This late-submission code was issued to another email address: log in with the account "
    "it was sent to."
)
WRONG_TRACK = "This late-submission code is for {track}, not for {here}."


def normalise(code: str) -> str:
    return "".join((code or "").split())[:CODE_MAX_LENGTH]


def new_code() -> str:
    return secrets.token_urlsafe(12)


def late_code_refusal(
    code: LateSubmissionCode | None, *, track: Track, user: User, now: dt.datetime
) -> str:
    """Why ``code`` does not admit ``user``'s late submission to ``track`` at ``now`` (empty:
    it does). The one rule, asked by the submit page (before the form is filled) and by the
    use (under the lock)."""
    if code is None:
        return UNKNOWN
    if code.track_id != track.pk:
        return WRONG_TRACK.format(track=code.track.name, here=track.name)
    if (getattr(user, "email", "") or "").strip().lower() != code.email.strip().lower():
        return FOREIGN
    if code.uses >= code.max_uses:
        uses = "" if code.max_uses == 1 else f" ({code.max_uses} times)"
        return USED_UP.format(uses=uses)
    if now > code.expires_at:
        return EXPIRED.format(when=track.local_text(code.expires_at))
    return ""


def find_code(text: str) -> LateSubmissionCode | None:
    text = normalise(text)
    if not text:
        return None
    return LateSubmissionCode.objects.select_related("track").filter(code=text).first()


def check_late_code(*, text: str, track: Track, user: User, now: dt.datetime | None = None) -> str:
    """``late_code_refusal`` for a code as typed (for the submit page)."""
    return late_code_refusal(find_code(text), track=track, user=user, now=now or timezone.now())


def late_code_use(
    *, text: str, track: Track, user: User, proposal: Proposal, now: dt.datetime
) -> LateSubmissionCode:
    """Count one use of the code for ``proposal``; raises CfpError if it does not admit
    ``user``. Call it inside the submission's transaction: the code row stays locked until
    that commits (or rolls back, giving the use back)."""
    text = normalise(text)
    code = (
        LateSubmissionCode.objects.select_for_update(of=("self",)).filter(code=text).first()
        if text
        else None
    )
    if code is not None:
        code.track = Track.objects.get(pk=code.track_id)
    refusal = late_code_refusal(code, track=track, user=user, now=now)
    if refusal:
        raise CfpError(refusal)
    before = code.uses
    code.uses = before + 1
    code.save(update_fields=["uses"])
    audit_record(
        obj=code,
        action="late_code_use",
        actor=user,
        from_state=f"{before} of {code.max_uses} used",
        to_state=f"{code.uses} of {code.max_uses} used",
        data={"proposal": proposal.pk, "track": track.pk},
    )
    return code


def issue_refusal(user, track: Track) -> str:
    if not is_track_decider(user, track):
        return f"Only a chair of {track.name} or an organizer can issue late-submission codes."
    return ""


@transaction.atomic
def late_code_issue(
    *,
    track: Track,
    email: str,
    expires_at: dt.datetime,
    actor: User,
    max_uses: int = 1,
    reason: str = "",
    now: dt.datetime | None = None,
    send_mail: bool = True,
) -> LateSubmissionCode:
    """A chair (or an organizer) issues a code to ``email`` for ``track``: it admits up to
    ``max_uses`` submissions after the deadline, until ``expires_at``. The person gets the
    link by mail (after the commit)."""
    now = now or timezone.now()
    refusal = issue_refusal(actor, track)
    if refusal:
        raise CfpError(refusal)
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as error:
        raise CfpError("Give the email address of the person the code is for.") from error
    if timezone.is_naive(expires_at):
        raise CfpError("The expiry needs a time zone.")
    if expires_at <= now:
        raise CfpError("The code must be valid until a moment in the future.")
    if not (1 <= int(max_uses) <= MAX_USES):
        raise CfpError(f"A code admits between 1 and {MAX_USES} submissions.")
    code = LateSubmissionCode.objects.create(
        track=track,
        email=email,
        code=new_code(),
        max_uses=int(max_uses),
        expires_at=expires_at,
        reason=(reason or "").strip(),
        issued_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_at=now,
    )
    audit_record(
        obj=code,
        action="late_code_issue",
        actor=actor,
        to_state=f"0 of {code.max_uses} used, valid until {expires_at.isoformat()}",
        reason=code.reason,
        data={"track": track.pk, "email": email},
    )
    if send_mail:
        mail_on_commit(
            template="cfp/late_code_issued",
            to=[email],
            context={
                "code": code,
                "track": track,
                "conference": track.conference,
                "use_url": site_url(
                    f"{reverse('cfp:submit', kwargs={'slug': track.slug})}?code={code.code}"
                ),
            },
        )
    return code


@transaction.atomic
def late_code_revoke(*, code: LateSubmissionCode, actor: User | None) -> None:
    """Delete a code (it admits nothing more); the audit rows of its issue and uses stay."""
    audit_delete(
        obj=code,
        action="late_code_revoke",
        actor=actor,
        from_state=f"{code.uses} of {code.max_uses} used",
        data={"track": code.track_id, "email": code.email},
    )
