"""Reads of the registration app: seats, the ranked waitlist, a person's position.

The waitlist ranking is computed when ranking (never stored), in a fixed number of queries:
the rules (1), the content contributors (the CFP's selector, a fixed number) and the scored
waitlist itself (1, scores computed by the database). A speaker accepted after joining the
waitlist therefore moves up the next time anybody looks.
"""

import datetime as dt
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
    Value,
    When,
)
from django.utils import timezone

from plumbers.models import Conference
from registration.models import AttendanceKind, ComplimentaryPass, PriorityRule, Registration

S = Registration.Status

REASON_NEW_ATTENDEE = "new attendee"
REASON_MC_PASS = "microconference pass holder"
REASON_BONUS = "organizers' bonus"


def content_contributor_ids(*, conference: Conference) -> set[int]:
    """Accepted speakers and co-speakers and microconference leads (from the CFP app)."""
    from cfp.selectors import content_contributor_user_ids

    return set(content_contributor_user_ids(conference=conference))


def contributor_reason_texts(*, user, conference: Conference) -> list[str]:
    from cfp.selectors import contributor_reasons

    return list(contributor_reasons(user=user, conference=conference))


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


def seats_in_use(*, kind: AttendanceKind, now: dt.datetime | None = None) -> int:
    """Confirmed + offered (unexpired) + issued, unredeemed passes. Call it under the kind
    lock when the answer decides a seat."""
    now = now or timezone.now()
    held = Registration.objects.filter(kind=kind).filter(
        Q(status=S.CONFIRMED) | Q(status=S.OFFERED, offer_expires_at__gt=now)
    )
    passes = ComplimentaryPass.objects.filter(kind=kind, status=ComplimentaryPass.Status.ISSUED)
    return held.count() + passes.count()


@dataclass
class KindSummary:
    kind: AttendanceKind
    confirmed: int = 0
    offered: int = 0
    waitlisted: int = 0
    passes_held: int = 0

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
        """Sold out for the public: no free seat, or people already wait for the next one."""
        left = self.seats_left
        return left is not None and (left == 0 or self.waitlisted > 0)


def kind_summaries(*, kinds, now: dt.datetime | None = None) -> list[KindSummary]:
    """Seat numbers of several kinds in two queries, whatever their sizes."""
    now = now or timezone.now()
    kinds = list(kinds)
    ids = [k.pk for k in kinds]
    summaries = {k.pk: KindSummary(kind=k) for k in kinds}
    if not ids:
        return []
    rows = (
        Registration.objects.filter(kind_id__in=ids)
        .values("kind_id")
        .annotate(
            confirmed=Count("id", filter=Q(status=S.CONFIRMED)),
            offered=Count("id", filter=Q(status=S.OFFERED, offer_expires_at__gt=now)),
            waitlisted=Count("id", filter=Q(status=S.WAITLISTED)),
        )
        .order_by()
    )
    for row in rows:
        summary = summaries[row["kind_id"]]
        summary.confirmed = row["confirmed"]
        summary.offered = row["offered"]
        summary.waitlisted = row["waitlisted"]
    passes = (
        ComplimentaryPass.objects.filter(kind_id__in=ids, status=ComplimentaryPass.Status.ISSUED)
        .values("kind_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in passes:
        summaries[row["kind_id"]].passes_held = row["n"]
    return [summaries[i] for i in ids]


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


def scored_registrations(*, kind: AttendanceKind, rules: Rules, contributor_ids: set[int]):
    """Registrations of ``kind`` annotated with ``is_contributor``, ``is_new`` and ``score``
    (rule weights + manual bonus), computed by the database."""
    conference = kind.conference
    returning = Registration.objects.filter(
        user_id=OuterRef("user_id"),
        status=S.CONFIRMED,
        kind__kind=AttendanceKind.Kind.IN_PERSON,
        kind__conference__starts_on__lt=conference.starts_on,
    )
    mc_pass = ComplimentaryPass.objects.filter(
        microconference__isnull=False,
        status=ComplimentaryPass.Status.REDEEMED,
        redeemed_registration__user_id=OuterRef("user_id"),
        kind__conference_id=conference.pk,
    )
    contributor_q = Q(has_mc_pass=True)
    if contributor_ids:
        contributor_q |= Q(user_id__in=sorted(contributor_ids))
    qs = Registration.objects.filter(kind=kind).annotate(
        is_returning=Exists(returning),
        has_mc_pass=Exists(mc_pass),
    )
    qs = qs.annotate(
        is_contributor=ExpressionWrapper(contributor_q, output_field=BooleanField()),
        is_new=ExpressionWrapper(Q(is_returning=False), output_field=BooleanField()),
    )
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


def _reasons(entry, rules: Rules) -> list[str]:
    reasons = []
    for rule_kind in rules.order:
        if rule_kind == PriorityRule.Kind.CONTENT_CONTRIBUTOR and entry.is_contributor:
            reasons.append("content contributor")
        elif rule_kind == PriorityRule.Kind.NEW_ATTENDEE and entry.is_new:
            reasons.append(REASON_NEW_ATTENDEE)
    if entry.manual_bonus:
        reasons.append(REASON_BONUS)
    return reasons


def waitlist_ranking(*, kind: AttendanceKind) -> list[Registration]:
    """The waitlist of ``kind`` in rank order (score desc, joined-at asc). Each entry has
    ``rank``, ``score``, ``is_contributor``, ``is_new`` and ``reasons`` set."""
    conference = kind.conference
    rules = priority_rules(conference=conference)
    contributors = content_contributor_ids(conference=conference)
    entries = list(
        scored_registrations(kind=kind, rules=rules, contributor_ids=contributors)
        .filter(status=S.WAITLISTED)
        .select_related("user")
        .order_by("-score", "joined_at", "id")
    )
    for rank, entry in enumerate(entries, start=1):
        entry.rank = rank
        entry.reasons = _reasons(entry, rules)
    return entries


def waitlist_next_ids(*, kind: AttendanceKind, count: int) -> list[int]:
    """The ids of the next ``count`` people in rank order (used by the offer services)."""
    rules = priority_rules(conference=kind.conference)
    contributors = content_contributor_ids(conference=kind.conference)
    return list(
        scored_registrations(kind=kind, rules=rules, contributor_ids=contributors)
        .filter(status=S.WAITLISTED)
        .order_by("-score", "joined_at", "id")
        .values_list("id", flat=True)[:count]
    )


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
    kind = registration.kind
    conference = kind.conference
    rules = priority_rules(conference=conference)
    contributors = content_contributor_ids(conference=conference)
    scored = scored_registrations(kind=kind, rules=rules, contributor_ids=contributors).filter(
        status=S.WAITLISTED
    )
    me = scored.filter(pk=registration.pk).first()
    if me is None:
        return None
    counts = scored.aggregate(
        ahead=Count(
            "id",
            filter=Q(score__gt=me.score)
            | Q(score=me.score, joined_at__lt=me.joined_at)
            | Q(score=me.score, joined_at=me.joined_at, id__lt=me.pk),
        ),
        total=Count("id"),
    )
    reasons = []
    for rule_kind in rules.order:
        if rule_kind == PriorityRule.Kind.CONTENT_CONTRIBUTOR and me.is_contributor:
            why = []
            if registration.user_id in contributors:
                why = contributor_reason_texts(user=registration.user, conference=conference)
            if me.has_mc_pass:
                why.append(REASON_MC_PASS)
            reasons.extend(why or ["content contributor"])
        elif rule_kind == PriorityRule.Kind.NEW_ATTENDEE and me.is_new:
            reasons.append(REASON_NEW_ATTENDEE)
    if me.manual_bonus:
        reasons.append(REASON_BONUS)
    return Position(
        position=counts["ahead"] + 1, total=counts["total"], score=me.score, reasons=reasons
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
            or reg.status in ("confirmed", "waitlisted", "offered")
            or (current.status not in ("confirmed", "waitlisted", "offered"))
        ):
            mine[reg.kind_id] = reg
    return mine
