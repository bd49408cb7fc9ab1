"""Who reviews what: the automatic assignment plan, and the reads it needs.

``plan`` is a pure function (tested with hypothesis in tests/cfp/test_assignment.py); the
service ``cfp.services.assignment_auto`` feeds it from the database and stores the result.

The rules of a plan, for one track:

* never a reviewer in conflict: the submitter, a co-speaker, or someone who declared a
  conflict on the proposal (``excluded``);
* every proposal reaches ``k`` reviewers (those assigned before, those who already reviewed
  it, and the new ones) wherever enough eligible reviewers exist, otherwise as many as exist;
* balanced by load (proposals of the track a reviewer covers): a new assignment never stays
  with a reviewer who has two or more above another eligible, willing reviewer who could take
  it. Without conflicts, loads end within one of each other;
* preferences: among the least loaded, the eager come first; a reviewer who asked to be
  spared (``avoid``) is given a proposal only when the others cannot bring it to ``k``.
"""

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from cfp.models import Conflict, Proposal, Review, ReviewAssignment, ReviewerPreference, Track

LEVEL_RANK = {"eager": 0, "willing": 1, "avoid": 2}


def plan(
    *,
    proposals: Iterable[int],
    reviewers: Iterable[int],
    k: int,
    covered: dict[int, set[int]] | None = None,
    excluded: dict[int, set[int]] | None = None,
    loads: dict[int, int] | None = None,
    levels: dict[int, str] | None = None,
) -> list[tuple[int, int]]:
    """New (proposal, reviewer) pairs bringing each proposal to ``k`` reviewers.

    ``covered``: reviewers a proposal already has (assigned or reviewed); ``excluded``: those
    in conflict; ``loads``: proposals each reviewer already covers; ``levels``: each
    reviewer's preference ("eager", "willing", "avoid"; default willing)."""
    proposals = sorted(set(proposals))
    reviewers = sorted(set(reviewers))
    covered = {p: set((covered or {}).get(p, ())) for p in proposals}
    excluded = {p: set((excluded or {}).get(p, ())) for p in proposals}
    levels = levels or {}
    load = {r: (loads or {}).get(r, 0) for r in reviewers}

    def avoids(r):
        return levels.get(r) == "avoid"

    def eligible(p, r):
        return r not in covered[p] and r not in excluded[p]

    # The most constrained proposals (fewest eligible reviewers) choose first; one more
    # reviewer per proposal per round spreads the load evenly.
    order = sorted(proposals, key=lambda p: (sum(1 for r in reviewers if eligible(p, r)), p))
    new: list[tuple[int, int]] = []
    for _round in range(max(k, 0)):
        for p in order:
            if len(covered[p]) >= k:
                continue
            candidates = [r for r in reviewers if eligible(p, r)]
            pool = [r for r in candidates if not avoids(r)] or candidates
            if not pool:
                continue
            r = min(pool, key=lambda r: (load[r], LEVEL_RANK.get(levels.get(r), 1), r))
            covered[p].add(r)
            load[r] += 1
            new.append((p, r))

    # Rebalance: move a new assignment from a reviewer two or more above another who could
    # take it (both willing, or both "avoid"); the sum of squared loads falls at every move.
    moved = True
    while moved:
        moved = False
        for i, (p, a) in enumerate(new):
            for b in sorted(reviewers, key=lambda r: (load[r], r)):
                if load[a] < load[b] + 2:
                    break
                if avoids(a) != avoids(b) or not eligible(p, b):
                    continue
                covered[p].discard(a)
                covered[p].add(b)
                load[a] -= 1
                load[b] += 1
                new[i] = (p, b)
                moved = True
                break
    return sorted(new)


# ------------------------------------------------------------------------------- reads


def assignable_proposals(track: Track):
    """The proposals of ``track`` that still want reviewers: submitted ones."""
    return Proposal.objects.filter(track=track, state=Proposal.State.SUBMITTED)


def track_reviewer_ids(track: Track) -> list[int]:
    """The reviewers automatic assignment draws from: the track's reviewers and, for a
    microconference's track, its leads."""
    ids = set(track.reviewers.values_list("pk", flat=True))
    if track.microconference_id:
        ids |= set(track.microconference.leads.values_list("pk", flat=True))
    return sorted(ids)


def track_state(track: Track) -> dict:
    """Everything ``plan`` needs about ``track``, in a fixed number of queries."""
    proposal_ids = list(assignable_proposals(track).values_list("pk", flat=True))
    covered: dict[int, set[int]] = defaultdict(set)
    for p, r in ReviewAssignment.objects.filter(proposal__track=track).values_list(
        "proposal_id", "reviewer_id"
    ):
        covered[p].add(r)
    for p, r in Review.objects.filter(proposal__track=track).values_list(
        "proposal_id", "reviewer_id"
    ):
        covered[p].add(r)
    excluded: dict[int, set[int]] = defaultdict(set)
    for p, r in Proposal.objects.filter(pk__in=proposal_ids).values_list("pk", "submitter_id"):
        excluded[p].add(r)
    for p, r in Proposal.co_speakers.through.objects.filter(
        proposal_id__in=proposal_ids
    ).values_list("proposal_id", "user_id"):
        excluded[p].add(r)
    for p, r in Conflict.objects.filter(proposal_id__in=proposal_ids).values_list(
        "proposal_id", "reviewer_id"
    ):
        excluded[p].add(r)
    loads: dict[int, int] = defaultdict(int)
    for reviewers in covered.values():
        for r in reviewers:
            loads[r] += 1
    levels = dict(
        ReviewerPreference.objects.filter(track=track).values_list("reviewer_id", "level")
    )
    return {
        "proposals": proposal_ids,
        "reviewers": track_reviewer_ids(track),
        "covered": dict(covered),
        "excluded": dict(excluded),
        "loads": dict(loads),
        "levels": levels,
    }


def assignment_visible_q(user, chaired_track_ids: Iterable[int]) -> Q:
    """Proposal filter: in an "assigned only" track a reviewer sees what is assigned to them
    and what they reviewed; its chairs see everything (organizers are not filtered)."""
    return (
        Q(track__assigned_only=False)
        | Q(track_id__in=sorted(chaired_track_ids))
        | Q(pk__in=ReviewAssignment.objects.filter(reviewer=user).values("proposal"))
        | Q(pk__in=Review.objects.filter(reviewer=user).values("proposal"))
    )


def my_assignment_counts(*, user, conference) -> list[dict]:
    """Per track: proposals assigned to ``user`` and how many of them are left to review
    (submitted, not reviewed by them). Two queries."""
    from django.db.models import Count, Exists, OuterRef

    rows = (
        ReviewAssignment.objects.filter(reviewer=user, proposal__track__conference=conference)
        .annotate(
            reviewed=Exists(
                Review.objects.filter(proposal=OuterRef("proposal"), reviewer=OuterRef("reviewer"))
            )
        )
        .values("proposal__track_id", "proposal__track__name", "reviewed", "proposal__state")
        .annotate(n=Count("pk"))
    )
    by_track: dict[int, dict] = {}
    for row in rows:
        entry = by_track.setdefault(
            row["proposal__track_id"],
            {"track_id": row["proposal__track_id"], "track": row["proposal__track__name"]},
        )
        entry["assigned"] = entry.get("assigned", 0) + row["n"]
        left = not row["reviewed"] and row["proposal__state"] == Proposal.State.SUBMITTED
        entry["left"] = entry.get("left", 0) + (row["n"] if left else 0)
    return sorted(by_track.values(), key=lambda e: e["track"])
