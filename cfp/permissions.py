"""Who may do what in the CFP, as named predicates (django-rules).

Roles: a track's *committee* is its reviewers, its chairs and, for a microconference's
track, the leads of that microconference (they review it). Organizers see every track and
decide on every proposal. Nobody sees a proposal they submitted, co-speak or declared a
conflict on in the triage area.
"""

import rules
from django.db.models import Q

from plumbers.permissions import is_organizer, is_verified


def committee_q(user) -> Q:
    """Track filter: the tracks ``user`` reviews (reviewer, chair or lead of the track's MC)."""
    return Q(reviewers=user) | Q(chairs=user) | Q(microconference__leads=user)


def committee_track_ids(user, conference=None) -> set[int]:
    from cfp.models import Track

    if not getattr(user, "is_authenticated", False):
        return set()
    tracks = Track.objects.filter(committee_q(user))
    if conference is not None:
        tracks = tracks.filter(conference=conference)
    return set(tracks.values_list("pk", flat=True).distinct())


def chair_track_ids(user) -> set[int]:
    from cfp.models import Track

    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Track.objects.filter(chairs=user).values_list("pk", flat=True))


@rules.predicate
def is_committee_member(user) -> bool:
    """Reviews, chairs or leads at least one track (of any edition)."""
    return bool(committee_track_ids(user))


@rules.predicate
def is_track_committee(user, track) -> bool:
    return track is not None and track.pk in committee_track_ids(user)


@rules.predicate
def is_track_chair(user, track) -> bool:
    return track is not None and track.pk in chair_track_ids(user)


def is_involved(user, proposal) -> bool:
    """Submitted, co-speaks or declared a conflict: must not see nor judge the proposal."""
    if not getattr(user, "is_authenticated", False):
        return False
    if proposal.submitter_id == user.pk:
        return True
    if proposal.co_speakers.filter(pk=user.pk).exists():
        return True
    return proposal.conflicts.filter(reviewer=user).exists()


@rules.predicate
def is_proposal_involved(user, proposal) -> bool:
    return is_involved(user, proposal)


@rules.predicate
def is_proposal_submitter(user, proposal) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and proposal is not None
        and proposal.submitter_id == user.pk
    )


# The triage area /cfp/review/: reviewers of at least one track, chairs and organizers.
can_use_triage = is_organizer | is_committee_member
# One proposal in the triage area (seen, reviewed, conflict declared).
can_see_proposal_in_triage = ~is_proposal_involved & (
    is_organizer | rules.predicate(lambda user, proposal: is_track_committee(user, proposal.track))
)
# Writing a review: a member of the track's committee, not involved.
can_review_proposal = ~is_proposal_involved & rules.predicate(
    lambda user, proposal: is_track_committee(user, proposal.track)
)
# Accepting / rejecting: a chair of the track or an organizer, not involved.
can_decide_proposal = ~is_proposal_involved & (
    is_organizer | rules.predicate(lambda user, proposal: is_track_chair(user, proposal.track))
)
can_submit = is_verified

rules.add_perm("cfp.use_triage", can_use_triage)
rules.add_perm("cfp.see_proposal", can_see_proposal_in_triage)
rules.add_perm("cfp.review_proposal", can_review_proposal)
rules.add_perm("cfp.decide_proposal", can_decide_proposal)
rules.add_perm("cfp.submit_proposal", can_submit)
