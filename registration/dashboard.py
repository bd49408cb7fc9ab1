"""Registration's part of the organizers' dashboard (declared on RegistrationConfig).

Seats come from the one seat ledger (``selectors.kind_summaries``); everything else from a
few aggregate queries over the whole edition, so the number of queries does not grow with
the number of registrations, passes or waitlist entries (one per in-person kind for the
waitlist composition: an edition has one or two kinds, not thousands).
"""

import datetime as dt
from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils.http import urlencode

from plumbers.dashboard import BarChart, Card, Cell, LineChart, Marker, Row, Series
from plumbers.models import AuditLog, Conference
from registration import selectors
from registration.models import AttendanceKind, ComplimentaryPass, PriorityRule, Registration

S = Registration.Status
P = ComplimentaryPass.Status

EXPIRING_WITHIN = dt.timedelta(hours=24)


def changelist(model: str, **filters) -> str:
    url = reverse(f"admin:registration_{model}_changelist")
    return f"{url}?{urlencode(filters)}" if filters else url


def registrations_url(kind: AttendanceKind, **filters) -> str:
    return changelist("registration", kind__id__exact=kind.pk, **filters)


def offer_counts(*, kinds, now: dt.datetime) -> dict[int, dict[str, int]]:
    """Per kind: ``expiring`` (open offers lapsing within 24 h), ``accepted`` (confirmed
    after an offer), ``expired`` (written down or lapsed unanswered), ``registrations``
    (active ones) in one query. Open offers are the seat ledger's ``offered``."""
    soon = now + EXPIRING_WITHIN
    rows = (
        Registration.objects.filter(kind__in=list(kinds))
        .order_by()
        .values("kind_id")
        .annotate(
            expiring=Count(
                "id",
                filter=Q(status=S.OFFERED, offer_expires_at__gt=now, offer_expires_at__lte=soon),
            ),
            accepted=Count("id", filter=Q(status=S.CONFIRMED, offered_at__isnull=False)),
            expired=Count(
                "id", filter=Q(status=S.EXPIRED) | Q(status=S.OFFERED, offer_expires_at__lte=now)
            ),
            confirmed=Count("id", filter=Q(status=S.CONFIRMED)),
        )
    )
    return {row["kind_id"]: row for row in rows}


def _seat_card(summaries) -> Card:
    rows = []
    for s in summaries:
        kind = s.kind
        capacity_url = reverse("admin:registration_attendancekind_capacity", args=[kind.pk])
        rows.append(
            Row(
                label=kind.name,
                url=reverse("admin:registration_attendancekind_waitlist", args=[kind.pk]),
                cells=[
                    Cell(
                        kind.capacity if kind.capacity is not None else "no limit",
                        capacity_url,
                        counts=False,
                    ),
                    Cell(s.confirmed, registrations_url(kind, status__exact=S.CONFIRMED)),
                    Cell(s.offered, registrations_url(kind, offer="pending")),
                    Cell(
                        s.passes_held,
                        changelist(
                            "complimentarypass", kind__id__exact=kind.pk, status__exact=P.ISSUED
                        ),
                    ),
                    Cell(s.seats_left, capacity_url, counts=False),
                    Cell(s.waitlisted, registrations_url(kind, status__exact=S.WAITLISTED)),
                ],
            )
        )
    return Card(
        key="seats",
        title="In-person seats",
        columns=["capacity", "confirmed", "offered", "held by passes", "free", "waitlist"],
        rows=rows,
        note="Seats in use are confirmed places, open offers and unredeemed passes. The "
        "kind's name opens its waitlist; capacity and free seats open “Set capacity”.",
        order=10,
        empty="No in-person attendance kind yet.",
    )


def _offer_card(summaries, counts) -> Card:
    rows = []
    for s in summaries:
        kind, c = s.kind, counts.get(s.kind.pk, {})
        rows.append(
            Row(
                label=kind.name,
                url=reverse("admin:registration_attendancekind_waitlist", args=[kind.pk]),
                cells=[
                    Cell(s.offered, registrations_url(kind, offer="pending")),
                    Cell(c.get("expiring", 0), registrations_url(kind, offer="expiring")),
                    Cell(c.get("accepted", 0), registrations_url(kind, offer="accepted")),
                    Cell(c.get("expired", 0), registrations_url(kind, offer="expired")),
                ],
            )
        )
    return Card(
        key="offers",
        title="Offers",
        columns=["pending", "expiring within 24 h", "accepted", "expired"],
        rows=rows,
        order=20,
        empty="No in-person attendance kind yet.",
    )


def _virtual_card(kinds, counts) -> Card:
    rows = [
        Row(
            label=kind.name,
            cells=[
                Cell(
                    counts.get(kind.pk, {}).get("confirmed", 0),
                    registrations_url(kind, status__exact=S.CONFIRMED),
                )
            ],
        )
        for kind in kinds
    ]
    return Card(
        key="virtual",
        title="Virtual registrations",
        columns=["registered"],
        rows=rows,
        order=30,
        empty="No virtual attendance kind yet.",
    )


def _pass_card(conference: Conference) -> Card:
    totals = ComplimentaryPass.objects.filter(kind__conference=conference).aggregate(
        sponsor_issued=Count("id", filter=Q(sponsor__isnull=False) & ~Q(status=P.REVOKED)),
        sponsor_redeemed=Count("id", filter=Q(sponsor__isnull=False, status=P.REDEEMED)),
        mc_issued=Count("id", filter=Q(microconference__isnull=False) & ~Q(status=P.REVOKED)),
        mc_redeemed=Count("id", filter=Q(microconference__isnull=False, status=P.REDEEMED)),
    )

    def url(issuer, *statuses):
        return changelist(
            "complimentarypass",
            kind__conference__id__exact=conference.pk,
            issuer=issuer,
            status__in=",".join(statuses),
        )

    rows = [
        Row(
            label=label,
            cells=[
                Cell(totals[f"{key}_issued"], url(issuer, P.ISSUED, P.REDEEMED)),
                Cell(totals[f"{key}_redeemed"], url(issuer, P.REDEEMED)),
            ],
        )
        for label, key, issuer in (
            ("Sponsors' passes", "sponsor", "sponsor"),
            ("Microconferences' passes", "mc", "microconference"),
        )
    ]
    return Card(
        key="passes",
        title="Complimentary passes",
        columns=["issued", "redeemed"],
        rows=rows,
        note="Issued counts every pass not revoked; an unredeemed one holds its seat.",
        order=40,
    )


# --------------------------------------------------------------------------- charts


def _capacity_history(kinds, conference: Conference) -> dict[int, list[tuple[dt.datetime, str]]]:
    """Per kind, (when, capacity text) from the audit log: its creation and every change."""
    rows = AuditLog.objects.filter(
        content_type=ContentType.objects.get_for_model(AttendanceKind),
        object_id__in=[str(k.pk) for k in kinds],
        action__in=["attendance_kind_create", "capacity_set"],
    ).order_by("at", "id")
    history: dict[int, list] = defaultdict(list)
    for row in rows.values("object_id", "action", "at", "from_state", "to_state", "data"):
        kind_id = int(row["object_id"])
        if row["action"] == "capacity_set":
            if not history[kind_id]:  # created before the audit: the value it changed from
                history[kind_id].append((None, row["from_state"]))
            history[kind_id].append((row["at"], row["to_state"]))
        else:
            changes = (row["data"] or {}).get("changes", {})
            history[kind_id].append((row["at"], (changes.get("capacity") or ["", ""])[1]))
    return history


def _capacity_value(text: str) -> float | None:
    return float(text) if str(text).isdigit() else None


def registrations_chart(kinds, conference: Conference, now: dt.datetime) -> LineChart:
    zone = conference.tzinfo
    per_day = (
        Registration.objects.filter(kind__in=kinds)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .order_by()
        .values("kind_id", "day")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    days_by_kind: dict[int, list] = defaultdict(list)
    for row in per_day:
        days_by_kind[row["kind_id"]].append((row["day"], row["n"]))
    history = _capacity_history(kinds, conference)
    today = now.astimezone(zone).date()
    series, markers = [], []
    for kind in kinds:
        total, points = 0, []
        for day, n in days_by_kind.get(kind.pk, []):
            total += n
            points.append((day, total))
        series.append(Series(name=f"{kind.name}: registrations", points=points))
    for kind in kinds:
        steps = history.get(kind.pk) or [(None, str(kind.capacity))]
        if kind.capacity is None and len(steps) == 1:
            continue  # never limited: no capacity line
        dated = [(when.astimezone(zone).date() if when else None, text) for when, text in steps]
        first_registration = days_by_kind.get(kind.pk, [(today, 0)])[0][0]
        start = min([first_registration, *(day for day, _ in dated if day)])
        points = []
        for i, (day, text) in enumerate(dated):
            points.append((day or start, _capacity_value(text)))
            if i:
                label = "no limit" if _capacity_value(text) is None else text
                markers.append(Marker(day=day or start, label=f"{kind.name} capacity {label}"))
        series.append(Series(name=f"{kind.name}: capacity", points=points, dashed=True))
    return LineChart(
        key="registrations",
        title="Registrations per day",
        description="Registrations made so far (every status), counted per day in "
        f"{conference.timezone} time, cumulative, one line per attendance kind; dashed lines "
        "are the capacities, with a marker at each change recorded in the audit log.",
        series=series,
        markers=markers,
        y_label="registrations",
        order=10,
    )


COMPOSITION = [
    ("both", "Content contributor and new attendee"),
    ("contributor", "Content contributor"),
    ("new", "New attendee"),
    ("none", "No rule applies"),
]


def waitlist_chart(kinds, conference: Conference) -> BarChart:
    """How the waitlist splits by the priority rules that apply (disabled rules apply to
    nobody), with the organizers' bonus counted apart; one aggregate per kind."""
    rules = selectors.priority_rules(conference=conference)
    contributors = selectors.content_contributors(conference=conference)
    contributor_on = rules.contributor_weight is not None
    new_on = rules.new_attendee_weight is not None
    contributor = Q(is_contributor=True) if contributor_on else Q(pk__in=[])
    new = Q(is_new=True) if new_on else Q(pk__in=[])
    segments = []
    for kind in kinds:
        counts = (
            selectors.scored_registrations(kind=kind, rules=rules, contributors=contributors)
            .filter(status=S.WAITLISTED)
            .aggregate(
                both=Count("id", filter=contributor & new),
                contributor=Count("id", filter=contributor & ~new),
                new=Count("id", filter=new & ~contributor),
                none=Count("id", filter=~contributor & ~new),
                bonus=Count("id", filter=~Q(manual_bonus=0)),
            )
        )
        segments.append((kind.name, [counts[key] for key, _ in COMPOSITION] + [counts["bonus"]]))
    weights = {
        PriorityRule.Kind.CONTENT_CONTRIBUTOR: rules.contributor_weight,
        PriorityRule.Kind.NEW_ATTENDEE: rules.new_attendee_weight,
    }
    described = ", ".join(
        f"{PriorityRule.Kind(k).label.lower()} +{w}" for k, w in weights.items() if w is not None
    )
    return BarChart(
        key="waitlist",
        title="Waitlist by priority rule",
        description="People waiting, by the priority rules that apply to them "
        f"({described or 'no rule is enabled'}); those with an organizers' bonus are counted "
        "again on the last bar.",
        categories=[label for _, label in COMPOSITION] + ["With an organizers' bonus"],
        segments=segments,
        order=20,
    )


def panels(conference: Conference, *, now: dt.datetime) -> list:
    kinds = list(
        AttendanceKind.objects.filter(conference=conference)
        .select_related("conference")
        .order_by("order", "id")
    )
    in_person = [k for k in kinds if k.is_in_person]
    virtual = [k for k in kinds if not k.is_in_person]
    summaries = selectors.kind_summaries(kinds=in_person, now=now)
    counts = offer_counts(kinds=kinds, now=now)
    return [
        _seat_card(summaries),
        _offer_card(summaries, counts),
        _virtual_card(virtual, counts),
        _pass_card(conference),
        registrations_chart(kinds, conference, now),
        waitlist_chart(in_person, conference),
    ]
