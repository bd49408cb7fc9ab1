"""What the person's registration pages (/register/, the hub's section, the home page's
summary and status) show that is the same for everybody, read once and shared through the
cache; what is the person's own is read from the database on every request.

Shared, keyed by the content version (``plumbers.fragments.request_content_version``), which
every change to kinds, priority rules, proposals and microconferences bumps, so these are
exact; the TTL only bounds how long an unused copy lives:

- the edition's attendance kinds, its enabled priority rules, and the content contributors
  the CFP knows (accepted speakers, microconference leads).

Shared for ``LEDGER_TTL`` seconds (registrations do not bump the content version: a rush
must not empty the caches on every registration), like the home page's registration
status:

- the seat ledger (``selectors.kind_summaries``).

Never shared: the person's registrations, their waitlist position (``waitlist_position``
counts the current waitlist in one query, with the one ranking rule), whether they hold a
microconference's pass (the database asks inside the ranking's query), why theirs ended.
A person's own action is never contradicted by a shared copy: a ledger counted before
their registration last changed is recounted for them (and shared again).
"""

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from cfp.selectors import content_contributor_user_ids
from plumbers.fragments import request_content_version
from plumbers.models import Conference
from plumbers.pagecache import PUBLIC_PAGE_TTL
from registration import selectors
from registration.models import AttendanceKind, PriorityRule, Registration

EDITION_TTL = PUBLIC_PAGE_TTL
# How long a seat count may lag other people's registrations (the home page's lag at most).
LEDGER_TTL = 10
# A ledger counted less than this after the person's own last change may have been counted
# before that change committed: it is recounted.
OWN_CHANGE_MARGIN = dt.timedelta(seconds=2)


@dataclass(frozen=True)
class Edition:
    """The edition's kinds (with their conference), enabled priority rules and the
    CFP's content contributors: the same for everybody at one content version."""

    conference: Conference
    kinds: tuple[AttendanceKind, ...]
    rules: tuple[PriorityRule, ...]
    from_cfp: frozenset[int]

    def priority(self) -> selectors.Rules:
        return selectors.priority_rules(conference=self.conference, enabled=self.rules)

    def contributors(self) -> selectors.ContentContributors:
        """The content contributors; pass holders are left to the database (always current)."""
        return selectors.ContentContributors(conference=self.conference, from_cfp=self.from_cfp)


@dataclass(frozen=True)
class _Ledger:
    counts: dict[int, dict]  # kind id → ``selectors.SEAT_COUNTS`` values
    at: dt.datetime  # when the count began


# Part of the keys: change it when ``Edition`` or ``_Ledger`` change shape, so a new release
# never unpickles what an old one cached (the content version survives a deploy).
FORMAT = 1


def _keys(conference: Conference, request) -> tuple[str, str]:
    version = request_content_version(request)
    return (
        f"registration:edition:{FORMAT}:{version}:{conference.pk}",
        f"registration:ledger:{FORMAT}:{version}:{conference.pk}",
    )


def _read_edition(conference: Conference) -> Edition:
    kinds = tuple(selectors.current_kinds(conference=conference).order_by("order", "name"))
    return Edition(
        conference=conference,
        kinds=kinds,
        rules=tuple(selectors.enabled_rules(conference=conference)),
        from_cfp=frozenset(content_contributor_user_ids(conference=conference)),
    )


def _count(kinds: tuple[AttendanceKind, ...]) -> _Ledger:
    now = timezone.now()
    summaries = selectors.kind_summaries(kinds=kinds, now=now)
    counts = {
        summary.kind.pk: {
            "confirmed_n": summary.confirmed,
            "offered_n": summary.offered,
            "passes_n": summary.passes_held,
            "waitlisted_n": summary.waitlisted,
        }
        for summary in summaries
    }
    return _Ledger(counts=counts, at=now)


class SharedReads:
    """One page's shared reads: both cache entries in one round trip, each computed (and
    shared) only when missing."""

    def __init__(self, *, conference: Conference, request=None):
        self.conference = conference
        self.enabled = settings.PLUMBERS_FRAGMENT_CACHE
        self._edition_key, self._ledger_key = _keys(conference, request)
        found = cache.get_many([self._edition_key, self._ledger_key]) if self.enabled else {}
        edition = found.get(self._edition_key)
        if edition is None:
            edition = _read_edition(conference)
            if self.enabled:
                cache.set(self._edition_key, edition, EDITION_TTL)
        self.edition: Edition = edition
        self._ledger: _Ledger | None = found.get(self._ledger_key)

    def summaries(self, *, own_change_at: dt.datetime | None = None) -> list[selectors.KindSummary]:
        """The seat ledger of the edition's kinds, at most ``LEDGER_TTL`` seconds old, and
        counted after ``own_change_at`` (the person's last change) when given."""
        kinds = self.edition.kinds
        ledger = self._ledger
        stale = ledger is None or any(kind.pk not in ledger.counts for kind in kinds)
        if not stale and own_change_at is not None:
            stale = ledger.at <= own_change_at + OWN_CHANGE_MARGIN
        if stale:
            ledger = self._ledger = _count(kinds)
            if self.enabled:
                cache.set(self._ledger_key, ledger, LEDGER_TTL)
        return [selectors.KindSummary.of(kind, ledger.counts[kind.pk]) for kind in kinds]


def last_change(registrations) -> dt.datetime | None:
    """When the person's registrations last changed (every transition saves the row)."""
    return max((reg.updated_at for reg in registrations if reg.updated_at), default=None)


def own_position(
    *, registration: Registration, edition: Edition, user
) -> selectors.Position | None:
    """The person's waitlist position, counted now (two prepared queries), with its plain
    reasons in words."""
    if registration.effective_status != Registration.Status.WAITLISTED:
        return None
    position = selectors.waitlist_position(
        registration=registration,
        rules=edition.priority(),
        contributors=edition.contributors(),
        user=user,
    )
    if position is not None:
        position.plain_reasons = selectors.plain_reasons(position.reasons)
    return position
