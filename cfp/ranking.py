"""A ranking the committee can trust: per proposal the number of reviews, the mean, the
median, the spread (max − min) and the confidence-weighted mean (Σ score·confidence /
Σ confidence).

All five come from one query for the scores of all listed proposals together, computed
here (``attach_stats``), so a list of any length costs the same queries. They used to be
SQL aggregates in correlated subqueries (the median apart: SQLite cannot aggregate it);
building and compiling those four subqueries cost the triage list more time than running
the whole query. ``SORTS`` is the one list of sort keys the pages accept.
"""

import statistics
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import QuerySet

from cfp.models import Proposal, Review

# Scores run from -2 to +2: a spread of 3 or more (e.g. -1 and +2) means the reviewers
# disagree and the chairs should read the reviews before trusting the mean.
DISAGREEMENT_SPREAD = 3

# Sort key → (label, attribute, highest first?). "oldest" is the default order.
SORTS = {
    "score": ("Mean score, highest first", "mean_score", True),
    "-score": ("Mean score, lowest first", "mean_score", False),
    "weighted": ("Confidence-weighted mean, highest first", "weighted_score", True),
    "median": ("Median, highest first", "median_score", True),
    "spread": ("Spread, largest first (reviewers disagree)", "score_spread", True),
    "reviews": ("Fewest reviews first", "review_count", False),
    "-reviews": ("Most reviews first", "review_count", True),
}
RANKED_BY = {key: SORTS[key] for key in ("weighted", "score", "median")}


def attach_stats(proposals: Sequence, *, reviews: QuerySet[Review] | None = None) -> None:
    """Set ``review_count``, ``mean_score``, ``median_score``, ``score_spread`` and
    ``weighted_score`` on each of ``proposals`` (None without reviews; the count is 0): one
    query for all of them. Works on any objects with a ``pk`` (the triage list's rows).

    ``reviews``: a set of reviews that holds all those of ``proposals`` (say, of their
    tracks), for long lists: an IN list of hundreds of ids costs more to build than the
    query costs to run."""
    scores = defaultdict(list)
    if proposals:
        if reviews is None:
            reviews = Review.objects.filter(proposal_id__in=[p.pk for p in proposals])
        wanted = {p.pk for p in proposals}
        for pk, score, confidence in reviews.order_by().values_list(
            "proposal_id", "score", "confidence"
        ):
            if pk in wanted:
                scores[pk].append((score, confidence))
    for proposal in proposals:
        pairs = scores.get(proposal.pk, ())
        values = [score for score, _confidence in pairs]
        weight = sum(confidence for _score, confidence in pairs)
        proposal.review_count = len(values)
        proposal.mean_score = statistics.fmean(values) if values else None
        proposal.median_score = statistics.median(values) if values else None
        proposal.score_spread = max(values) - min(values) if values else None
        proposal.weighted_score = (
            sum(score * confidence for score, confidence in pairs) / weight if weight else None
        )


STATS = ("review_count", "mean_score", "median_score", "score_spread", "weighted_score")


def hide_stats(proposal) -> None:
    """Blank a proposal's statistics (the viewer may not see them yet: ``sees_scores``)."""
    for name in STATS:
        setattr(proposal, name, None)


def flag(proposal: Proposal, *, min_reviews: int | None) -> None:
    """Set ``disagree`` (high spread) and ``short_of_k`` (fewer reviews than wanted)."""
    spread = getattr(proposal, "score_spread", None)
    count = getattr(proposal, "review_count", None)
    proposal.disagree = spread is not None and spread >= DISAGREEMENT_SPREAD
    proposal.short_of_k = count is not None and min_reviews is not None and count < min_reviews


def sort_key(value: str) -> str:
    """A validated sort parameter: a key of ``SORTS``, or "" (oldest first)."""
    return value if value in SORTS else ""


def sort_proposals(proposals: list[Proposal], key: str) -> list[Proposal]:
    """Sort by a statistic; proposals whose statistic is unknown (no reviews, or not visible
    yet) come last; ties keep the order given (oldest first), except equal means, where the
    proposal more reviewers judged comes first."""
    if key not in SORTS:
        return proposals
    _label, attr, highest_first = SORTS[key]
    known = [p for p in proposals if getattr(p, attr, None) is not None]
    unknown = [p for p in proposals if getattr(p, attr, None) is None]

    def value(p):
        if attr == "mean_score":  # equal means: more reviews first
            return (p.mean_score, p.review_count if highest_first else -p.review_count)
        return getattr(p, attr)

    known.sort(key=value, reverse=highest_first)
    return known + unknown


def ranked_track(*, track, by: str = "weighted", proposals=None) -> list[Proposal]:
    """The chairs' ranked table of ``track``: every proposal still in the running (not
    withdrawn) of ``proposals`` (default: all of the track; pages pass what the viewer may
    see), with its statistics, best first. Three queries whatever the number of proposals."""
    base = Proposal.objects.all() if proposals is None else proposals
    proposals = list(
        base.filter(track=track)
        .exclude(state=Proposal.State.WITHDRAWN)
        .select_related("submitter")
        .prefetch_related("co_speakers")
        .order_by("created_at", "pk")
    )
    attach_stats(proposals, reviews=Review.objects.filter(proposal__track=track))
    for proposal in proposals:
        flag(proposal, min_reviews=track.min_reviews)
    return sort_proposals(proposals, by if by in RANKED_BY else "weighted")
