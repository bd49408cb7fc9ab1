"""State changes of the CFP. Views, admin actions and the demo loader all go through here.

Decisions taken here (documented because the issue leaves them open):

* A deadline moves only through ``track_extend_deadline``: never on a hard track, never to
  an earlier (or equal) moment. The track row is locked while it moves.
* Submitting and editing are allowed from ``opens_at`` up to and including the deadline's
  second, judged by the clock when the form is *posted* (``now`` defaults to the server
  clock; tests pass it to stand one second either side of a deadline).
* Withdrawal is possible at any time, before or after the deadline, while a proposal is
  submitted or accepted (an accepted speaker who cannot come must be able to pull out).
  A rejected or already withdrawn proposal cannot be withdrawn: there is nothing to pull.
* Decisions (accept / reject) may be changed by a chair or an organizer until the proposal
  is withdrawn; deciding a proposal that already has that decision changes nothing and
  sends no mail. Speakers are mailed after the transaction commits.
* Declaring a conflict removes the reviewer's own review of that proposal, if any: a
  conflicted opinion must not count in the mean score.
"""

import datetime as dt
from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from cfp.models import Conflict, DeadlineExtension, Proposal, Review, Track
from cfp.permissions import can_decide_proposal, committee_track_ids, is_involved
from plumbers.audit import audit_record
from plumbers.mail import mail_on_commit
from plumbers.models import Announcement, User


class CfpError(Exception):
    """A CFP change that cannot be made, with a reason a person can read."""


def _local(value: dt.datetime, track: Track) -> str:
    local = timezone.localtime(value, track.conference.tzinfo)
    return f"{local:%A %-d %B %Y, %H:%M} {local.tzname()}"


def _unique_announcement_slug(base: str) -> str:
    base = slugify(base)[:180] or "cfp-deadline-extended"
    slug, n = base, 2
    while Announcement.objects.filter(slug=slug).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


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
    locked = Track.objects.select_for_update().select_related("conference").get(pk=track.pk)
    if locked.is_hard:
        raise CfpError(f"The deadline of {locked.name} is hard and cannot be extended.")
    if new_deadline <= locked.deadline:
        raise CfpError(
            f"The new deadline ({_local(new_deadline, locked)}) must be later than the current "
            f"one ({_local(locked.deadline, locked)}) of {locked.name}."
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
                f"The deadline of **{locked.name}** moves from {_local(previous, locked)} to "
                f"**{_local(new_deadline, locked)}**.\n\n{reason}"
            ),
            published_at=timezone.now(),
            author=actor if getattr(actor, "is_authenticated", False) else None,
        )
    extension = DeadlineExtension.objects.create(
        track=locked,
        previous=previous,
        new=new_deadline,
        reason=reason,
        extended_by=actor if getattr(actor, "is_authenticated", False) else None,
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


def _check_window(track: Track, now: dt.datetime, verb: str) -> None:
    if now < track.opens_at:
        raise CfpError(
            f"{track.name} opens for proposals on {_local(track.opens_at, track)}; "
            f"you cannot {verb} yet."
        )
    if now > track.deadline:
        raise CfpError(
            f"The deadline of {track.name} ({_local(track.deadline, track)}) has passed; "
            f"your proposal was not {'saved' if verb == 'edit' else 'submitted'}."
        )


def _check_co_speakers(submitter: User, co_speakers: Sequence[User]) -> None:
    if any(person.pk == submitter.pk for person in co_speakers):
        raise CfpError("You are the submitter; do not list yourself as a co-speaker.")


@transaction.atomic
def proposal_submit(
    *,
    track: Track,
    submitter: User,
    title: str,
    abstract: str,
    notes: str = "",
    co_speakers: Sequence[User] = (),
    now: dt.datetime | None = None,
) -> Proposal:
    """Submit a proposal. The deadline is judged at ``now`` (the moment of the post)."""
    now = now or timezone.now()
    track = Track.objects.select_related("conference").get(pk=track.pk)
    _check_window(track, now, "submit")
    if not (title or "").strip():
        raise CfpError("A proposal needs a title.")
    if not (abstract or "").strip():
        raise CfpError("A proposal needs an abstract.")
    _check_co_speakers(submitter, co_speakers)
    proposal = Proposal.objects.create(
        track=track,
        title=title.strip(),
        abstract=abstract,
        notes=notes,
        submitter=submitter,
        created_at=now,
    )
    proposal.co_speakers.set(co_speakers)
    audit_record(
        obj=proposal,
        action="proposal_submit",
        actor=submitter,
        to_state=proposal.state,
        data={"track": track.pk, "co_speakers": [p.pk for p in co_speakers]},
    )
    mail_on_commit(
        template="cfp/proposal_received",
        to=[submitter.email, *(p.email for p in co_speakers)],
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
    co_speakers: Sequence[User] = (),
    now: dt.datetime | None = None,
) -> Proposal:
    """Edit a submitted proposal until its track's deadline (judged at the post)."""
    now = now or timezone.now()
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    track = Track.objects.select_related("conference").get(pk=locked.track_id)
    if locked.submitter_id != actor.pk:
        raise CfpError("Only the submitter can edit this proposal.")
    if locked.state != Proposal.State.SUBMITTED:
        raise CfpError(f"This proposal is {locked.get_state_display().lower()}; it cannot change.")
    _check_window(track, now, "edit")
    if not (title or "").strip():
        raise CfpError("A proposal needs a title.")
    if not (abstract or "").strip():
        raise CfpError("A proposal needs an abstract.")
    _check_co_speakers(actor, co_speakers)
    locked.title, locked.abstract, locked.notes = title.strip(), abstract, notes
    locked.save(update_fields=["title", "abstract", "notes", "updated_at"])
    locked.co_speakers.set(co_speakers)
    audit_record(
        obj=locked,
        action="proposal_update",
        actor=actor,
        from_state=locked.state,
        to_state=locked.state,
        data={"co_speakers": [p.pk for p in co_speakers]},
    )
    return locked


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, actor: User, reason: str = "") -> Proposal:
    """The submitter withdraws, at any time, a proposal that is submitted or accepted."""
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.submitter_id != actor.pk:
        raise CfpError("Only the submitter can withdraw this proposal.")
    if locked.state not in {Proposal.State.SUBMITTED, Proposal.State.ACCEPTED}:
        raise CfpError(
            f"This proposal is {locked.get_state_display().lower()}; there is nothing to withdraw."
        )
    before = locked.state
    locked.state = Proposal.State.WITHDRAWN
    locked.save(update_fields=["state", "updated_at"])
    audit_record(
        obj=locked,
        action="proposal_withdraw",
        actor=actor,
        from_state=before,
        to_state=locked.state,
        reason=reason,
    )
    return locked


@transaction.atomic
def review_submit(
    *,
    proposal: Proposal,
    reviewer: User,
    score: int,
    confidence: int,
    comment: str = "",
) -> Review:
    """Create or replace ``reviewer``'s review of ``proposal`` (one per pair)."""
    proposal = Proposal.objects.select_related("track").get(pk=proposal.pk)
    if proposal.submitter_id == reviewer.pk or proposal.co_speakers.filter(pk=reviewer.pk).exists():
        raise CfpError("You cannot review a proposal you submitted or co-speak.")
    if proposal.conflicts.filter(reviewer=reviewer).exists():
        raise CfpError("You declared a conflict on this proposal; you cannot review it.")
    if proposal.track_id not in committee_track_ids(reviewer):
        raise CfpError(f"You are not a reviewer of {proposal.track.name}.")
    if proposal.state == Proposal.State.WITHDRAWN:
        raise CfpError("This proposal was withdrawn; it no longer needs reviews.")
    if not (-2 <= int(score) <= 2):
        raise CfpError("The score must be between -2 and +2.")
    if not (1 <= int(confidence) <= 3):
        raise CfpError("The confidence must be between 1 and 3.")
    review, created = Review.objects.update_or_create(
        proposal=proposal,
        reviewer=reviewer,
        defaults={"score": int(score), "confidence": int(confidence), "comment": comment},
    )
    audit_record(
        obj=review,
        action="review_submit" if created else "review_update",
        actor=reviewer,
        to_state=f"score {review.score:+d}, confidence {review.confidence}",
        data={"proposal": proposal.pk},
    )
    return review


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
def proposal_decide(
    *,
    proposals: Proposal | Iterable[Proposal],
    decision: str,
    actor: User,
    reason: str = "",
) -> list[Proposal]:
    """Accept or reject one or many proposals, all or nothing. Returns those that changed.

    The speakers of each changed proposal are mailed after the commit."""
    if decision not in {Proposal.State.ACCEPTED, Proposal.State.REJECTED}:
        raise CfpError("A decision is either “accepted” or “rejected”.")
    if isinstance(proposals, Proposal):
        proposals = [proposals]
    ids = [p.pk for p in proposals]
    if not ids:
        raise CfpError("Select at least one proposal.")
    locked = list(Proposal.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
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
        if not can_decide_proposal(actor, proposal):
            if is_involved(actor, proposal):
                raise CfpError(
                    f"You cannot decide on “{proposal.title}”: you submitted it, co-speak it "
                    "or declared a conflict on it."
                )
            raise CfpError(
                f"Only a chair of {proposal.track.name} or an organizer can decide on "
                f"“{proposal.title}”."
            )
        if proposal.state == Proposal.State.WITHDRAWN:
            raise CfpError(f"“{proposal.title}” was withdrawn; it cannot be decided.")
    changed = []
    now = timezone.now()
    for proposal in locked:
        if proposal.state == decision:
            continue
        before = proposal.state
        proposal.state = decision
        proposal.decided_at = now
        proposal.save(update_fields=["state", "decided_at", "updated_at"])
        audit_record(
            obj=proposal,
            action="proposal_decide",
            actor=actor,
            from_state=before,
            to_state=decision,
            reason=reason,
        )
        co_speakers = list(by_pk[proposal.pk].co_speakers.all())
        mail_on_commit(
            template=f"cfp/proposal_{decision}",
            to=[proposal.submitter.email, *(p.email for p in co_speakers)],
            context={"proposal": proposal, "track": proposal.track, "co_speakers": co_speakers},
        )
        changed.append(proposal)
    return changed
