"""A ranking the committee can trust: per proposal the number of reviews, the mean, the
median, the spread (max − min) and the confidence-weighted mean (Σ score·confidence /
Σ confidence).

Count, mean, spread and weighted mean are SQL aggregates in correlated subqueries, so a list
of any length costs the same queries; the median (which SQLite cannot aggregate) is one more
query for the scores of all listed proposals together. ``SORTS`` is the one list of sort
keys the pages accept.
"""

import statistics
from collections import defaultdict
from collections.abc import Sequence

from django.db.models import (
    Avg,
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce

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


def _per_proposal(aggregate, output_field):
    reviews = Review.objects.filter(proposal=OuterRef("pk")).order_by()
    return Subquery(
        reviews.values("proposal").annotate(v=aggregate).values("v")[:1],
        output_field=output_field,
    )


def stat_expressions() -> dict:
    """The SQL part of the statistics, as annotations for a proposal queryset."""
    weighted = ExpressionWrapper(
        Cast(Sum(F("score") * F("confidence")), FloatField())
        / Cast(Sum("confidence"), FloatField()),
        output_field=FloatField(),
    )
    return {
        "review_count": Coalesce(
            _per_proposal(Count("pk"), IntegerField()), Value(0), output_field=IntegerField()
        ),
        "mean_score": _per_proposal(Avg("score"), FloatField()),
        "score_spread": _per_proposal(Max("score") - Min("score"), IntegerField()),
        "weighted_score": _per_proposal(weighted, FloatField()),
    }


def with_stats(queryset: QuerySet[Proposal]) -> QuerySet[Proposal]:
    return queryset.annotate(**stat_expressions())


def attach_medians(proposals: Sequence[Proposal]) -> None:
    """Set ``median_score`` on each proposal (None without reviews): one query for all."""
    scores = defaultdict(list)
    ids = [p.pk for p in proposals]
    if ids:
        for pk, score in Review.objects.filter(proposal_id__in=ids).values_list(
            "proposal_id", "score"
        ):
            scores[pk].append(score)
    for proposal in proposals:
        values = scores.get(proposal.pk)
        proposal.median_score = statistics.median(values) if values else None


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
    yet) come last; ties keep the order given (oldest first)."""
    if key not in SORTS:
        return proposals
    _label, attr, highest_first = SORTS[key]
    known = [p for p in proposals if getattr(p, attr, None) is not None]
    unknown = [p for p in proposals if getattr(p, attr, None) is None]
    known.sort(key=lambda p: getattr(p, attr), reverse=highest_first)
    return known + unknown


def ranked_track(*, track, by: str = "weighted", proposals=None) -> list[Proposal]:
    """The chairs' ranked table of ``track``: every proposal still in the running (not
    withdrawn) of ``proposals`` (default: all of the track; pages pass what the viewer may
    see), with its statistics, best first. Three queries whatever the number of proposals."""
    base = Proposal.objects.all() if proposals is None else proposals
    proposals = list(
        with_stats(
            base.filter(track=track)
            .exclude(state=Proposal.State.WITHDRAWN)
            .select_related("submitter")
            .prefetch_related("co_speakers")
        ).order_by("created_at", "pk")
    )
    attach_medians(proposals)
    for proposal in proposals:
        flag(proposal, min_reviews=track.min_reviews)
    return sort_proposals(proposals, by if by in RANKED_BY else "weighted")
