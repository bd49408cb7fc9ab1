"""A track's dated phases: submission (``opens_at`` → ``deadline``), review
(``review_opens_at`` → ``review_closes_at``) and decision (``decision_opens_at`` →
``decision_closes_at``).

An empty date leaves that side of the phase open, so a track without phase dates keeps
reviews and decisions possible at any time (the behaviour before phases existed). New tracks
get defaults from their deadline (``default_phases``): review from the deadline for three
weeks, decisions from then on for two more weeks. Phases may overlap (LPC's committees
start reviewing while the CFP is still open).

The services refuse a review outside the review phase and a decision outside the decision
phase; a chair or an organizer may override with a reason, which is audited.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from cfp.models import Track
from cfp.permissions import is_track_decider

REVIEW_WEEKS = 3
DECISION_WEEKS = 2


def default_phases(deadline: dt.datetime) -> dict[str, dt.datetime]:
    """Phase dates derived from a track's deadline."""
    review_closes = deadline + dt.timedelta(weeks=REVIEW_WEEKS)
    return {
        "review_opens_at": deadline,
        "review_closes_at": review_closes,
        "decision_opens_at": review_closes,
        "decision_closes_at": review_closes + dt.timedelta(weeks=DECISION_WEEKS),
    }


def fill_default_phases(track: Track) -> None:
    """Give a track without any phase date the defaults from its deadline (in place)."""
    names = default_phases(track.deadline)
    if track.deadline and all(getattr(track, name) is None for name in names):
        for name, value in names.items():
            setattr(track, name, value)


def _within(now, start, end) -> bool:
    return (start is None or now >= start) and (end is None or now <= end)


def review_open(track: Track, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return _within(now, track.review_opens_at, track.review_closes_at)


def decision_open(track: Track, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return _within(now, track.decision_opens_at, track.decision_closes_at)


def _window_refusal(track, *, what, start, end, now) -> str:
    if start is not None and now < start:
        return f"The {what} phase of {track.name} opens on {track.local_text(start)}."
    if end is not None and now > end:
        return f"The {what} phase of {track.name} ended on {track.local_text(end)}."
    return ""


def review_phase_refusal(track: Track, now: dt.datetime | None = None) -> str:
    """Why a review cannot be written or changed at ``now`` (empty: it can)."""
    now = now or timezone.now()
    return _window_refusal(
        track, what="review", start=track.review_opens_at, end=track.review_closes_at, now=now
    )


def decision_phase_refusal(track: Track, now: dt.datetime | None = None) -> str:
    """Why a decision cannot be taken at ``now`` (empty: it can)."""
    now = now or timezone.now()
    return _window_refusal(
        track,
        what="decision",
        start=track.decision_opens_at,
        end=track.decision_closes_at,
        now=now,
    )


@dataclass(frozen=True)
class Phase:
    name: str
    ends_at: dt.datetime | None


def current_phases(track: Track, now: dt.datetime | None = None) -> list[Phase]:
    """The phases open at ``now`` (several when they overlap), each with its end; empty
    before the track opens and after every phase is over."""
    now = now or timezone.now()
    phases = []
    if track.is_open(now):
        phases.append(Phase("Submission", track.deadline))
    if now >= track.opens_at and review_open(track, now):
        phases.append(Phase("Review", track.review_closes_at))
    if now >= track.opens_at and decision_open(track, now):
        phases.append(Phase("Decision", track.decision_closes_at))
    return phases


def overridable_refusal(refusal: str, *, actor, track: Track, override_reason: str) -> str:
    """A phase refusal that a chair or an organizer of ``track`` may override by giving a
    reason (the services audit it); empty when nothing refuses or the override stands."""
    if not refusal:
        return ""
    decider = is_track_decider(actor, track)
    if decider and (override_reason or "").strip():
        return ""
    if decider:
        return f"{refusal} To go ahead anyway, give a reason for the override."
    return refusal
