"""Reads of the CFP that several places share (pages, the home page, the registration app)."""

from collections import defaultdict
from dataclasses import dataclass
from types import SimpleNamespace

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)

from cfp import anonymity, ranking
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
from cfp.permissions import (
    chair_track_ids,
    committee_q,
    committee_track_ids,
    decider_track_ids,
    is_committee_member,
    scores_visible_q,
)
from microconferences.selectors import lead_user_ids
from plumbers.audit import audit_trail
from plumbers.fragments import request_content_version
from plumbers.models import Conference, User
from plumbers.permissions import is_organizer


def public_tracks(*, conference: Conference | None) -> QuerySet[Track]:
    """The tracks of an edition with their extensions, for the CFP page, the feed and home."""
    if conference is None:
        return Track.objects.none()
    return Track.objects.filter(conference=conference).with_extensions()


def _speaking(user: User) -> QuerySet[Proposal]:
    """The proposals ``user`` submitted or co-speaks, newest first."""
    co_spoken = Proposal.co_speakers.through.objects.filter(user=user).values("proposal")
    return Proposal.objects.filter(Q(submitter=user) | Q(pk__in=co_spoken)).order_by(
        "-created_at", "-id"
    )


def _split(user: User, proposals) -> tuple[list[Proposal], list[Proposal]]:
    mine, co_speaking = [], []
    for proposal in proposals:
        (mine if proposal.submitter_id == user.pk else co_speaking).append(proposal)
    return mine, co_speaking


def my_proposals_page(*, user: User) -> dict:
    """The page "My proposals", of every edition: the person's proposals with their
    co-speakers and the invitations still open (``proposals``), those they co-speak
    (``co_speaking``), and the invitations to co-speak they may answer (``invitations``).
    Three queries: the proposals of both kinds, their co-speakers, and the open invitations
    of both kinds."""
    proposals, co_speaking = _split(
        user,
        _speaking(user)
        .select_related("track", "track__conference", "submitter")
        .prefetch_related("co_speakers"),
    )
    invitations = (
        _open_invitations()
        .annotate(to_me=Exists(_verified_address(user)))
        .filter(Q(to_me=True) | Q(proposal__submitter=user))
        .select_related("proposal__track", "proposal__submitter")
        .order_by("created_at", "pk")
    )
    pending: dict[int, list[CoSpeakerInvitation]] = defaultdict(list)
    to_me = []
    for invitation in invitations:
        if invitation.proposal.submitter_id == user.pk:
            pending[invitation.proposal_id].append(invitation)
        if invitation.to_me:
            to_me.append(invitation)
    for proposal in proposals:
        proposal.pending_invitations = pending.get(proposal.pk, [])
    return {"proposals": proposals, "co_speaking": co_speaking, "invitations": to_me}


def my_edition_proposals(*, user: User, conference: Conference) -> dict[str, list[Proposal]]:
    """For the personal page: the person's proposals of ``conference`` (``proposals``) and
    those they co-speak (``co_speaking``), newest first, with track and submitter: one
    query for both."""
    proposals, co_speaking = _split(
        user,
        _speaking(user).filter(track__conference=conference).select_related("track", "submitter"),
    )
    return {"proposals": proposals, "co_speaking": co_speaking}


def open_invitation(*, token: str) -> CoSpeakerInvitation | None:
    return (
        CoSpeakerInvitation.objects.select_related(
            "proposal__track__conference", "proposal__submitter"
        )
        .filter(token=token, state=CoSpeakerInvitation.State.PENDING)
        .first()
    )


def _open_invitations() -> QuerySet[CoSpeakerInvitation]:
    return CoSpeakerInvitation.objects.filter(state=CoSpeakerInvitation.State.PENDING)


def _verified_address(user: User):
    """A verified address of ``user`` is the invitation's (for ``Exists``): who may answer
    an invitation (``permissions.is_invitee``), as a filter."""
    return user.emailaddress_set.filter(verified=True, email__iexact=OuterRef("email"))


# The header's "Review" link: how long a person's committee membership is remembered across
# requests. The key holds the content version, which any change of a committee bumps
# (``plumbers.pagecache``: m2m_changed), so this only bounds a change committed after the
# version was read; the link is all it decides (the triage pages check in the database).
SEES_TRIAGE_TTL = 300


def sees_triage(user, *, request=None) -> bool:
    """Whether ``user`` may use the triage area (``can_use_triage``: an organizer, or on the
    committee of a track of any edition), for the header of every signed-in page: asked
    once per request (remembered on the user), and the committee part from the shared cache
    across requests, so the header costs no query of its own (the organizer role is read
    for the header's other links anyway)."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_plumbers_reviews", None)
    if cached is None:
        cached = is_organizer(user) or _committee_member(user, request)
        user._plumbers_reviews = cached
    return cached


def note_sees_triage(user) -> None:
    """A triage page let ``user`` in: the header need not ask again in this request."""
    user._plumbers_reviews = True


def _committee_member(user, request) -> bool:
    if not settings.PLUMBERS_FRAGMENT_CACHE:
        return is_committee_member(user)
    version = request_content_version(request)
    if getattr(cache, "degraded", False):
        return is_committee_member(user)  # no content version to trust while Redis is away
    key = f"cfp:committee-member:{version}:{user.pk}"
    member = cache.get(key)
    if member is None:
        member = is_committee_member(user)
        cache.set(key, member, SEES_TRIAGE_TTL)
    return member


def triage_tracks(*, user: User, conference: Conference | None) -> QuerySet[Track]:
    """Tracks whose proposals ``user`` may see in the triage area (all, for organizers). One
    query: the committee rule (``committee_q``) is a subquery, not a list read first."""
    if conference is None:
        return Track.objects.none()
    tracks = Track.objects.filter(conference=conference)
    if not is_organizer(user):
        tracks = tracks.filter(pk__in=Track.objects.filter(committee_q(user)).values("pk"))
    return tracks.order_by("order", "name")


@dataclass(frozen=True)
class TriageScope:
    """What every triage page asks about its viewer, read once per request: the tracks they
    see (with their conference), those whose proposals they decide (``decider_track_ids``) and
    those whose speakers are hidden from them (``anonymity``). Three queries at most (two for
    an organizer, whose role is read once per request anyway); each selector below used to
    read the same roles again, up to ten queries per page."""

    user: User
    conference: Conference | None
    tracks: tuple[Track, ...]
    organizer: bool
    decider_ids: frozenset[int]
    hidden_ids: frozenset[int]

    @property
    def track_ids(self) -> frozenset[int]:
        return frozenset(track.pk for track in self.tracks)


def triage_scope(*, user: User, conference: Conference | None) -> TriageScope:
    tracks = tuple(triage_tracks(user=user, conference=conference).select_related("conference"))
    deciders = decider_track_ids(user, tracks)
    return TriageScope(
        user=user,
        conference=conference,
        tracks=tracks,
        organizer=is_organizer(user),
        decider_ids=frozenset(deciders),
        hidden_ids=frozenset(anonymity.hidden_speaker_track_ids(user, tracks, deciders=deciders)),
    )


def _not_involved(queryset: QuerySet[Proposal], user: User) -> QuerySet[Proposal]:
    return queryset.exclude(
        Q(submitter=user)
        | Q(pk__in=Proposal.co_speakers.through.objects.filter(user=user).values("proposal"))
        | Q(pk__in=Conflict.objects.filter(reviewer=user).values("proposal"))
    )


def visible_proposals(
    *, user: User, conference: Conference | None, scope: TriageScope | None = None
) -> QuerySet[Proposal]:
    """Proposals ``user`` may see in the triage area, never their own, co-spoken or
    conflicted ones. Used for the list and to answer 404 on anything else. With ``scope``
    (``triage_scope``) the roles it holds are not read again."""
    if conference is None:
        return Proposal.objects.none()
    proposals = Proposal.objects.filter(track__conference=conference)
    if scope is not None:
        if not scope.organizer:
            proposals = proposals.filter(track__in=sorted(scope.track_ids))
            # A chair chairs only tracks they are on the committee of, so the tracks they
            # decide in this edition are all the chaired ones that can matter here; without
            # an "assigned only" track they do not chair, the filter keeps everything.
            if any(t.assigned_only and t.pk not in scope.decider_ids for t in scope.tracks):
                proposals = proposals.filter(assignment_visible_q(user, scope.decider_ids))
    elif not is_organizer(user):
        proposals = proposals.filter(track__in=committee_track_ids(user, conference))
        # "Assigned only" tracks: a reviewer sees their assignments (cfp.assignment).
        proposals = proposals.filter(assignment_visible_q(user, chair_track_ids(user)))
    return _not_involved(proposals, user)


class TriageRow(SimpleNamespace):
    """A proposal of the triage list as plain values (``triage_list(fields=...)``): no model
    instances, for a page that shows a few columns of hundreds of proposals."""


def triage_list(
    *,
    user: User,
    conference: Conference | None,
    track: Track | None = None,
    state: str = "",
    unreviewed_by_me: bool = False,
    sort: str = "",
    assigned_to_me: bool = False,
    scope: TriageScope | None = None,
    fields: tuple[str, ...] = (),
    prefetch: tuple[str, ...] = (),
) -> list:
    """The triage list, sorted: each proposal with ``my_score``, ``reviewed_by_me``,
    ``assigned_to_me`` and the statistics of ``ranking`` (count, mean, median, spread,
    weighted mean), in a fixed number of queries however many proposals there are: the
    proposals (one query, subqueries for my review and my assignment) and their scores (one).

    The statistics are None where the person may not see them yet (``scores_visible_q``,
    answered by the database for each proposal), so neither the columns nor sorting by them
    tell anything before the person's own review. ``scope`` (``triage_scope``) saves reading
    the viewer's roles again; with ``fields`` the list holds ``TriageRow``s of those fields
    (and the ones above) instead of proposals with their track and submitter.
    """
    if scope is None:
        scope = triage_scope(user=user, conference=conference)
    mine = Review.objects.filter(proposal=OuterRef("pk"), reviewer=user)
    shown = scores_visible_q(user, scope.tracks, decider_ids=scope.decider_ids)
    proposals = visible_proposals(user=user, conference=conference, scope=scope).annotate(
        my_score=Subquery(mine.values("score")[:1]),
        reviewed_by_me=Exists(mine),
        assigned_to_me=Exists(
            ReviewAssignment.objects.filter(proposal=OuterRef("pk"), reviewer=user)
        ),
    )
    proposals = proposals.annotate(
        scores_visible=ExpressionWrapper(shown, output_field=BooleanField())
    )
    filters = Q()
    if track is not None:
        filters &= Q(track=track)
    if state:
        filters &= Q(state=state)
    if unreviewed_by_me:
        filters &= Q(reviewed_by_me=False)
    if assigned_to_me:
        filters &= Q(assigned_to_me=True)
    proposals = proposals.filter(filters).order_by("created_at", "pk")
    personal = ("my_score", "reviewed_by_me", "assigned_to_me", "scores_visible")
    if fields:
        rows = [TriageRow(**values) for values in proposals.values(*fields, *personal)]
    else:
        rows = list(proposals.select_related("track", "submitter").prefetch_related(*prefetch))
    # The scores of the listed tracks (a few ids), not of hundreds of listed proposals.
    reviews = Review.objects.filter(proposal__track__conference=conference)
    if track is not None:
        reviews = reviews.filter(proposal__track=track)
    elif not scope.organizer:
        reviews = reviews.filter(proposal__track__in=sorted(scope.track_ids))
    ranking.attach_stats([row for row in rows if row.scores_visible], reviews=reviews)
    for row in rows:
        if not row.scores_visible:
            ranking.hide_stats(row)
    return ranking.sort_proposals(rows, ranking.sort_key(sort))


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
