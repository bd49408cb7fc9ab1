"""Reads of the CFP that several places share (pages, the home page, the registration app)."""

from collections import defaultdict

from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from cfp import ranking
from cfp.assignment import assignment_visible_q
from cfp.models import (
    ACCEPTED_STATES,
    Conflict,
    CoSpeakerInvitation,
    Proposal,
    Review,
    ReviewAssignment,
    Track,
)
from cfp.permissions import chair_track_ids, committee_track_ids, scores_visible_q
from microconferences.selectors import lead_user_ids
from plumbers.audit import audit_trail
from plumbers.models import Conference, User
from plumbers.permissions import is_organizer


def public_tracks(*, conference: Conference | None) -> QuerySet[Track]:
    """The tracks of an edition with their extensions, for the CFP page, the feed and home."""
    if conference is None:
        return Track.objects.none()
    return Track.objects.filter(conference=conference).with_extensions()


def my_proposals(*, user: User) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(submitter=user)
        .select_related("track", "track__conference")
        .prefetch_related(
            "co_speakers",
            Prefetch(
                "invitations",
                queryset=CoSpeakerInvitation.objects.filter(
                    state=CoSpeakerInvitation.State.PENDING
                ),
                to_attr="pending_invitations",
            ),
        )
        .order_by("-created_at", "-id")
    )


def my_co_speaking(*, user: User) -> QuerySet[Proposal]:
    return (
        Proposal.objects.filter(co_speakers=user)
        .select_related("track", "track__conference", "submitter")
        .order_by("-created_at", "-id")
    )


def open_invitation(*, token: str) -> CoSpeakerInvitation | None:
    return (
        CoSpeakerInvitation.objects.select_related(
            "proposal__track__conference", "proposal__submitter"
        )
        .filter(token=token, state=CoSpeakerInvitation.State.PENDING)
        .first()
    )


def my_invitations(*, user: User) -> QuerySet[CoSpeakerInvitation]:
    """Open invitations to the person's verified addresses (they may accept them)."""
    addresses = Q()
    for address in user.emailaddress_set.filter(verified=True).values_list("email", flat=True):
        addresses |= Q(email__iexact=address)
    if not addresses:
        return CoSpeakerInvitation.objects.none()
    return (
        CoSpeakerInvitation.objects.filter(addresses, state=CoSpeakerInvitation.State.PENDING)
        .select_related("proposal__track", "proposal__submitter")
        .order_by("created_at")
    )


def triage_tracks(*, user: User, conference: Conference | None) -> QuerySet[Track]:
    """Tracks whose proposals ``user`` may see in the triage area (all, for organizers)."""
    if conference is None:
        return Track.objects.none()
    tracks = Track.objects.filter(conference=conference)
    if not is_organizer(user):
        tracks = tracks.filter(pk__in=committee_track_ids(user, conference))
    return tracks.order_by("order", "name")


def _not_involved(queryset: QuerySet[Proposal], user: User) -> QuerySet[Proposal]:
    return (
        queryset.exclude(submitter=user)
        .exclude(pk__in=Proposal.co_speakers.through.objects.filter(user=user).values("proposal"))
        .exclude(pk__in=Conflict.objects.filter(reviewer=user).values("proposal"))
    )


def visible_proposals(*, user: User, conference: Conference | None) -> QuerySet[Proposal]:
    """Proposals ``user`` may see in the triage area, never their own, co-spoken or
    conflicted ones. Used for the list and to answer 404 on anything else."""
    if conference is None:
        return Proposal.objects.none()
    proposals = Proposal.objects.filter(track__conference=conference)
    if not is_organizer(user):
        proposals = proposals.filter(track__in=committee_track_ids(user, conference))
        # "Assigned only" tracks: a reviewer sees their assignments (cfp.assignment).
        proposals = proposals.filter(assignment_visible_q(user, chair_track_ids(user)))
    return _not_involved(proposals, user)


def triage_list(
    *,
    user: User,
    conference: Conference | None,
    track: Track | None = None,
    state: str = "",
    unreviewed_by_me: bool = False,
    sort: str = "",
    assigned_to_me: bool = False,
) -> QuerySet[Proposal]:
    """The triage list: annotated with mean score, review count and my review, in a fixed
    number of queries however many proposals there are (subqueries, no per-row reads).

    The mean and the count are None where the person may not see them yet (``sees_scores``),
    so neither the columns nor sorting by them tell anything before the person's own review.
    """
    reviews = Review.objects.filter(proposal=OuterRef("pk"))
    visible = visible_proposals(user=user, conference=conference)
    shown = scores_visible_q(user, Track.objects.filter(proposals__in=visible).distinct())

    def when_shown(value):
        return Case(When(shown, then=value), default=None, output_field=value.output_field)

    proposals = (
        visible.select_related("track", "submitter")
        .annotate(
            my_score=Subquery(reviews.filter(reviewer=user).values("score")[:1]),
            reviewed_by_me=Exists(reviews.filter(reviewer=user)),
        )
        .annotate(
            mean_score=when_shown(
                Subquery(
                    reviews.values("proposal").annotate(m=Avg("score")).values("m")[:1],
                    output_field=FloatField(),
                )
            ),
            score_spread=when_shown(ranking.stat_expressions()["score_spread"]),
            weighted_score=when_shown(ranking.stat_expressions()["weighted_score"]),
            assigned_to_me=Exists(
                ReviewAssignment.objects.filter(proposal=OuterRef("pk"), reviewer=user)
            ),
            review_count=when_shown(
                Coalesce(
                    Subquery(
                        reviews.values("proposal").annotate(c=Count("pk")).values("c")[:1],
                        output_field=IntegerField(),
                    ),
                    Value(0),
                )
            ),
        )
    )
    if track is not None:
        proposals = proposals.filter(track=track)
    if state:
        proposals = proposals.filter(state=state)
    if unreviewed_by_me:
        proposals = proposals.filter(reviewed_by_me=False)
    if assigned_to_me:
        proposals = proposals.filter(assigned_to_me=True)
    orderings = {
        "score": [F("mean_score").desc(nulls_last=True), "-review_count", "pk"],
        "-score": [F("mean_score").asc(nulls_last=True), "-review_count", "pk"],
        "reviews": [F("review_count").asc(nulls_last=True), "pk"],
        "-reviews": [F("review_count").desc(nulls_last=True), "pk"],
    }
    return proposals.order_by(*orderings.get(sort, ["created_at", "pk"]))


def next_unreviewed(*, user: User, conference: Conference | None, track: Track | None = None):
    """The proposal a reviewer should look at next: submitted, in a track they review, not
    reviewed by them yet, fewest reviews first, oldest first."""
    if conference is None:
        return None
    reviews = Review.objects.filter(proposal=OuterRef("pk"))
    proposals = (
        visible_proposals(user=user, conference=conference)
        .filter(
            state=Proposal.State.SUBMITTED,
            track__in=committee_track_ids(user, conference),
        )
        .filter(~Exists(reviews.filter(reviewer=user)))
        .annotate(
            n=Count("reviews"),
            mine=Exists(ReviewAssignment.objects.filter(proposal=OuterRef("pk"), reviewer=user)),
        )
    )
    if track is not None:
        proposals = proposals.filter(track=track)
    # Assigned to me first (cfp.assignment), then the least reviewed, oldest first.
    return proposals.order_by("-mine", "n", "created_at", "pk").first()


def _mc_lead_ids(conference: Conference) -> set[int]:
    return lead_user_ids(conference=conference)


def content_contributor_user_ids(*, conference: Conference) -> set[int]:
    """Users who contribute content to ``conference``: submitters and co-speakers of its
    accepted proposals (confirmed ones included, declined ones not), and leads of its
    accepted microconferences. The registration app uses this for its waitlist priority
    rule (two or three queries, any number of users)."""
    accepted = Proposal.objects.filter(
        track__conference=conference, state__in=sorted(ACCEPTED_STATES)
    )
    ids = set(accepted.values_list("submitter_id", flat=True))
    ids |= set(
        Proposal.co_speakers.through.objects.filter(proposal__in=accepted).values_list(
            "user_id", flat=True
        )
    )
    return ids | _mc_lead_ids(conference)


def contributor_reasons(*, user: User, conference: Conference) -> list[str]:
    """The CFP's part of why ``user`` contributes content to ``conference`` (speaker, MC
    lead). The whole rule, MC pass holders included, is registration's
    ``selectors.content_contributors``; this only feeds it."""
    if not getattr(user, "is_authenticated", False):
        return []
    reasons = []
    speaks = Proposal.objects.filter(
        Q(submitter=user) | Q(co_speakers=user),
        track__conference=conference,
        state__in=sorted(ACCEPTED_STATES),
    ).exists()
    if speaks:
        reasons.append("speaker")
    if user.pk in _mc_lead_ids(conference):
        reasons.append("microconference lead")
    return reasons


# What the speakers' page of a proposal says about each step of its record, by audit action.
# Only these are shown: reviews, conflicts and who in the committee decided stay private.
_SPEAKER_EVENTS = {
    "proposal_submit": "Submitted by {actor}",
    "proposal_create": "Entered by the organizers",
    "proposal_withdraw": "Withdrawn by {actor}",
    "proposal_confirm": "Confirmed by {actor}",
    "proposal_decline": "Declined by {actor}",
    "mc_proposal_became_microconference": "Became a microconference",
}
_DECISIONS = {
    Proposal.State.ACCEPTED: "Accepted by the committee",
    Proposal.State.REJECTED: "Not accepted by the committee",
}


def speaker_history(*, proposal: Proposal) -> list[dict]:
    """The proposal's state changes for its speakers, oldest first, from the audit log:
    ``{"at", "text", "reason"}``. One query."""
    events = []
    for row in (
        audit_trail(proposal)
        .filter(action__in=[*_SPEAKER_EVENTS, "proposal_decide"])
        .order_by("at", "pk")
    ):
        if row.action == "proposal_decide":
            text = _DECISIONS.get(row.to_state)
            reason = ""
        else:
            text = _SPEAKER_EVENTS[row.action].format(actor=row.actor or "an organizer")
            reason = row.reason if row.action in ("proposal_withdraw", "proposal_decline") else ""
        if row.action == "proposal_submit" and (row.data or {}).get("late"):
            text += " after the deadline, with a late-submission code"
        if text:
            events.append({"at": row.at, "text": text, "reason": reason, "action": row.action})
    return events


# ------------------------------------------------ review depth (issue 14, the reviewers' half)

DECISION_SENT_STATES = frozenset(
    {
        Proposal.State.ACCEPTED,
        Proposal.State.REJECTED,
        Proposal.State.CONFIRMED,
        Proposal.State.DECLINED,
    }
)


def speaker_comments(*, proposal: Proposal) -> list[str]:
    """The reviewers' comments to the speakers of ``proposal``, without their names, once the
    decision is sent (and only where the track lets reviewers write to speakers)."""
    if proposal.state not in DECISION_SENT_STATES or not proposal.track.speaker_comments:
        return []
    return list(
        Review.objects.filter(proposal=proposal)
        .exclude(speaker_comment="")
        .order_by("created_at", "pk")
        .values_list("speaker_comment", flat=True)
    )


def review_pairs(*, conference: Conference) -> list[dict]:
    """One row per (track, reviewer) of the edition with ``done`` and ``due``: the one rule
    of reviews due (the dashboard counts them, bulk mail's "reviewers with reviews due"
    segment selects by them). A reviewer owes a review of each submitted proposal of the
    track except their own, co-spoken or conflicted ones; in an "assigned only" track, of
    those assigned to them.

    Six flat queries (the pairs, the edition's proposals, and the reviewers' co-speaking,
    conflicts, reviews and assignments), counted here: correlated subqueries per pair took
    over a second at 2,000 proposals and 70 pairs; this takes a few milliseconds."""
    pairs = list(
        Track.reviewers.through.objects.filter(track__conference=conference)
        .values("track_id", "track__assigned_only", "user_id", "user__display_name", "user__email")
        .order_by("user__display_name", "user__email", "track_id")
    )
    reviewer_ids = {pair["user_id"] for pair in pairs}
    proposals = (
        Proposal.objects.filter(track__conference=conference)
        .exclude(state=Proposal.State.WITHDRAWN)
        .values_list("id", "track_id", "state", "submitter_id")
    )
    by_track: dict[int, list[tuple[int, str, int]]] = defaultdict(list)
    for pk, track_id, state, submitter_id in proposals:
        by_track[track_id].append((pk, state, submitter_id))
    in_edition = Q(proposal__track__conference=conference)
    involved = set(
        Proposal.co_speakers.through.objects.filter(
            Q(proposal__track__conference=conference), user_id__in=reviewer_ids
        ).values_list("proposal_id", "user_id")
    )
    involved |= set(
        Conflict.objects.filter(in_edition, reviewer_id__in=reviewer_ids).values_list(
            "proposal_id", "reviewer_id"
        )
    )
    reviewed = set(
        Review.objects.filter(in_edition, reviewer_id__in=reviewer_ids).values_list(
            "proposal_id", "reviewer_id"
        )
    )
    assigned = set(
        ReviewAssignment.objects.filter(in_edition, reviewer_id__in=reviewer_ids).values_list(
            "proposal_id", "reviewer_id"
        )
    )
    for pair in pairs:
        user_id, done, due = pair["user_id"], 0, 0
        only_assigned = pair.pop("track__assigned_only")
        for pk, state, submitter_id in by_track.get(pair["track_id"], ()):
            if submitter_id == user_id or (pk, user_id) in involved:
                continue
            if only_assigned and (pk, user_id) not in assigned and (pk, user_id) not in reviewed:
                continue  # an "assigned only" track asks for the assigned proposals
            if (pk, user_id) in reviewed:
                done += 1
            elif state == Proposal.State.SUBMITTED:
                due += 1
        pair["done"], pair["due"] = done, due
    return pairs
