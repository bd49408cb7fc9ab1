"""Who may do what in the CFP, and in which state, as named predicates (django-rules).

Roles: a track's *committee* is its reviewers, its chairs and, for a microconference's
track, the leads of that microconference (they review it). Organizers see every track and
decide on every proposal. Nobody sees a proposal they submitted, co-speak or declared a
conflict on in the triage area.

States: a proposal can be edited by its submitter while it is submitted and its track is
open; withdrawn by its submitter while submitted, accepted or confirmed (an accepted speaker who
cannot come must be able to pull out); reviewed and decided until it is withdrawn.

Each of those rules is written once, as a ``*_refusal`` function that says why not (an empty
string: allowed) in the words the services raise; the ``can_*`` predicates are "nothing
refuses". Pages, templates (``{% test_rule "cfp.edit_proposal" user proposal as ok %}``)
and services all ask these, so a page never offers what the service would then refuse. The
CFP window is judged at ``now``: services pass the moment of the post, pages ask about the
present.
"""

import datetime as dt
from collections.abc import Iterable

import rules
from django.db.models import Q
from django.utils import timezone

from cfp.models import Proposal, Track
from plumbers.permissions import is_organizer

EDITABLE_STATES = frozenset({Proposal.State.SUBMITTED})
WITHDRAWABLE_STATES = frozenset(
    {Proposal.State.SUBMITTED, Proposal.State.ACCEPTED, Proposal.State.CONFIRMED}
)
# The speakers answer an acceptance: confirm it once, or decline (also after confirming,
# when they find they cannot come after all).
CONFIRMABLE_STATES = frozenset({Proposal.State.ACCEPTED})
DECLINABLE_STATES = frozenset({Proposal.State.ACCEPTED, Proposal.State.CONFIRMED})


# --------------------------------------------------------------------------------- roles


def committee_q(user) -> Q:
    """Track filter: the tracks ``user`` reviews (reviewer, chair or lead of the track's MC)."""
    return Q(reviewers=user) | Q(chairs=user) | Q(microconference__leads=user)


def committee_track_ids(user, conference=None) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    tracks = Track.objects.filter(committee_q(user))
    if conference is not None:
        tracks = tracks.filter(conference=conference)
    return set(tracks.values_list("pk", flat=True).distinct())


def chair_track_ids(user) -> set[int]:
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Track.objects.filter(chairs=user).values_list("pk", flat=True))


def decider_track_ids(user, tracks: Iterable[Track]) -> set[int]:
    """Of ``tracks``, those whose proposals ``user`` decides: every one for an organizer,
    the tracks they chair for anyone else. One query for a whole list page."""
    tracks = list(tracks)
    if is_organizer(user):
        return {track.pk for track in tracks}
    chaired = chair_track_ids(user)
    return {track.pk for track in tracks if track.pk in chaired}


@rules.predicate
def is_committee_member(user) -> bool:
    """Reviews, chairs or leads at least one track (of any edition)."""
    return bool(committee_track_ids(user))


@rules.predicate
def is_track_committee(user, track) -> bool:
    return track is not None and track.pk in committee_track_ids(user)


@rules.predicate
def is_track_decider(user, track) -> bool:
    return track is not None and bool(decider_track_ids(user, [track]))


def _speaks(user, proposal) -> bool:
    return proposal.submitter_id == user.pk or proposal.co_speakers.filter(pk=user.pk).exists()


def _conflicted(user, proposal) -> bool:
    return proposal.conflicts.filter(reviewer=user).exists()


def is_involved(user, proposal) -> bool:
    """Submitted, co-speaks or declared a conflict: must not see nor judge the proposal."""
    if not getattr(user, "is_authenticated", False):
        return False
    return _speaks(user, proposal) or _conflicted(user, proposal)


@rules.predicate
def is_proposal_submitter(user, proposal) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and proposal is not None
        and proposal.submitter_id == user.pk
    )


@rules.predicate
def is_proposal_reviewer(user, proposal) -> bool:
    """Reviews ``proposal``, whatever its state: the triage page shows this person the
    review form (and answers 403 to a review posted by anyone else)."""
    return not is_involved(user, proposal) and is_track_committee(user, proposal.track)


@rules.predicate
def is_proposal_decider(user, proposal) -> bool:
    """Decides ``proposal``, whatever its state: the triage page shows this person the
    decision buttons (and answers 403 to a decision posted by anyone else)."""
    return not is_involved(user, proposal) and is_track_decider(user, proposal.track)


def sees_scores(user, proposal, *, reviewed_by_me: bool) -> bool:
    """Whether ``user`` sees the other reviews of ``proposal``: their scores, their mean and
    how many there are. A reviewer sees them once their own review is in (no anchoring);
    those who decide (chairs, organizers) always do. ``scores_visible_q`` is the same rule
    for a list of proposals; keep the two together."""
    return reviewed_by_me or is_proposal_decider(user, proposal)


def scores_visible_q(user, tracks: Iterable[Track], *, decider_ids=None) -> Q:
    """``sees_scores`` as a filter on proposals annotated with ``reviewed_by_me``;
    ``decider_ids`` is ``decider_track_ids(user, tracks)`` when the caller read it already."""
    if decider_ids is None:
        decider_ids = decider_track_ids(user, tracks)
    return Q(reviewed_by_me=True) | Q(track_id__in=sorted(decider_ids))


def is_invitee(user, invitation) -> bool:
    """The person an invitation to co-speak was sent to: a verified address of theirs is the
    invited one. Only they see the invitation and answer it."""
    return bool(getattr(user, "is_authenticated", False)) and (
        user.emailaddress_set.filter(email__iexact=invitation.email, verified=True).exists()
    )


# -------------------------------------------------------------------------------- states


@rules.predicate
def is_proposal_open_to_edits(user, proposal) -> bool:
    """In a state its submitter may still change (the window is a separate question)."""
    return proposal.state in EDITABLE_STATES


@rules.predicate
def is_proposal_withdrawable(user, proposal) -> bool:
    return proposal.state in WITHDRAWABLE_STATES


@rules.predicate
def is_proposal_withdrawn(user, proposal) -> bool:
    """Out of the CFP: nobody reviews nor decides it any more."""
    return proposal.state == Proposal.State.WITHDRAWN


@rules.predicate
def is_track_open(user, track) -> bool:
    """Open from ``opens_at`` up to and including the deadline's second (now)."""
    return track is not None and track.is_open()


def window_refusal(track: Track, *, verb: str, now: dt.datetime | None = None) -> str:
    """Why a proposal cannot be submitted (``verb="submit"``) or edited (``"edit"``) at
    ``now``; empty inside the track's window."""
    now = now or timezone.now()
    if not track.has_opened(now):
        return (
            f"{track.name} opens for proposals on {track.local_text(track.opens_at)}; "
            f"you cannot {verb} yet."
        )
    if not track.is_open(now):
        return (
            f"The deadline of {track.name} ({track.local_text(track.deadline)}) has passed; "
            f"your proposal was not {'saved' if verb == 'edit' else 'submitted'}."
        )
    return ""


def edit_refusal(user, proposal: Proposal, *, now: dt.datetime | None = None) -> str:
    if not is_proposal_submitter(user, proposal):
        return "Only the submitter can edit this proposal."
    if not is_proposal_open_to_edits(user, proposal):
        return f"This proposal is {proposal.get_state_display().lower()}; it cannot change."
    return window_refusal(proposal.track, verb="edit", now=now)


def withdraw_refusal(user, proposal: Proposal) -> str:
    if not is_proposal_submitter(user, proposal):
        return "Only the submitter can withdraw this proposal."
    if not is_proposal_withdrawable(user, proposal):
        return (
            f"This proposal is {proposal.get_state_display().lower()}; "
            "there is nothing to withdraw."
        )
    return ""


def review_refusal(user, proposal: Proposal) -> str:
    if getattr(user, "is_authenticated", False):
        if _speaks(user, proposal):
            return "You cannot review a proposal you submitted or co-speak."
        if _conflicted(user, proposal):
            return "You declared a conflict on this proposal; you cannot review it."
    if not is_track_committee(user, proposal.track):
        return f"You are not a reviewer of {proposal.track.name}."
    if is_proposal_withdrawn(user, proposal):
        return "This proposal was withdrawn; it no longer needs reviews."
    return ""


def decide_refusal(user, proposal: Proposal) -> str:
    if is_involved(user, proposal):
        return (
            f"You cannot decide on “{proposal.title}”: you submitted it, co-speak it or "
            "declared a conflict on it."
        )
    if not is_track_decider(user, proposal.track):
        return (
            f"Only a chair of {proposal.track.name} or an organizer can decide on "
            f"“{proposal.title}”."
        )
    if is_proposal_withdrawn(user, proposal):
        return f"“{proposal.title}” was withdrawn; it cannot be decided."
    if proposal.state == Proposal.State.DECLINED:
        return f"The speakers declined “{proposal.title}”; it cannot be decided."
    return ""


@rules.predicate
def is_proposal_speaker(user, proposal) -> bool:
    """Submitted or co-speaks ``proposal``: sees its own page and answers its acceptance."""
    return (
        getattr(user, "is_authenticated", False)
        and proposal is not None
        and _speaks(user, proposal)
    )


def answer_refusal(user, proposal: Proposal, *, answer: str) -> str:
    """Why ``user`` may not confirm (``answer="confirm"``) or decline (``"decline"``) the
    accepted ``proposal``; empty if they may."""
    if not is_proposal_speaker(user, proposal):
        return "Only the proposal's speakers can answer its acceptance."
    states = CONFIRMABLE_STATES if answer == "confirm" else DECLINABLE_STATES
    if proposal.state not in states:
        if answer == "confirm" and proposal.state == Proposal.State.CONFIRMED:
            return f"“{proposal.title}” is confirmed already."
        return (
            f"“{proposal.title}” is {proposal.get_state_display().lower()}; there is no "
            f"acceptance to {answer}."
        )
    return ""


@rules.predicate
def can_confirm_proposal(user, proposal) -> bool:
    return not answer_refusal(user, proposal, answer="confirm")


@rules.predicate
def can_decline_proposal(user, proposal) -> bool:
    return not answer_refusal(user, proposal, answer="decline")


@rules.predicate
def can_edit_proposal(user, proposal) -> bool:
    return not edit_refusal(user, proposal)


@rules.predicate
def can_withdraw_proposal(user, proposal) -> bool:
    return not withdraw_refusal(user, proposal)


@rules.predicate
def can_review_proposal(user, proposal) -> bool:
    return not review_refusal(user, proposal)


@rules.predicate
def can_decide_proposal(user, proposal) -> bool:
    return not decide_refusal(user, proposal)


# The triage area /cfp/review/: reviewers of at least one track, chairs and organizers.
can_use_triage = is_organizer | is_committee_member

# Asked by templates with {% test_rule %} (the speaker's list of proposals).
rules.add_rule("cfp.edit_proposal", can_edit_proposal)
rules.add_rule("cfp.withdraw_proposal", can_withdraw_proposal)
rules.add_rule("cfp.confirm_proposal", can_confirm_proposal)
rules.add_rule("cfp.decline_proposal", can_decline_proposal)
