"""The CFP's part of the organizers' dashboard (declared on CfpConfig): proposals per track
and state, reviews done and due, submissions per day with the deadlines, and each
reviewer's progress. A fixed number of aggregate queries whatever the number of proposals.

Reviews due: every reviewer of a track owes a review of each of its proposals still under
review (submitted), except those they submitted, co-speak or declared a conflict on (the
same exclusions as the triage area); in an "assigned only" track, of those assigned to them.
Per track, "done" is every review of its proposals (the list it links to); per reviewer,
the reviews they wrote of the track's proposals that are not withdrawn.
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.http import urlencode

from cfp.models import Proposal, Review, Track
from cfp.selectors import review_pairs
from plumbers.dashboard import BarChart, Card, Cell, LineChart, Marker, Row, Series
from plumbers.models import Conference

ST = Proposal.State
STATES = [ST.SUBMITTED, ST.ACCEPTED, ST.CONFIRMED, ST.REJECTED, ST.DECLINED, ST.WITHDRAWN]


def changelist(model: str, **filters) -> str:
    url = reverse(f"admin:cfp_{model}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def _proposal_card(tracks, counts) -> Card:
    rows = []
    for track in tracks:
        per_state = counts.get(track.pk, {})
        cells = [
            Cell(
                per_state.get(state, 0),
                changelist("proposal", track__id__exact=track.pk, state__exact=state),
            )
            for state in STATES
        ]
        cells.append(
            Cell(sum(per_state.values()), changelist("proposal", track__id__exact=track.pk))
        )
        rows.append(Row(label=track.name, cells=cells))
    return Card(
        key="proposals",
        title="Proposals per track and state",
        columns=[*(ST(s).label.lower() for s in STATES), "all"],
        rows=rows,
        order=50,
        empty="No track yet.",
    )


def _review_card(tracks, pairs, done) -> Card:
    due, reviewers = defaultdict(int), defaultdict(int)
    for pair in pairs:
        due[pair["track_id"]] += pair["due"]
        reviewers[pair["track_id"]] += 1
    rows = [
        Row(
            label=track.name,
            cells=[
                Cell(
                    reviewers[track.pk],
                    reverse("admin:cfp_track_change", args=[track.pk]),
                    counts=False,
                ),
                Cell(
                    done.get(track.pk, 0),
                    changelist("review", proposal__track__id__exact=track.pk),
                ),
                Cell(
                    due[track.pk],
                    changelist("proposal", track__id__exact=track.pk, state__exact=ST.SUBMITTED),
                    counts=False,
                ),
            ],
        )
        for track in tracks
    ]
    return Card(
        key="reviews",
        title="Reviews per track",
        columns=["reviewers", "done", "due"],
        rows=rows,
        note="Done: every review written of the track's proposals. Due: reviews the track's "
        "reviewers still owe on proposals under review (none of their own, co-spoken or "
        "conflicted ones); it opens the proposals under review.",
        order=60,
        empty="No track yet.",
    )


def submissions_chart(tracks, conference: Conference) -> LineChart:
    zone = conference.tzinfo
    per_day = (
        Proposal.objects.filter(track__in=tracks)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .order_by()
        .values("track_id", "day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    days: dict[int, list] = defaultdict(list)
    for row in per_day:
        days[row["track_id"]].append((row["day"], row["n"]))
    series, markers = [], []
    for track in tracks:
        total, points = 0, []
        for day, n in days.get(track.pk, []):
            total += n
            points.append((day, total))
        series.append(Series(name=track.name, points=points))
        extensions = list(track.extensions.all())
        if extensions:
            original = extensions[0].previous
            markers.append(
                Marker(day=original.astimezone(zone).date(), label=f"{track.name} deadline")
            )
            for extension in extensions:
                markers.append(
                    Marker(
                        day=extension.new.astimezone(zone).date(),
                        label=f"{track.name} deadline extended",
                    )
                )
        else:
            markers.append(
                Marker(day=track.deadline.astimezone(zone).date(), label=f"{track.name} deadline")
            )
    return LineChart(
        key="submissions",
        title="CFP submissions per day",
        description="Proposals submitted per track, counted per day in "
        f"{conference.timezone} time, cumulative, with a marker at each track's deadline and "
        "at each extended deadline.",
        series=series,
        markers=markers,
        y_label="proposals",
        order=30,
    )


def reviewer_chart(pairs) -> BarChart:
    people: dict[int, dict] = {}
    for pair in pairs:
        person = people.setdefault(
            pair["user_id"],
            {"name": pair["user__display_name"] or pair["user__email"], "done": 0, "due": 0},
        )
        person["done"] += pair["done"]
        person["due"] += pair["due"]
    ordered = sorted(people.values(), key=lambda p: p["name"].lower())
    return BarChart(
        key="reviewers",
        title="Review progress per reviewer",
        description="For each reviewer, the reviews written and the reviews still due "
        "over all the tracks they review.",
        categories=[p["name"] for p in ordered],
        segments=[("done", [p["done"] for p in ordered]), ("due", [p["due"] for p in ordered])],
        order=40,
        empty="No track has reviewers yet.",
    )


def panels(conference: Conference, *, now: dt.datetime) -> list:
    tracks = list(
        Track.objects.filter(conference=conference).with_extensions().order_by("order", "name")
    )
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        Proposal.objects.filter(track__conference=conference)
        .order_by()
        .values("track_id", "state")
        .annotate(n=Count("id"))
    ):
        counts[row["track_id"]][row["state"]] = row["n"]
    pairs = review_pairs(conference=conference)
    done = dict(
        Review.objects.filter(proposal__track__conference=conference)
        .order_by()
        .values("proposal__track_id")
        .annotate(n=Count("id"))
        .values_list("proposal__track_id", "n")
    )
    return [
        _proposal_card(tracks, counts),
        _review_card(tracks, pairs, done),
        submissions_chart(tracks, conference),
        reviewer_chart(pairs),
    ]
