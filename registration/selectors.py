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
from types import SimpleNamespace

from allauth.account.models import EmailAddress
from django.contrib.contenttypes.models import ContentType
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
from plumbers.models import AuditLog, Conference
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


def lapsed_offers(*, now: dt.datetime) -> QuerySet[Registration]:
    """Offers that were not answered in time (they hold no seat any more)."""
    return Registration.objects.filter(status=S.OFFERED, offer_expires_at__lte=now)


# Values a prepared query is built with, to find where the real ones go (never real values).
_SENTINELS = {
    "kind_id": -917_000_001,
    "user_id": -917_000_002,
    "registration_id": -917_000_003,
    "score": -917_000_004,
    "now": dt.datetime(1901, 1, 2, 3, 4, 5, 678901, tzinfo=dt.UTC),
    "joined_at": dt.datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=dt.UTC),
}
# Prepared queries kept per process; a shape (``shape=``) changes with the content (e.g. the
# contributors), so old ones are dropped past this many.
_PREPARED_LIMIT = 64
_prepared: dict[tuple, tuple] = {}


def _run_prepared(name: str, build, *, shape: tuple = (), **values) -> dict | None:
    """The first row (or None) of ``_run_prepared_rows``."""
    rows = _run_prepared_rows(name, build, shape=shape, first=True, **values)
    return rows[0] if rows else None


def _run_prepared_rows(
    name: str, build, *, shape: tuple = (), first: bool = False, **values
) -> list[dict]:
    """The rows of the ORM query ``build(**values)`` (a ``values()`` query) for
    ``values`` (named as in ``_SENTINELS``), compiled to SQL once per process, database and
    ``shape`` (whatever else the query is built from) and then run with the new values
    bound. Building and compiling a query of several subqueries costs more CPU than the
    database spends running it, and the registration path runs the same one thousands of
    times in a rush. The ORM query stays the definition (``with_seat_counts`` the one
    ledger, ``scored_registrations`` the one ranking): only its SQL text is reused; results
    go through the same converters."""
    from django.db import connections

    qs_db = AttendanceKind.objects.db
    connection = connections[qs_db]
    adapt = connection.ops.adapt_datetimefield_value
    key = (name, qs_db, connection.vendor, tuple(sorted(values)), shape)
    prepared = _prepared.get(key)
    if prepared is None:
        sentinels = {name: _SENTINELS[name] for name in values}
        qs = build(**sentinels)
        compiler = qs.query.get_compiler(using=qs.db)
        sql, params = compiler.as_sql()
        marks = {
            adapt(value) if isinstance(value, dt.datetime) else value: name
            for name, value in sentinels.items()
        }
        slots = []
        for param in params:
            slot = None
            if not isinstance(param, bool):
                try:
                    slot = marks.get(param)
                except TypeError:  # an unhashable parameter (a list) is never a sentinel
                    slot = None
            slots.append(slot)
        fields = [column[0] for column in compiler.select[: compiler.col_count]]
        if qs.query.selected:  # the columns in ``values()`` order (as ValuesIterable reads)
            names = list(qs.query.selected)
        else:
            names = [*qs.query.extra_select, *qs.query.values_select, *qs.query.annotation_select]
        prepared = (sql, tuple(params), tuple(slots), compiler, compiler.get_converters(fields))
        prepared += (names,)
        if len(_prepared) >= _PREPARED_LIMIT:
            _prepared.clear()
        _prepared[key] = prepared
    sql, params, slots, compiler, converters, names = prepared
    bound = {
        name: adapt(value) if isinstance(value, dt.datetime) else value
        for name, value in values.items()
    }
    with connection.cursor() as cursor:
        bound_params = [
            p if slot is None else bound[slot] for p, slot in zip(params, slots, strict=True)
        ]
        cursor.execute(sql, bound_params)
        if first:
            row = cursor.fetchone()
            rows = [] if row is None else [row]
        else:
            rows = cursor.fetchall()
    if converters:
        rows = compiler.apply_converters(rows, converters)
    return [dict(zip(names, row, strict=True)) for row in rows]


def _locked_ledger_query(*, in_person: bool, with_user: bool):
    def build(*, kind_id: int, user_id: int, now: dt.datetime):
        same_edition = Registration.objects.filter(
            user_id=user_id, kind__conference_id=OuterRef("conference_id")
        )
        if in_person:
            other_place = same_edition.filter(
                kind__kind=AttendanceKind.Kind.VIRTUAL, status__in=ACTIVE_STATUSES
            )
        else:
            other_place = same_edition.filter(
                kind__kind=AttendanceKind.Kind.IN_PERSON, status=S.CONFIRMED
            )
        return (
            with_seat_counts(AttendanceKind.objects.filter(pk=kind_id), now=now)
            .annotate(
                lapsed_n=_count_per_kind(lapsed_offers(now=now)),
                other_place=Exists(other_place) if with_user else Value(False),
            )
            .values(*SEAT_COUNTS, "lapsed_n", "other_place")
        )

    return build


def locked_seat_summary(
    *, kind: AttendanceKind, now: dt.datetime, user_id: int | None = None
) -> tuple[KindSummary, int, bool]:
    """The seat ledger of ``kind`` recounted under its lock, in one query with what the
    locked registration path asks next: how many of its offers lapsed (the expiry sweep runs
    only when some did) and whether ``user_id`` has a place that matters to them (an active
    virtual registration of the edition, ended when they confirm in person; a confirmed
    in-person place, which includes everything virtual). Returns (summary, lapsed offers,
    that place exists). Prepared once per process (``_run_prepared``)."""
    in_person, with_user = kind.is_in_person, user_id is not None
    row = _run_prepared(
        f"locked-ledger:{in_person}:{with_user}",
        _locked_ledger_query(in_person=in_person, with_user=with_user),
        kind_id=kind.pk,
        user_id=user_id if with_user else 0,
        now=now,
    )
    return KindSummary.of(kind, row), row["lapsed_n"], bool(row["other_place"])


@dataclass(frozen=True)
class Registrant:
    """What a registration post needs to know before it decides whether it needs the kind's
    lock: the person's active registration of the kind (its status and offer expiry only),
    and whether anybody is on the kind's waitlist."""

    active: Registration | None
    anyone_waiting: bool


def _registrant_annotations(user_id: int) -> dict:
    mine = Registration.objects.filter(
        kind_id=OuterRef("pk"), user_id=user_id, status__in=ACTIVE_STATUSES
    ).order_by()
    return {
        "registrant_status": Subquery(mine.values("status")[:1]),
        "registrant_offer_expires_at": Subquery(mine.values("offer_expires_at")[:1]),
        "anyone_waiting": Exists(
            Registration.objects.filter(kind_id=OuterRef("pk"), status=S.WAITLISTED)
        ),
    }


def _kind_for_registration_query(*, kind_id: int, user_id: int, now=None, conference=None):
    kinds = AttendanceKind.objects.filter(pk=kind_id)
    if conference is None:
        kinds = kinds.filter(conference__is_current=True)
    else:
        kinds = kinds.filter(conference=conference)
    return kinds.annotate(
        registrant_verified=Exists(EmailAddress.objects.filter(user_id=user_id, verified=True)),
        **_registrant_annotations(user_id),
    ).order_by()


_REGISTRANT = ("registrant_verified", "registrant_status", "registrant_offer_expires_at")


def kind_for_registration(
    *, kind_id: int, user, conference: Conference | None = None
) -> AttendanceKind | None:
    """The kind that ``user`` posts to register for, of ``conference`` (default: the current
    edition), read in one query with its edition, what ``registrant`` asks (so the service
    does not ask again) and ``registrant_verified``: whether the person has a verified
    address (the test of ``plumbers.permissions.is_verified``, which the view still asks
    when this says no, for its answer). None when the edition has no such kind. A
    registration rush is mostly this request: every query saved here is saved thousands of
    times, and the current edition's query is prepared once per process (``_run_prepared``)."""
    if conference is not None:
        kind = (
            _kind_for_registration_query(kind_id=kind_id, user_id=user.pk, conference=conference)
            .select_related("conference")
            .first()
        )
        if kind is not None:
            kind.registrant_id = user.pk
        return kind
    kind_fields = [f.attname for f in AttendanceKind._meta.concrete_fields]
    edition_fields = [f.attname for f in Conference._meta.concrete_fields]

    def build(*, kind_id: int, user_id: int, now):
        return _kind_for_registration_query(kind_id=kind_id, user_id=user_id).values(
            *kind_fields,
            *(f"conference__{name}" for name in edition_fields),
            *_REGISTRANT,
            "anyone_waiting",
        )

    row = _run_prepared(
        "kind-for-registration", build, kind_id=kind_id, user_id=user.pk, now=timezone.now()
    )
    if row is None:
        return None
    db = AttendanceKind.objects.db
    kind = AttendanceKind.from_db(db, kind_fields, [row[name] for name in kind_fields])
    kind.conference = Conference.from_db(
        db, edition_fields, [row[f"conference__{name}"] for name in edition_fields]
    )
    for name in (*_REGISTRANT, "anyone_waiting"):
        setattr(kind, name, row[name])
    kind.registrant_id = user.pk
    return kind


def registrant(*, kind: AttendanceKind, user) -> Registrant:
    """``user``'s standing for ``kind``, from ``kind_for_registration``'s read when ``kind``
    came from it for this person, else one query."""
    if getattr(kind, "registrant_id", None) == user.pk:
        row = {
            name: getattr(kind, name)
            for name in ("registrant_status", "registrant_offer_expires_at", "anyone_waiting")
        }
    else:
        row = (
            AttendanceKind.objects.filter(pk=kind.pk)
            .annotate(**_registrant_annotations(user.pk))
            .values("registrant_status", "registrant_offer_expires_at", "anyone_waiting")
            .get()
        )
    active = None
    if row["registrant_status"]:
        active = Registration(
            user=user,
            kind=kind,
            status=row["registrant_status"],
            offer_expires_at=row["registrant_offer_expires_at"],
        )
    return Registrant(active=active, anyone_waiting=row["anyone_waiting"])


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


def mc_pass_holders(*, conference: Conference) -> QuerySet:
    """The user ids of the people who redeemed a microconference's complimentary pass for
    ``conference`` (a values query: a list when read, a subquery inside another query)."""
    return (
        ComplimentaryPass.objects.filter(
            microconference__isnull=False,
            status=P.REDEEMED,
            kind__conference=conference,
        )
        .order_by()
        .values_list("redeemed_registration__user_id", flat=True)
    )


def _mc_pass_of(conference: Conference, user_id) -> QuerySet:
    """The rows that make ``user_id`` a pass holder (for an ``exists()`` or ``Exists``)."""
    return mc_pass_holders(conference=conference).filter(redeemed_registration__user_id=user_id)


@dataclass(frozen=True)
class ContentContributors:
    """The content contributors of one edition: accepted speakers and co-speakers and
    microconference leads (the CFP knows them) and people who redeemed a microconference's
    complimentary pass (we know them).

    ``pass_holders`` is None when they were not read (the pages' copy, whose CFP part comes
    from the shared cache): a ranking then asks the database inside its own query, and a
    question about one person costs one small query, so a pass redeemed a moment ago always
    counts."""

    conference: Conference
    from_cfp: frozenset[int]
    pass_holders: frozenset[int] | None = None

    def _pass_holder_ids(self) -> frozenset[int]:
        if self.pass_holders is not None:
            return self.pass_holders
        return frozenset(mc_pass_holders(conference=self.conference))

    @property
    def user_ids(self) -> frozenset[int]:
        return self.from_cfp | self._pass_holder_ids()

    def holds_mc_pass(self, user_id: int) -> bool:
        if self.pass_holders is not None:
            return user_id in self.pass_holders
        return _mc_pass_of(self.conference, user_id).exists()

    def __contains__(self, user_id: int) -> bool:
        return user_id in self.from_cfp or self.holds_mc_pass(user_id)

    def membership(self, field: str = "user_id") -> Q:
        """The SQL test "``field`` is a content contributor" (the one place a ranking asks)."""
        if self.pass_holders is not None:
            return Q(**{f"{field}__in": sorted(self.from_cfp | self.pass_holders)})
        holders = mc_pass_holders(conference=self.conference)
        return Q(**{f"{field}__in": sorted(self.from_cfp)}) | Q(**{f"{field}__in": holders})

    def reasons(self, user, *, holds_mc_pass: bool | None = None) -> list[str]:
        """Why ``user`` is one (empty: they are not). Costs a query or two for a speaker or
        lead, so it is asked for one person, never for a whole waitlist. ``holds_mc_pass``:
        the answer of ``holds_mc_pass`` when the caller has it already."""
        reasons = []
        if user.pk in self.from_cfp:
            reasons += contributor_reasons(user=user, conference=self.conference)
        if holds_mc_pass is None:
            holds_mc_pass = self.holds_mc_pass(user.pk)
        if holds_mc_pass:
            reasons.append(REASON_MC_PASS)
        return reasons


def content_contributors(*, conference: Conference) -> ContentContributors:
    """Who contributes content to ``conference`` and why, in a fixed number of queries."""
    return ContentContributors(
        conference=conference,
        from_cfp=frozenset(content_contributor_user_ids(conference=conference)),
        pass_holders=frozenset(mc_pass_holders(conference=conference)),
    )


# --- the waitlist ----------------------------------------------------------------------------


@dataclass
class Rules:
    contributor_weight: int | None = None
    new_attendee_weight: int | None = None
    order: list[str] = field(default_factory=list)


def enabled_rules(*, conference: Conference) -> list[PriorityRule]:
    """The edition's enabled priority rules, in the order their reasons are shown."""
    return list(
        PriorityRule.objects.filter(conference=conference, enabled=True).order_by("order", "id")
    )


def priority_rules(
    *, conference: Conference, enabled: Iterable[PriorityRule] | None = None
) -> Rules:
    """The ranking's weights; ``enabled``: ``enabled_rules``' answer when the caller has it."""
    rules = Rules()
    if enabled is None:
        enabled = enabled_rules(conference=conference)
    for rule in enabled:
        rules.order.append(rule.kind)
        if rule.kind == PriorityRule.Kind.CONTENT_CONTRIBUTOR:
            rules.contributor_weight = rule.weight
        elif rule.kind == PriorityRule.Kind.NEW_ATTENDEE:
            rules.new_attendee_weight = rule.weight
    return rules


def earlier_in_person(*, conference: Conference) -> QuerySet[Registration]:
    """Confirmed in-person registrations of earlier editions: whoever has one is not a new
    attendee (the one definition of the rule, for the ranking and for the person's page)."""
    return Registration.objects.filter(
        status=S.CONFIRMED,
        kind__kind=AttendanceKind.Kind.IN_PERSON,
        kind__conference__starts_on__lt=conference.starts_on,
    )


def scored_registrations(
    *, kind: AttendanceKind, rules: Rules, contributors: ContentContributors
) -> QuerySet[Registration]:
    """Registrations of ``kind`` annotated with ``is_contributor``, ``is_new`` and ``score``
    (rule weights + manual bonus), computed by the database. Both tests are ``IN`` lists or
    uncorrelated subqueries, which the database reads once per query (a hashed set), not
    once per waitlisted row: ranking thousands costs about a millisecond."""
    returning = earlier_in_person(conference=kind.conference).values("user_id")
    contributor_q = contributors.membership("user_id")
    qs = Registration.objects.filter(kind=kind).annotate(
        is_returning=ExpressionWrapper(Q(user_id__in=returning), output_field=BooleanField()),
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


def _waitlist(
    kind: AttendanceKind,
    rules: Rules | None = None,
    contributors: ContentContributors | None = None,
) -> tuple[Rules, ContentContributors, QuerySet]:
    rules = rules or priority_rules(conference=kind.conference)
    contributors = contributors or content_contributors(conference=kind.conference)
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


def waitlist_position(
    *,
    registration: Registration,
    rules: Rules | None = None,
    contributors: ContentContributors | None = None,
    user=None,
) -> Position | None:
    """Where one waitlisted registration stands ("#12 of 340") and why, without loading the
    whole waitlist, always from the current rows: the registration's score (one query),
    then the database counts who is ranked ahead (one aggregate). ``rules`` and
    ``contributors``: the edition's, when the caller has them (the pages' shared copy);
    ``user``: the registration's person, when loaded. Both queries are prepared once per
    shape of the ranking (``_run_prepared``): a waitlisted person's page asks them on every
    visit."""
    if registration.status != S.WAITLISTED:
        return None
    kind = registration.kind
    rules = rules or priority_rules(conference=kind.conference)
    contributors = contributors or content_contributors(conference=kind.conference)
    shape = (
        kind.pk,
        kind.conference_id,
        kind.conference.starts_on,
        rules.contributor_weight,
        rules.new_attendee_weight,
        contributors.from_cfp,
        contributors.pass_holders,
    )

    def waiting():
        return _waitlist(kind, rules, contributors)[2].order_by()

    def build_me(*, registration_id):
        return (
            waiting()
            .filter(pk=registration_id)
            .values("score", "joined_at", "is_contributor", "is_new", "manual_bonus")
        )

    def build_ahead(*, registration_id, score, joined_at):
        # Ranked ahead in RANK_ORDER: a higher score, or as high and joined earlier, or
        # joined at the same moment with a lower id.
        ahead = Q(score__gt=score) | Q(score=score) & (
            Q(joined_at__lt=joined_at) | Q(joined_at=joined_at, id__lt=registration_id)
        )
        return (
            waiting()
            .values("kind_id")
            .annotate(ahead=Count("id", filter=ahead), total=Count("id"))
            .values("ahead", "total")
        )

    me = _run_prepared("position-me", build_me, shape=shape, registration_id=registration.pk)
    if me is None:
        return None
    counts = _run_prepared(
        "position-ahead",
        build_ahead,
        shape=shape,
        registration_id=registration.pk,
        score=me["score"],
        joined_at=me["joined_at"],
    )
    entry = SimpleNamespace(
        manual_bonus=me["manual_bonus"],
        is_contributor=bool(me["is_contributor"]),
        is_new=bool(me["is_new"]),
    )
    why = contributors.reasons(user or registration.user) if entry.is_contributor else []
    return Position(
        position=counts["ahead"] + 1,
        total=counts["total"],
        score=me["score"],
        reasons=_reasons(entry, rules, why),
    )


_REGISTRATION_FIELDS = tuple(f.attname for f in Registration._meta.concrete_fields)


def my_registration_rows(
    *,
    user,
    conference: Conference | None,
    kinds: Iterable[AttendanceKind] | None = None,
    with_passes: bool = False,
) -> tuple[dict[int, Registration], bool]:
    """The person's registrations of the edition by kind id: the active one if any, else the
    latest (to show "your offer expired", "cancelled"), always read from the database. One
    query, prepared once per process (``_run_prepared_rows``: every page of a signed-in
    person asks it); ``kinds`` (the edition's, when the caller has them) are set on the
    registrations instead of read. With ``with_passes``, also whether any of the person's
    registrations of the edition was made with a complimentary pass (else False)."""
    if conference is None or not user.is_authenticated:
        return {}, False
    if kinds is None:
        kinds = current_kinds(conference=conference)
    kinds = {kind.pk: kind for kind in kinds}

    def build(*, user_id):
        rows = Registration.objects.filter(user=user_id, kind__conference=conference.pk)
        if with_passes:
            made_with_pass = ComplimentaryPass.objects.filter(redeemed_registration=OuterRef("pk"))
            rows = rows.annotate(has_pass=Exists(made_with_pass))
        else:
            rows = rows.annotate(has_pass=Value(False))
        return rows.order_by("created_at", "id").values(*_REGISTRATION_FIELDS, "has_pass")

    rows = _run_prepared_rows(
        "my-registrations", build, shape=(conference.pk, with_passes), user_id=user.pk
    )
    db = Registration.objects.db
    mine: dict[int, Registration] = {}
    any_pass = False
    for row in rows:
        reg = Registration.from_db(db, _REGISTRATION_FIELDS, [row[f] for f in _REGISTRATION_FIELDS])
        kind = kinds.get(reg.kind_id)
        if kind is None:  # created since ``kinds`` were read
            kind = kinds[reg.kind_id] = current_kinds(conference=conference).get(pk=reg.kind_id)
        reg.kind = kind
        reg.user = user
        any_pass = any_pass or bool(row["has_pass"])
        current = mine.get(reg.kind_id)
        if (
            current is None
            or reg.status in ACTIVE_STATUSES
            or current.status not in ACTIVE_STATUSES
        ):
            mine[reg.kind_id] = reg
    return mine, any_pass


def my_registrations(
    *, user, conference: Conference | None, kinds: Iterable[AttendanceKind] | None = None
) -> dict[int, Registration]:
    """``my_registration_rows`` without the passes."""
    return my_registration_rows(user=user, conference=conference, kinds=kinds)[0]


# --- the person's own view: /register/, the hub (/me/), the home summary -------------------

# The ranking's reasons, in words a person reads about themselves.
PLAIN_REASONS = {
    "speaker": "you speak at this edition (an accepted proposal)",
    "microconference lead": "you lead a microconference",
    REASON_MC_PASS: "you hold a microconference's complimentary pass",
    REASON_CONTRIBUTOR: "you contribute content",
    REASON_NEW_ATTENDEE: "you have not attended in person before (new attendee)",
    REASON_BONUS: "the organizers gave your entry extra priority",
}


def plain_reasons(reasons: Iterable[str]) -> list[str]:
    return [PLAIN_REASONS.get(reason, reason) for reason in reasons]


def my_standing(
    *, user, conference: Conference, contributors: ContentContributors | None = None
) -> dict:
    """What the person's page asks about the person, in one query prepared once per process
    (``_run_prepared``): ``verified`` (the test of ``plumbers.permissions.is_verified``,
    which the view still asks when this says no, for its answer), ``returning`` (attended
    an earlier edition in person: not a new attendee) and ``pass_holder`` (redeemed a
    microconference's pass; from ``contributors`` when it read them)."""
    ask_pass = contributors is None or contributors.pass_holders is None

    def build(*, user_id):
        asks = {
            "verified": Exists(EmailAddress.objects.filter(user_id=user_id, verified=True)),
            "returning": Exists(earlier_in_person(conference=conference).filter(user=user_id)),
        }
        if ask_pass:
            asks["pass_holder"] = Exists(_mc_pass_of(conference, user_id))
        return Conference.objects.filter(pk=conference.pk).values(**asks)

    shape = (conference.pk, conference.starts_on, ask_pass)
    row = _run_prepared("my-standing", build, shape=shape, user_id=user.pk)
    if row is None:  # the edition is gone
        return {"verified": False, "returning": False, "pass_holder": False}
    if not ask_pass:
        row["pass_holder"] = user.pk in contributors.pass_holders
    return {name: bool(value) for name, value in row.items()}


def my_priority(
    *,
    user,
    conference: Conference,
    rules: Rules | None = None,
    contributors: ContentContributors | None = None,
    standing: dict | None = None,
) -> list[str]:
    """The rules that would rank ``user`` if they joined the waitlist now, in plain words
    (for /register/ before anyone acts; a waitlisted person's come from their position).
    ``rules``, ``contributors`` and ``standing`` (``my_standing``): when the caller has
    them; else read here."""
    rules = rules or priority_rules(conference=conference)
    contributors = contributors or content_contributors(conference=conference)
    if standing is None:
        standing = my_standing(user=user, conference=conference, contributors=contributors)
    holds_mc_pass = standing["pass_holder"]
    reasons = []
    for rule_kind in rules.order:
        if rule_kind == PriorityRule.Kind.CONTENT_CONTRIBUTOR and (
            holds_mc_pass or user.pk in contributors.from_cfp
        ):
            reasons.extend(contributors.reasons(user, holds_mc_pass=holds_mc_pass))
        elif rule_kind == PriorityRule.Kind.NEW_ATTENDEE and not standing["returning"]:
            reasons.append(REASON_NEW_ATTENDEE)
    return plain_reasons(reasons)


def end_reasons(*, registrations: Iterable[Registration]) -> dict[int, str]:
    """Why each ended (cancelled, declined, expired) registration ended, from the audit log
    (where every transition records its reason): one query for any number."""
    ended = {str(reg.pk): reg for reg in registrations if reg.status not in ACTIVE_STATUSES}
    if not ended:
        return {}
    rows = AuditLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Registration),
        object_id__in=list(ended),
        to_state__in=[S.CANCELLED, S.DECLINED, S.EXPIRED],
    ).order_by("at", "id")
    reasons = {}
    for object_id, reason in rows.values_list("object_id", "reason"):
        reasons[ended[object_id].pk] = reason  # the latest wins
    return reasons


def ended_by_in_person(*, registration: Registration, mine: Iterable[Registration]) -> bool:
    """A virtual registration that ended because the person confirmed in person (the
    confirmation ends it in the same transaction, at the same moment)."""
    return (
        not registration.kind.is_in_person
        and registration.status == S.CANCELLED
        and registration.ended_at is not None
        and any(
            other.kind.is_in_person
            and other.status == S.CONFIRMED
            and other.confirmed_at == registration.ended_at
            for other in mine
        )
    )
