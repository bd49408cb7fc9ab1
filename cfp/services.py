"""State changes of the CFP. Views, admin pages and actions, and the demo loader all go
through here.

Decisions taken here (documented because the issue leaves them open):

* A deadline moves only through ``track_extend_deadline``: never on a hard track, never to
  an earlier (or equal) moment. The track row is locked while it moves. Saving a track in
  any other way (``track_save``, the admin's change form) refuses to move it.
* Submitting and editing are allowed from ``opens_at`` up to and including the deadline's
  second, judged by the clock when the form is *posted* (``now`` defaults to the server
  clock; tests pass it to stand one second either side of a deadline).
* Withdrawal is possible at any time, before or after the deadline, while a proposal is
  submitted, accepted or confirmed (an accepted speaker who cannot come must be able to pull out).
  A rejected or already withdrawn proposal cannot be withdrawn: there is nothing to pull.
* Decisions (accept / reject) may be changed by a chair or an organizer until the proposal
  is withdrawn; deciding a proposal that already has that decision changes nothing and
  sends no mail. Speakers are mailed after the transaction commits.
* Declaring a conflict removes the reviewer's own review of that proposal, if any: a
  conflicted opinion must not count in the mean score.
* Who may do what, in which state, is answered by ``cfp.permissions`` (its ``*_refusal``
  functions give the messages raised here); a proposal's state changes only in
  ``_proposal_transition``, which writes the audit row.
"""

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from cfp import assignment
from cfp.models import (
    ACCEPTED_STATES,
    Conflict,
    CoSpeakerInvitation,
    DeadlineExtension,
    Proposal,
    Review,
    ReviewAssignment,
    ReviewerPreference,
    Track,
)
from cfp.permissions import (
    decide_refusal,
    edit_refusal,
    is_invitee,
    is_involved,
    is_track_committee,
    is_track_decider,
    review_refusal,
    window_refusal,
    withdraw_refusal,
)
from cfp.phases import decision_phase_refusal, overridable_refusal, review_phase_refusal
from plumbers.audit import audit_changes, audit_delete, audit_record
from plumbers.mail import mail_on_commit, site_url
from plumbers.markdown import MARKDOWN_MAX_LENGTH
from plumbers.models import Announcement, User


class CfpError(Exception):
    """A CFP change that cannot be made, with a reason a person can read."""


def _refuse(refusal: str) -> None:
    if refusal:
        raise CfpError(refusal)


def _validated(obj, *, exclude: list[str] | None = None) -> None:
    """Model validation as a CfpError, for callers other than an already validated form."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        raise CfpError(" ".join(error.messages)) from error


def _actor_or_none(actor: User | None) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def _unique_announcement_slug(base: str) -> str:
    base = slugify(base)[:180] or "cfp-deadline-extended"
    slug, n = base, 2
    while Announcement.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


# -------------------------------------------------------------------------------- tracks

TRACK_FIELDS = [
    "conference_id",
    "name",
    "slug",
    "description",
    "kind",
    "microconference_id",
    "opens_at",
    "deadline",
    "deadline_policy",
    "show_aoe",
    "order",
    "mc_topics_deadline",
    "review_opens_at",
    "review_closes_at",
    "decision_opens_at",
    "decision_closes_at",
    "anonymised_review",
    "assigned_only",
    "min_reviews",
    "accept_target",
    "speaker_comments",
]


def _names(users: Iterable[User]) -> list[str]:
    return sorted(str(user) for user in users)


@transaction.atomic
def track_save(
    *,
    track: Track,
    actor: User | None,
    reviewers: Iterable[User] | None = None,
    chairs: Iterable[User] | None = None,
) -> Track:
    """Create a track, or edit one in place; ``reviewers``/``chairs`` (None: unchanged)
    replace the committee.

    Once a track exists its deadline is a published promise: it moves only through
    ``track_extend_deadline`` (recorded, shown struck through, refused on a hard track), so
    an edit that would move it is refused here whatever form sent it, and the iCalendar
    SEQUENCE stays the extensions' count."""
    creating = track._state.adding
    before = None if creating else Track.objects.select_for_update(of=("self",)).get(pk=track.pk)
    if before is not None:
        if track.deadline != before.deadline:
            raise CfpError(
                f"The deadline of {before.name} moves only with “Extend deadline”, which "
                "records and announces the change."
            )
        track.sequence = before.sequence
    _validated(track)
    old_reviewers = [] if creating else list(track.reviewers.all())
    old_chairs = [] if creating else list(track.chairs.all())
    track.save()
    if reviewers is not None:
        track.reviewers.set(reviewers)
    if chairs is not None:
        track.chairs.set(chairs)
    also = {}
    if reviewers is not None:
        also["reviewers"] = (_names(old_reviewers), _names(track.reviewers.all()))
    if chairs is not None:
        also["chairs"] = (_names(old_chairs), _names(track.chairs.all()))
    audit_changes(
        obj=track,
        before=before,
        fields=TRACK_FIELDS,
        also=also,
        action="track_create" if creating else "track_update",
        actor=actor,
    )
    return track


@transaction.atomic
def track_delete(*, track: Track, actor: User | None) -> None:
    """Delete a track without proposals (the database protects those that have some)."""
    audit_delete(
        obj=track,
        action="track_delete",
        actor=actor,
        from_state=track.deadline.isoformat(),
        data={"conference": track.conference_id, "name": track.name},
    )


@transaction.atomic
def track_extend_deadline(
    *,
    track: Track,
    new_deadline: dt.datetime,
    reason: str,
    actor: User | None,
    publish_announcement: bool = False,
    announcement: Announcement | None = None,
    at: dt.datetime | None = None,
) -> DeadlineExtension:
    """Move a track's deadline later, as a recorded event.

    ``announcement`` links an existing news post instead of publishing a new one (used by the
    demo, whose story already has the post); ``at`` records when the extension was made
    (defaults to now; the demo places it on its timeline).
    """
    if timezone.is_naive(new_deadline):
        raise CfpError("The new deadline needs a time zone.")
    reason = (reason or "").strip()
    if not reason:
        raise CfpError("Give a reason for the extension: it is shown to everyone.")
    locked = (
        Track.objects.select_for_update(of=("self",)).select_related("conference").get(pk=track.pk)
    )
    if locked.is_hard:
        raise CfpError(f"The deadline of {locked.name} is hard and cannot be extended.")
    if new_deadline <= locked.deadline:
        raise CfpError(
            f"The new deadline ({locked.local_text(new_deadline)}) must be later than the "
            f"current one ({locked.local_text(locked.deadline)}) of {locked.name}."
        )
    previous = locked.deadline
    if publish_announcement and announcement is None:
        announcement = Announcement.objects.create(
            conference=locked.conference,
            title=f"CFP deadline extended – {locked.name}",
            slug=_unique_announcement_slug(
                f"cfp-deadline-extended-{locked.slug}-{locked.conference.slug}-"
                f"{timezone.localtime(new_deadline, locked.conference.tzinfo):%Y-%m-%d}"
            ),
            body=(
                f"The deadline of **{locked.name}** moves from {locked.local_text(previous)} "
                f"to **{locked.local_text(new_deadline)}**.\n\n{reason}"
            ),
            published_at=timezone.now(),
            author=_actor_or_none(actor),
        )
    extension = DeadlineExtension.objects.create(
        track=locked,
        previous=previous,
        new=new_deadline,
        reason=reason,
        extended_by=_actor_or_none(actor),
        at=at or timezone.now(),
        announcement=announcement,
    )
    locked.deadline = new_deadline
    locked.sequence = locked.sequence + 1
    locked.save(update_fields=["deadline", "sequence"])
    audit_record(
        obj=locked,
        action="track_extend_deadline",
        actor=actor,
        from_state=previous.isoformat(),
        to_state=new_deadline.isoformat(),
        reason=reason,
        data={
            "extension": extension.pk,
            "sequence": locked.sequence,
            "announcement": announcement.slug if announcement else None,
        },
    )
    track.deadline, track.sequence = locked.deadline, locked.sequence
    return extension


# ----------------------------------------------------------------------------- proposals


def _proposal_transition(
    proposal: Proposal,
    *,
    to: str,
    actor: User | None,
    action: str,
    reason: str = "",
    data: dict | None = None,
    **fields,
) -> None:
    """The one place a proposal's state changes, new proposals included: sets it (and
    ``fields``), saves, and writes the audit row in the caller's transaction, so a state
    never moves unrecorded. The caller has checked the rule and holds the row lock."""
    creating = proposal._state.adding
    before = "" if creating else proposal.state
    proposal.state = to
    for name, value in fields.items():
        setattr(proposal, name, value)
    if creating:
        proposal.save()
    else:
        proposal.save(update_fields=["state", "updated_at", *fields])
    audit_record(
        obj=proposal,
        action=action,
        actor=actor,
        from_state=before,
        to_state=to,
        reason=reason,
        data=data,
    )
    if not creating:
        # A microconference proposal's MC follows its state (created on acceptance).
        from cfp.mc_proposals import sync_microconference

        sync_microconference(proposal, previous=before, actor=actor)


def _check_content(title: str, abstract: str) -> None:
    if not (title or "").strip():
        raise CfpError("A proposal needs a title.")
    if not (abstract or "").strip():
        raise CfpError("A proposal needs an abstract.")
    if len(abstract or "") > MARKDOWN_MAX_LENGTH:
        raise CfpError(f"An abstract may be at most {MARKDOWN_MAX_LENGTH:,} characters long.")


def _sync_co_speakers(
    proposal: Proposal, *, emails: Sequence[str], actor: User, now: dt.datetime
) -> None:
    """Make the proposal's co-speakers what the submitter listed: a new address is invited
    by mail (attached only when its owner accepts), an address taken off the list loses its
    invitation or its place. Known and unknown addresses are treated alike."""
    wanted = {email.strip().lower(): email.strip() for email in emails if email.strip()}
    if proposal.submitter.email.lower() in wanted:
        raise CfpError("You are the submitter; do not list yourself as a co-speaker.")
    attached = {person.email.lower(): person for person in proposal.co_speakers.all()}
    pending = {
        invitation.email.lower(): invitation
        for invitation in proposal.invitations.filter(state=CoSpeakerInvitation.State.PENDING)
    }
    for email, person in attached.items():
        if email not in wanted:
            proposal.co_speakers.remove(person)
            audit_record(
                obj=proposal,
                action="co_speaker_removed",
                actor=actor,
                from_state=email,
                reason="Taken off the co-speakers by the submitter.",
            )
    for email, invitation in pending.items():
        if email not in wanted:
            _invitation_transition(
                invitation, to=CoSpeakerInvitation.State.WITHDRAWN, actor=actor, at=now
            )
    for email, typed in wanted.items():
        if email in attached or email in pending:
            continue
        invitation = CoSpeakerInvitation.objects.create(
            proposal=proposal,
            email=typed,
            token=secrets.token_urlsafe(32),
            invited_by=actor,
            created_at=now,
        )
        audit_record(
            obj=invitation,
            action="co_speaker_invited",
            actor=actor,
            to_state=CoSpeakerInvitation.State.PENDING,
            data={"proposal": proposal.pk},
        )
        mail_on_commit(
            template="cfp/co_speaker_invited",
            to=typed,
            context={
                "proposal": proposal,
                "track": proposal.track,
                "invited_by": actor,
                "answer_url": site_url(reverse("cfp:invitation", args=[invitation.token])),
            },
        )


def _invitation_transition(
    invitation: CoSpeakerInvitation, *, to: str, actor: User, at: dt.datetime
) -> None:
    before = invitation.state
    invitation.state = to
    invitation.answered_at = at
    invitation.save(update_fields=["state", "answered_at", "accepted_by"])
    audit_record(
        obj=invitation,
        action=f"co_speaker_invitation_{to}",
        actor=actor,
        from_state=before,
        to_state=to,
        data={"proposal": invitation.proposal_id},
    )


def _open_invitation(token: str, *, user: User) -> CoSpeakerInvitation:
    invitation = (
        CoSpeakerInvitation.objects.select_for_update(of=("self",))
        .select_related("proposal")
        .filter(token=token)
        .first()
    )
    if invitation is None or invitation.state != CoSpeakerInvitation.State.PENDING:
        raise CfpError("This invitation is no longer open.")
    if not is_invitee(user, invitation):
        raise CfpError(INVITED_ELSEWHERE)
    return invitation


INVITED_ELSEWHERE = (
    "This invitation was sent to another email address: log in with that address (or add "
    "and verify it on your account) to answer it."
)


@transaction.atomic
def co_speaker_invitation_accept(*, token: str, user: User) -> Proposal:
    """The invited person, logged in with the invited (verified) address, becomes a
    co-speaker of the proposal."""
    invitation = _open_invitation(token, user=user)
    if invitation.proposal.submitter_id == user.pk:
        raise CfpError("You submitted this proposal; you cannot also be its co-speaker.")
    invitation.accepted_by = user
    _invitation_transition(
        invitation, to=CoSpeakerInvitation.State.ACCEPTED, actor=user, at=timezone.now()
    )
    invitation.proposal.co_speakers.add(user)
    return invitation.proposal


@transaction.atomic
def co_speaker_invitation_decline(*, token: str, user: User) -> Proposal:
    """The invited person declines; the submitter sees the invitation no more."""
    invitation = _open_invitation(token, user=user)
    _invitation_transition(
        invitation, to=CoSpeakerInvitation.State.DECLINED, actor=user, at=timezone.now()
    )
    return invitation.proposal


@transaction.atomic
def proposal_submit(
    *,
    track: Track,
    submitter: User,
    title: str,
    abstract: str,
    notes: str = "",
    co_speaker_emails: Sequence[str] = (),
    now: dt.datetime | None = None,
    late_code: str = "",
) -> Proposal:
    """Submit a proposal. The deadline is judged at ``now`` (the moment of the post); the
    co-speakers listed are invited and attached when they accept. After the deadline, a
    late-submission code issued to the submitter for this track admits it (one use,
    counted under the code's lock: ``cfp.late_codes``)."""
    from cfp.late_codes import late_code_use

    now = now or timezone.now()
    track = Track.objects.select_related("conference").get(pk=track.pk)
    late = bool(late_code.strip()) and track.has_opened(now) and not track.is_open(now)
    if not late:
        _refuse(window_refusal(track, verb="submit", now=now))
    _check_content(title, abstract)
    proposal = Proposal(
        track=track,
        title=title.strip(),
        abstract=abstract,
        notes=notes,
        submitter=submitter,
        created_at=now,
    )
    _proposal_transition(
        proposal,
        to=Proposal.State.SUBMITTED,
        actor=submitter,
        action="proposal_submit",
        data={"track": track.pk, "late": late},
    )
    if late:
        late_code_use(text=late_code, track=track, user=submitter, proposal=proposal, now=now)
    _sync_co_speakers(proposal, emails=co_speaker_emails, actor=submitter, now=now)
    mail_on_commit(
        template="cfp/proposal_received",
        to=[submitter.email],
        context={"proposal": proposal, "track": track},
    )
    return proposal


@transaction.atomic
def proposal_update(
    *,
    proposal: Proposal,
    actor: User,
    title: str,
    abstract: str,
    notes: str = "",
    co_speaker_emails: Sequence[str] = (),
    now: dt.datetime | None = None,
) -> Proposal:
    """Edit a submitted proposal until its track's deadline (judged at the post)."""
    now = now or timezone.now()
    locked = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
    locked.track = Track.objects.select_related("conference").get(pk=locked.track_id)
    _refuse(edit_refusal(actor, locked, now=now))
    _check_content(title, abstract)
    locked.title, locked.abstract, locked.notes = title.strip(), abstract, notes
    locked.save(update_fields=["title", "abstract", "notes", "updated_at"])
    audit_record(
        obj=locked,
        action="proposal_update",
        actor=actor,
        from_state=locked.state,
        to_state=locked.state,
    )
    _sync_co_speakers(locked, emails=co_speaker_emails, actor=actor, now=now)
    return locked


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, actor: User, reason: str = "") -> Proposal:
    """The submitter withdraws, at any time, a proposal that is submitted, accepted or confirmed."""
    locked = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
    _refuse(withdraw_refusal(actor, locked))
    _proposal_transition(
        locked,
        to=Proposal.State.WITHDRAWN,
        actor=actor,
        action="proposal_withdraw",
        reason=reason,
    )
    return locked


@transaction.atomic
def proposal_decide(
    *,
    proposals: Proposal | Iterable[Proposal],
    decision: str,
    actor: User,
    reason: str = "",
    override_reason: str = "",
    now: dt.datetime | None = None,
) -> list[Proposal]:
    """Accept or reject one or many proposals, all or nothing. Returns those that changed.

    Outside a track's decision phase only a chair or an organizer giving
    ``override_reason`` may decide (audited). The speakers of each changed proposal are
    mailed after the commit."""
    if decision not in {Proposal.State.ACCEPTED, Proposal.State.REJECTED}:
        raise CfpError("A decision is either “accepted” or “rejected”.")
    if isinstance(proposals, Proposal):
        proposals = [proposals]
    ids = [p.pk for p in proposals]
    if not ids:
        raise CfpError("Select at least one proposal.")
    locked = list(
        Proposal.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk")
    )
    # Related rows are read after the lock (select_for_update cannot lock nullable joins).
    by_pk = {
        p.pk: p
        for p in Proposal.objects.filter(pk__in=ids)
        .select_related("track", "track__conference", "submitter")
        .prefetch_related("co_speakers")
    }
    for proposal in locked:
        full = by_pk[proposal.pk]
        proposal.track, proposal.submitter = full.track, full.submitter
        _refuse(decide_refusal(actor, proposal))
    now = now or timezone.now()
    overridden = set()
    for proposal in locked:
        phase_refusal = decision_phase_refusal(proposal.track, now)
        _refuse(
            overridable_refusal(
                phase_refusal, actor=actor, track=proposal.track, override_reason=override_reason
            )
        )
        if phase_refusal:
            overridden.add(proposal.pk)
    changed = []
    for proposal in locked:
        if proposal.state == decision or (
            decision == Proposal.State.ACCEPTED and proposal.state in ACCEPTED_STATES
        ):
            continue  # already so (a confirmed talk is an accepted one)
        _proposal_transition(
            proposal,
            to=decision,
            actor=actor,
            action="proposal_decide",
            reason=reason,
            decided_at=now,
            data={"phase_override": override_reason.strip()} if proposal.pk in overridden else None,
        )
        co_speakers = list(by_pk[proposal.pk].co_speakers.all())
        mail_on_commit(
            template=f"cfp/proposal_{decision}",
            to=[proposal.submitter.email, *(p.email for p in co_speakers)],
            context={
                "proposal": proposal,
                "track": proposal.track,
                "co_speakers": co_speakers,
                "proposal_url": site_url(proposal.get_absolute_url()),
            },
        )
        changed.append(proposal)
    return changed


PROPOSAL_FIELDS = ["track_id", "title", "abstract", "notes", "submitter_id"]


@transaction.atomic
def proposal_save(
    *,
    proposal: Proposal,
    actor: User | None,
    co_speakers: Sequence[User] | None = None,
) -> Proposal:
    """An organizer's edit of a proposal (or one entered on a speaker's behalf): no window
    and no mail, since organizers correct what speakers cannot, but on the record.

    The state is not edited here: a new proposal is submitted, an existing one keeps the
    state its row holds (submit, withdraw and decide are the only moves)."""
    if proposal._state.adding:
        _validated(proposal, exclude=["state", "decided_at"])  # set by the transition
        _proposal_transition(
            proposal,
            to=Proposal.State.SUBMITTED,
            decided_at=None,
            actor=actor,
            action="proposal_create",
            data={
                "track": proposal.track_id,
                "co_speakers": [p.pk for p in co_speakers or ()],
            },
        )
        if co_speakers is not None:
            proposal.co_speakers.set(co_speakers)
        return proposal
    before = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
    proposal.state, proposal.decided_at = before.state, before.decided_at
    _validated(proposal)
    old_co_speakers = list(proposal.co_speakers.all())
    proposal.save(update_fields=["track", "title", "abstract", "notes", "submitter", "updated_at"])
    also = {}
    if co_speakers is not None:
        proposal.co_speakers.set(co_speakers)
        also["co_speakers"] = (_names(old_co_speakers), _names(co_speakers))
    audit_changes(
        obj=proposal,
        before=before,
        fields=PROPOSAL_FIELDS,
        also=also,
        action="proposal_update",
        actor=actor,
    )
    return proposal


@transaction.atomic
def proposal_delete(*, proposal: Proposal, actor: User | None) -> None:
    """Delete a proposal with its reviews (spam, a duplicate); the audit row stays."""
    audit_delete(
        obj=proposal,
        action="proposal_delete",
        actor=actor,
        from_state=proposal.state,
        data={"track": proposal.track_id, "submitter": proposal.submitter_id},
    )


# ----------------------------------------------------------------------- reviews, conflicts


@transaction.atomic
def review_submit(
    *,
    proposal: Proposal,
    reviewer: User,
    score: int,
    confidence: int,
    comment: str = "",
    speaker_comment: str = "",
    override_reason: str = "",
    now: dt.datetime | None = None,
) -> Review:
    """Create or replace ``reviewer``'s review of ``proposal`` (one per pair), in the
    track's review phase (a chair or an organizer may override it with a reason, audited).
    ``speaker_comment`` is kept only where the track lets reviewers write to speakers."""
    proposal = Proposal.objects.select_related("track", "track__conference").get(pk=proposal.pk)
    _refuse(review_refusal(reviewer, proposal))
    phase_refusal = review_phase_refusal(proposal.track, now)
    _refuse(
        overridable_refusal(
            phase_refusal, actor=reviewer, track=proposal.track, override_reason=override_reason
        )
    )
    if not proposal.track.speaker_comments:
        speaker_comment = ""
    if not (-2 <= int(score) <= 2):
        raise CfpError("The score must be between -2 and +2.")
    if not (1 <= int(confidence) <= 3):
        raise CfpError("The confidence must be between 1 and 3.")
    review, created = Review.objects.update_or_create(
        proposal=proposal,
        reviewer=reviewer,
        defaults={
            "score": int(score),
            "confidence": int(confidence),
            "comment": comment,
            "speaker_comment": speaker_comment,
        },
    )
    data = {"proposal": proposal.pk}
    if phase_refusal:
        data["phase_override"] = override_reason.strip()
    audit_record(
        obj=review,
        action="review_submit" if created else "review_update",
        actor=reviewer,
        to_state=f"score {review.score:+d}, confidence {review.confidence}",
        data=data,
    )
    return review


@transaction.atomic
def review_delete(*, review: Review, actor: User | None) -> None:
    """An organizer removes a review (e.g. written before a conflict came to light)."""
    audit_delete(
        obj=review,
        action="review_delete",
        actor=actor,
        from_state=f"score {review.score:+d}, confidence {review.confidence}",
        data={"proposal": review.proposal_id, "reviewer": review.reviewer_id},
    )


@transaction.atomic
def conflict_declare(*, proposal: Proposal, reviewer: User, reason: str = "") -> Conflict:
    """Declare a conflict of interest: the proposal leaves the reviewer's triage list and
    their review of it, if any, is removed."""
    try:
        with transaction.atomic():
            conflict, created = Conflict.objects.get_or_create(
                proposal=proposal, reviewer=reviewer, defaults={"reason": reason}
            )
    except IntegrityError:  # declared twice at the same moment
        conflict, created = Conflict.objects.get(proposal=proposal, reviewer=reviewer), False
    removed, _ = Review.objects.filter(proposal=proposal, reviewer=reviewer).delete()
    if created:
        audit_record(
            obj=proposal,
            action="conflict_declare",
            actor=reviewer,
            reason=reason,
            data={"reviewer": reviewer.pk, "review_removed": bool(removed)},
        )
    return conflict


@transaction.atomic
def conflict_delete(*, conflict: Conflict, actor: User | None) -> None:
    """An organizer lifts a declared conflict: the reviewer sees the proposal again. On the
    proposal's record, next to the declaration."""
    audit_record(
        obj=conflict.proposal,
        action="conflict_delete",
        actor=actor,
        from_state="conflicted",
        to_state="not conflicted",
        data={"reviewer": conflict.reviewer_id},
    )
    conflict.delete()


# ------------------------------------------- review assignment (issue 14, the reviewers' half)


def _assignment_refusal(*, track: Track, actor: User) -> str:
    if not is_track_decider(actor, track):
        return f"Only a chair of {track.name} or an organizer assigns its reviews."
    return ""


def _mail_assignments(track: Track, pairs: Sequence[tuple[Proposal, User]]) -> None:
    """One mail per reviewer listing the proposals given to them: titles and links only,
    never the speakers (the same mail for anonymised and open tracks)."""
    by_reviewer: dict[int, tuple[User, list]] = {}
    for proposal, reviewer in pairs:
        by_reviewer.setdefault(reviewer.pk, (reviewer, []))[1].append(
            {"title": proposal.title, "url": site_url(proposal.get_review_url())}
        )
    for reviewer, proposals in by_reviewer.values():
        mail_on_commit(
            template="cfp/review_assigned",
            to=[reviewer.email],
            context={
                "track": track,
                "proposals": proposals,
                "review_closes_at": track.review_closes_at,
                "list_url": site_url(reverse("cfp:review_list") + f"?track={track.pk}"),
            },
        )


@transaction.atomic
def assignment_auto(*, track: Track, k: int, actor: User) -> list[ReviewAssignment]:
    """Give every submitted proposal of ``track`` at least ``k`` reviewers, balanced by load,
    never in conflict, respecting preferences (``cfp.assignment.plan``). Existing
    assignments and reviews stay and count. The track row is locked meanwhile, so two
    chairs pressing the button at once do not double the work."""
    locked = (
        Track.objects.select_for_update(of=("self",)).select_related("conference").get(pk=track.pk)
    )
    _refuse(_assignment_refusal(track=locked, actor=actor))
    if not 1 <= int(k) <= 20:
        raise CfpError("Ask for between 1 and 20 reviewers per proposal.")
    state = assignment.track_state(locked)
    if not state["reviewers"]:
        raise CfpError(f"{locked.name} has no reviewers to assign; add some first.")
    pairs = assignment.plan(k=int(k), **state)
    now = timezone.now()
    created = ReviewAssignment.objects.bulk_create(
        [
            ReviewAssignment(
                proposal_id=p, reviewer_id=r, assigned_by=actor, assigned_at=now, automatic=True
            )
            for p, r in pairs
        ]
    )
    audit_record(
        obj=locked,
        action="review_assign_auto",
        actor=actor,
        to_state=f"{len(created)} new assignments, K={int(k)}",
        data={"k": int(k), "pairs": [list(pair) for pair in pairs]},
    )
    proposals = Proposal.objects.in_bulk([p for p, _ in pairs])
    people = User.objects.in_bulk([r for _, r in pairs])
    _mail_assignments(locked, [(proposals[p], people[r]) for p, r in pairs])
    return created


@transaction.atomic
def assignment_add(*, proposal: Proposal, reviewer: User, actor: User) -> ReviewAssignment:
    """A chair assigns one reviewer by hand: a member of the track's committee who does not
    speak on the proposal and declared no conflict on it."""
    proposal = Proposal.objects.select_related("track", "track__conference").get(pk=proposal.pk)
    track = proposal.track
    _refuse(_assignment_refusal(track=track, actor=actor))
    if proposal.state == Proposal.State.WITHDRAWN:
        raise CfpError(f"“{proposal.title}” was withdrawn; it needs no reviewers.")
    if not is_track_committee(reviewer, track):
        raise CfpError(f"{reviewer} does not review {track.name}.")
    if is_involved(reviewer, proposal):
        raise CfpError(
            f"{reviewer} speaks on “{proposal.title}” or declared a conflict on it; "
            "choose someone else."
        )
    try:
        with transaction.atomic():
            created = ReviewAssignment.objects.create(
                proposal=proposal, reviewer=reviewer, assigned_by=actor
            )
    except IntegrityError as error:
        raise CfpError(f"{reviewer} is already assigned to “{proposal.title}”.") from error
    audit_record(
        obj=proposal,
        action="review_assign",
        actor=actor,
        to_state=f"assigned to {reviewer}",
        data={"reviewer": reviewer.pk},
    )
    _mail_assignments(track, [(proposal, reviewer)])
    return created


@transaction.atomic
def assignment_remove(*, assignment_obj: ReviewAssignment, actor: User) -> None:
    """Take an assignment back. A review already written stays and counts."""
    locked = (
        ReviewAssignment.objects.select_for_update(of=("self",))
        .select_related("proposal__track", "reviewer")
        .get(pk=assignment_obj.pk)
    )
    _refuse(_assignment_refusal(track=locked.proposal.track, actor=actor))
    audit_record(
        obj=locked.proposal,
        action="review_unassign",
        actor=actor,
        from_state=f"assigned to {locked.reviewer}",
        data={"reviewer": locked.reviewer_id},
    )
    locked.delete()


@transaction.atomic
def reviewer_preference_set(
    *, track: Track, reviewer: User, level: str, expertise: str = ""
) -> ReviewerPreference:
    """A reviewer says how much they want to review ``track`` and what they know."""
    if not is_track_committee(reviewer, track):
        raise CfpError(f"You are not a reviewer of {track.name}.")
    if level not in ReviewerPreference.Level.values:
        raise CfpError("Choose how much you want to review this track.")
    preference, created = ReviewerPreference.objects.update_or_create(
        track=track,
        reviewer=reviewer,
        defaults={"level": level, "expertise": (expertise or "").strip()[:300]},
    )
    audit_record(
        obj=track,
        action="reviewer_preference_set",
        actor=reviewer,
        to_state=level,
        data={"reviewer": reviewer.pk, "expertise": preference.expertise},
    )
    return preference
