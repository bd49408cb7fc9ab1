"""Reads of the registration app: the seat ledger, content contributors, the ranked waitlist,
a person's position, complimentary pass allowances.

Each question has one answer here (DESIGN.md convention 11): the services, the pages and the
admin all ask ``kind_summaries`` / ``seat_summary`` how many seats are in use and whether a
kind is sold out, and ``content_contributors`` who contributes content and why.

The waitlist ranking is computed when ranking (never stored), in a fixed number of queries:
the rules (1), the content contributors (a fixed number) and the scored waitlist itself (1,
scores computed by the database). A speaker accepted after joining the waitlist therefore
moves up the next time anybody looks.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from cfp.selectors import content_contributor_user_ids, contributor_reasons
from microconferences.models import Microconference
from plumbers.models import Conference
from registration.models import (
    ACTIVE_STATUSES,
    AttendanceKind,
    ComplimentaryPass,
    PriorityRule,
    Registration,
)
from sponsors.models import Sponsor

S = Registration.Status
P = ComplimentaryPass.Status

REASON_CONTRIBUTOR = "content contributor"
REASON_NEW_ATTENDEE = "new attendee"
REASON_MC_PASS = "microconference pass holder"
REASON_BONUS = "organizers' bonus"


def current_kinds(*, conference: Conference | None):
    if conference is None:
        return AttendanceKind.objects.none()
    return AttendanceKind.objects.filter(conference=conference).select_related("conference")


def in_person_kind(*, conference: Conference) -> AttendanceKind | None:
    """The edition's (first) in-person kind: the one complimentary passes are issued for."""
    return (
        AttendanceKind.objects.filter(conference=conference, kind=AttendanceKind.Kind.IN_PERSON)
        .order_by("order", "id")
        .first()
    )


# --- the seat ledger -----------------------------------------------------------------------


def _count_per_kind(rows: QuerySet) -> Coalesce:
    return Coalesce(
        Subquery(
            rows.filter(kind_id=OuterRef("pk"))
            .order_by()
            .values("kind_id")
            .annotate(n=Count("pk"))
            .values("n"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def with_seat_counts(kinds: QuerySet, *, now: dt.datetime | None = None) -> QuerySet:
    """``kinds`` annotated with ``confirmed_n``, ``offered_n`` (unexpired offers),
    ``passes_n`` (issued, unredeemed passes: they hold their seats) and ``waitlisted_n``.
    The only place seats are counted; one query for any number of kinds (the admin list
    sorts by these columns)."""
    now = now or timezone.now()
    return kinds.annotate(
        confirmed_n=_count_per_kind(Registration.objects.filter(status=S.CONFIRMED)),
        offered_n=_count_per_kind(
            Registration.objects.filter(status=S.OFFERED, offer_expires_at__gt=now)
        ),
        passes_n=_count_per_kind(ComplimentaryPass.objects.filter(status=P.ISSUED)),
        waitlisted_n=_count_per_kind(Registration.objects.filter(status=S.WAITLISTED)),
    )


SEAT_COUNTS = ("confirmed_n", "offered_n", "passes_n", "waitlisted_n")


@dataclass(frozen=True)
class KindSummary:
    """The seat ledger of one kind: seats in use = confirmed + offered (unexpired) + issued,
    unredeemed passes."""

    kind: AttendanceKind
    confirmed: int = 0
    offered: int = 0
    waitlisted: int = 0
    passes_held: int = 0

    @classmethod
    def of(cls, kind: AttendanceKind, counts: Mapping | None = None) -> "KindSummary":
        """From ``with_seat_counts`` values (or a kind annotated by it)."""
        if counts is None:
            counts = {name: getattr(kind, name) for name in SEAT_COUNTS}
        return cls(
            kind=kind,
            confirmed=counts["confirmed_n"],
            offered=counts["offered_n"],
            waitlisted=counts["waitlisted_n"],
            passes_held=counts["passes_n"],
        )

    @property
    def in_use(self) -> int:
        return self.confirmed + self.offered + self.passes_held

    @property
    def seats_left(self) -> int | None:
        if self.kind.capacity is None:
            return None
        return max(self.kind.capacity - self.in_use, 0)

    @property
    def sold_out(self) -> bool:
        """No seat for a newcomer: none free, or people already wait for the next one (a
        freed seat goes to them, never to whoever clicks first)."""
        left = self.seats_left
        return left is not None and (left == 0 or self.waitlisted > 0)


def kind_summaries(
    *, kinds: Iterable[AttendanceKind], now: dt.datetime | None = None
) -> list[KindSummary]:
    """Seat numbers of several kinds in one query, whatever their sizes. Call it under the
    kind lock when the answer decides a seat."""
    kinds = list(kinds)
    if not kinds:
        return []
    rows = with_seat_counts(AttendanceKind.objects.filter(pk__in=[k.pk for k in kinds]), now=now)
    counts = {row["pk"]: row for row in rows.values("pk", *SEAT_COUNTS)}
    return [KindSummary.of(kind, counts[kind.pk]) for kind in kinds]


def seat_summary(*, kind: AttendanceKind, now: dt.datetime | None = None) -> KindSummary:
    (summary,) = kind_summaries(kinds=[kind], now=now)
    return summary


def seats_in_use(*, kind: AttendanceKind, now: dt.datetime | None = None) -> int:
    return seat_summary(kind=kind, now=now).in_use


# --- complimentary passes ------------------------------------------------------------------


@dataclass(frozen=True)
class PassIssuer:
    """Whoever gives out complimentary passes: a sponsor (as many as its tier allows) or a
    microconference (as many as it is given)."""

    sponsor: Sponsor | None = None
    microconference: Microconference | None = None

    @property
    def valid(self) -> bool:
        return (self.sponsor is None) != (self.microconference is None)

    @property
    def issuer(self) -> Sponsor | Microconference:
        return self.sponsor or self.microconference

    @property
    def conference_id(self) -> int:
        if self.sponsor is not None:
            return self.sponsor.tier.conference_id
        return self.microconference.conference_id

    @property
    def conference(self) -> Conference:
        if self.sponsor is not None:
            return self.sponsor.tier.conference
        return self.microconference.conference

    @property
    def allowance(self) -> int:
        if self.sponsor is not None:
            return self.sponsor.tier.complimentary_passes
        return self.microconference.complimentary_passes

    def passes(self) -> QuerySet[ComplimentaryPass]:
        """The passes that count against the allowance: every one not revoked."""
        return ComplimentaryPass.objects.filter(
            sponsor=self.sponsor, microconference=self.microconference
        ).exclude(status=P.REVOKED)

    def given(self) -> int:
        return self.passes().count()

    def __str__(self):
        return str(self.issuer)


# --- content contributors ------------------------------------------------------------------


@dataclass(frozen=True)
class ContentContributors:
    """The content contributors of one edition: accepted speakers and co-speakers and
    microconference leads (the CFP knows them) and people who redeemed a microconference's
    complimentary pass (we know them)."""

    conference: Conference
    from_cfp: frozenset[int]
    pass_holders: frozenset[int]

    @property
    def user_ids(self) -> frozenset[int]:
        return self.from_cfp | self.pass_holders

    def __contains__(self, user_id: int) -> bool:
        return user_id in self.from_cfp or user_id in self.pass_holders

    def reasons(self, user) -> list[str]:
        """Why ``user`` is one (empty: they are not). Costs a query or two for a speaker or
        lead, so it is asked for one person, never for a whole waitlist."""
        reasons = []
        if user.pk in self.from_cfp:
            reasons += contributor_reasons(user=user, conference=self.conference)
        if user.pk in self.pass_holders:
            reasons.append(REASON_MC_PASS)
        return reasons


def content_contributors(*, conference: Conference) -> ContentContributors:
    """Who contributes content to ``conference`` and why, in a fixed number of queries."""
    pass_holders = ComplimentaryPass.objects.filter(
        microconference__isnull=False,
        status=P.REDEEMED,
        kind__conference=conference,
    ).values_list("redeemed_registration__user_id", flat=True)
    return ContentContributors(
        conference=conference,
        from_cfp=frozenset(content_contributor_user_ids(conference=conference)),
        pass_holders=frozenset(pass_holders),
    )


# --- the waitlist ----------------------------------------------------------------------------


@dataclass
class Rules:
    contributor_weight: int | None = None
    new_attendee_weight: int | None = None
    order: list[str] = field(default_factory=list)


def priority_rules(*, conference: Conference) -> Rules:
    rules = Rules()
    for rule in PriorityRule.objects.filter(conference=conference, enabled=True).order_by(
        "order", "id"
    ):
        rules.order.append(rule.kind)
        if rule.kind == PriorityRule.Kind.CONTENT_CONTRIBUTOR:
            rules.contributor_weight = rule.weight
        elif rule.kind == PriorityRule.Kind.NEW_ATTENDEE:
            rules.new_attendee_weight = rule.weight
    return rules


def scored_registrations(
    *, kind: AttendanceKind, rules: Rules, contributors: ContentContributors
) -> QuerySet[Registration]:
    """Registrations of ``kind`` annotated with ``is_contributor``, ``is_new`` and ``score``
    (rule weights + manual bonus), computed by the database."""
    returning = Registration.objects.filter(
        user_id=OuterRef("user_id"),
        status=S.CONFIRMED,
        kind__kind=AttendanceKind.Kind.IN_PERSON,
        kind__conference__starts_on__lt=kind.conference.starts_on,
    )
    contributor_q = Q(user_id__in=sorted(contributors.user_ids))
    qs = Registration.objects.filter(kind=kind).annotate(
        is_returning=Exists(returning),
        is_contributor=ExpressionWrapper(contributor_q, output_field=BooleanField()),
    )
    qs = qs.annotate(is_new=ExpressionWrapper(Q(is_returning=False), output_field=BooleanField()))
    score = F("manual_bonus")
    if rules.contributor_weight is not None:
        score = score + Case(
            When(contributor_q, then=Value(rules.contributor_weight)),
            default=Value(0),
            output_field=IntegerField(),
        )
    if rules.new_attendee_weight is not None:
        score = score + Case(
            When(is_returning=False, then=Value(rules.new_attendee_weight)),
            default=Value(0),
            output_field=IntegerField(),
        )
    return qs.annotate(score=ExpressionWrapper(score, output_field=IntegerField()))


def _waitlist(kind: AttendanceKind) -> tuple[Rules, ContentContributors, QuerySet]:
    rules = priority_rules(conference=kind.conference)
    contributors = content_contributors(conference=kind.conference)
    scored = scored_registrations(kind=kind, rules=rules, contributors=contributors)
    return rules, contributors, scored.filter(status=S.WAITLISTED)


RANK_ORDER = ("-score", "joined_at", "id")


def _reasons(entry: Registration, rules: Rules, why_contributor: list[str]) -> list[str]:
    reasons = []
    for rule_kind in rules.order:
        if rule_kind == PriorityRule.Kind.CONTENT_CONTRIBUTOR and entry.is_contributor:
            reasons.extend(why_contributor)
        elif rule_kind == PriorityRule.Kind.NEW_ATTENDEE and entry.is_new:
            reasons.append(REASON_NEW_ATTENDEE)
    if entry.manual_bonus:
        reasons.append(REASON_BONUS)
    return reasons


def waitlist_ranking(*, kind: AttendanceKind) -> list[Registration]:
    """The waitlist of ``kind`` in rank order (score desc, joined-at asc). Each entry has
    ``rank``, ``score``, ``is_contributor``, ``is_new`` and ``reasons`` set (a whole
    waitlist says "content contributor" without the per-person detail)."""
    rules, _, waiting = _waitlist(kind)
    entries = list(waiting.select_related("user").order_by(*RANK_ORDER))
    for rank, entry in enumerate(entries, start=1):
        entry.rank = rank
        entry.reasons = _reasons(entry, rules, [REASON_CONTRIBUTOR])
    return entries


def waitlist_next_ids(*, kind: AttendanceKind, count: int) -> list[int]:
    """The ids of the next ``count`` people in rank order (used by the offer services)."""
    _, _, waiting = _waitlist(kind)
    return list(waiting.order_by(*RANK_ORDER).values_list("id", flat=True)[:count])


@dataclass
class Position:
    position: int
    total: int
    score: int
    reasons: list[str]


def waitlist_position(*, registration: Registration) -> Position | None:
    """Where one waitlisted registration stands ("#12 of 340") and why, without loading the
    whole waitlist: the database counts who is ranked ahead."""
    if registration.status != S.WAITLISTED:
        return None
    rules, contributors, waiting = _waitlist(registration.kind)
    me = waiting.filter(pk=registration.pk).first()
    if me is None:
        return None
    counts = waiting.aggregate(
        ahead=Count(
            "id",
            filter=Q(score__gt=me.score)
            | Q(score=me.score, joined_at__lt=me.joined_at)
            | Q(score=me.score, joined_at=me.joined_at, id__lt=me.pk),
        ),
        total=Count("id"),
    )
    why = contributors.reasons(registration.user) if me.is_contributor else []
    return Position(
        position=counts["ahead"] + 1,
        total=counts["total"],
        score=me.score,
        reasons=_reasons(me, rules, why),
    )


def my_registrations(*, user, conference: Conference | None) -> dict[int, Registration]:
    """The person's registrations of the edition by kind id: the active one if any, else the
    latest (to show "your offer expired", "cancelled")."""
    if conference is None or not user.is_authenticated:
        return {}
    mine: dict[int, Registration] = {}
    for reg in Registration.objects.filter(user=user, kind__conference=conference).order_by(
        "created_at", "id"
    ):
        current = mine.get(reg.kind_id)
        if (
            current is None
            or reg.status in ACTIVE_STATUSES
            or current.status not in ACTIVE_STATUSES
        ):
            mine[reg.kind_id] = reg
    return mine
