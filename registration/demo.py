"""LPC 2022 registration, as the story stood in mid June: in-person sold out within days,
a waitlist of people with mixed priority, virtual places open.

The in-person capacity is small for the demo (60). Attendees and waitlisted people are
clearly fictional (@example.org). Their registrations are history being seeded, so they are
written directly with an audit row each instead of going through the services: loading the
demo must not mail ninety fictional people. Passes are issued with the real service.
Returning attendees come from LPC 2019 in Lisbon, the last in-person edition before 2022
(2020 and 2021 were virtual). Loading twice changes nothing.
"""

import datetime as dt
import itertools

from plumbers.audit import audit_record
from plumbers.models import Conference, User
from registration import selectors, services
from registration.models import AttendanceKind, ComplimentaryPass, PriorityRule, Registration

S = Registration.Status
CAPACITY = 60
FIRST = [
    "Ada",
    "Bram",
    "Chiara",
    "Dmitri",
    "Elif",
    "Femi",
    "Greta",
    "Hiro",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tamar",
]
LAST = [
    "Pipewright",
    "Kernelsen",
    "Bufferton",
    "Spinlock",
    "Schedmann",
    "Pagecache",
    "Forkham",
    "Syscallini",
    "Interrupta",
    "Mutexley",
]
WAITLIST_REASONS = [
    "I maintain a driver that the VFIO/IOMMU/PCI discussions will change and want to be in "
    "the room.",
    "First Plumbers for me: I started contributing to the scheduler this year.",
    "I help run our distribution's kernel packaging and want to meet the toolchain people.",
    "I attended in Lisbon and would like to follow up on the tracing work we started there.",
    "I am writing my thesis on memory tiering and hope to discuss it with the MM folks.",
]


NAMES = [f"{first} {last}" for last, first in itertools.product(LAST, FIRST)]


def _ensure_2019(ctx) -> AttendanceKind:
    lpc2019, _ = Conference.objects.get_or_create(
        slug="2019",
        defaults={
            "name": "Linux Plumbers Conference 2019",
            "year": 2019,
            "starts_on": dt.date(2019, 9, 9),
            "ends_on": dt.date(2019, 9, 11),
            "city": "Lisbon",
            "venue": "Corinthia Hotel Lisbon",
            "timezone": "Europe/Lisbon",
            "is_current": False,
        },
    )
    kind, _ = AttendanceKind.objects.get_or_create(
        conference=lpc2019,
        name="In person",
        defaults={
            "kind": AttendanceKind.Kind.IN_PERSON,
            "opens_at": dt.datetime(2019, 3, 1, 12, tzinfo=dt.UTC),
            "closes_at": dt.datetime(2019, 9, 8, 12, tzinfo=dt.UTC),
        },
    )
    return kind


def _seed(user, kind, status, *, at, reason="", bonus=0) -> bool:
    """One registration of the story, unless the person already has one for the kind."""
    if Registration.objects.filter(user=user, kind=kind).exists():
        return False
    reg = Registration(user=user, kind=kind, status=status, reason=reason, manual_bonus=bonus)
    if status == S.CONFIRMED:
        reg.confirmed_at = at
    elif status == S.WAITLISTED:
        reg.joined_at = at
    reg.save()
    Registration.objects.filter(pk=reg.pk).update(created_at=at)
    audit_record(obj=reg, action=f"registration_{status}", to_state=status, reason="Demo data.")
    return True


def load(ctx) -> None:
    conference = ctx.conference
    organizer = ctx.accounts.get("organizer")
    opens = ctx.at(2022, 5, 24, 16)
    closes = ctx.at(2022, 9, 10, 18)
    in_person, _ = AttendanceKind.objects.get_or_create(
        conference=conference,
        name="In person",
        defaults={
            "kind": AttendanceKind.Kind.IN_PERSON,
            "capacity": CAPACITY,
            "opens_at": opens,
            "closes_at": closes,
            "offer_duration": dt.timedelta(days=3),
            "order": 1,
        },
    )
    virtual, _ = AttendanceKind.objects.get_or_create(
        conference=conference,
        name="Virtual",
        defaults={
            "kind": AttendanceKind.Kind.VIRTUAL,
            "capacity": None,
            "opens_at": opens,
            "closes_at": closes,
            "order": 2,
        },
    )
    for order, (rule_kind, weight) in enumerate(
        [(PriorityRule.Kind.CONTENT_CONTRIBUTOR, 100), (PriorityRule.Kind.NEW_ATTENDEE, 50)],
        start=1,
    ):
        PriorityRule.objects.get_or_create(
            conference=conference, kind=rule_kind, defaults={"weight": weight, "order": order}
        )

    # Complimentary passes: one for each of two sponsors and two microconferences, issued
    # before the rush (they hold their seats); one MC pass already redeemed by a speaker.
    issuers = [("sponsor", s) for s in ctx.extra.get("sponsors", []) if s.tier.complimentary_passes]
    issuers = issuers[:2]
    mcs = list(ctx.extra.get("microconferences", {}).values())
    issuers += [("microconference", mc) for mc in mcs if mc.complimentary_passes][:2]
    codes = []
    for field, issuer in issuers:
        existing = selectors.PassIssuer(**{field: issuer}).passes()
        if not existing.exists():
            try:
                services.pass_issue(kind=in_person, count=1, actor=organizer, **{field: issuer})
            except services.RegistrationError as exc:
                ctx.out(f"No demo pass for {issuer}: {exc}")
        codes += list(existing.filter(status=ComplimentaryPass.Status.ISSUED))
    mc_pass = next((c for c in codes if c.microconference_id), None)
    if mc_pass is not None:
        speaker = ctx.user("mcspeaker@example.org", "Morgan Microspeaker")
        if not Registration.objects.filter(user=speaker, kind=in_person).exists():
            try:
                services.pass_redeem(code=mc_pass.code, user=speaker)
            except services.RegistrationError as exc:
                # --historical: registration closed in 2022, so the pass stays unredeemed.
                ctx.out(f"Pass {mc_pass.code} not redeemed: {exc}")
            else:
                codes.remove(mc_pass)

    # The rush: in-person sold out within days of opening.
    confirmed = 0
    capacity = in_person.capacity or 0
    for n in range(len(NAMES)):
        if capacity - selectors.seats_in_use(kind=in_person) <= 0:
            break
        person = ctx.user(f"attendee-{n + 1:03d}@example.org", NAMES[n])
        at = opens + dt.timedelta(minutes=7 * (n + 1))
        confirmed += _seed(person, in_person, S.CONFIRMED, at=at)

    # The waitlist, opened 2022-06-02: returning attendees (2019 in Lisbon), new people,
    # content contributors (MC leads, accepted speakers if the CFP demo made some), a few
    # with an organizer's bonus, and the demo attendee.
    kind_2019 = _ensure_2019(ctx)
    seated = set(
        Registration.objects.filter(kind=in_person, status=S.CONFIRMED).values_list(
            "user_id", flat=True
        )
    )
    contributors = selectors.content_contributors(conference=conference).user_ids - seated
    contributor_users = list(User.objects.filter(pk__in=contributors).order_by("email")[:4])
    waitlisted = 0
    joined = ctx.at(2022, 6, 2, 9)
    story = []
    for i in range(20):
        name = f"{FIRST[i]} {LAST[3 + (i * 3) % 7]}"  # surnames the rush did not use
        person = ctx.user(f"waitlist-{i + 1:02d}@example.org", name)
        if person.display_name != name:
            person.display_name = name
            person.save(update_fields=["display_name"])
        if i % 2 == 0:  # returning: attended LPC 2019 in person
            _seed(person, kind_2019, S.CONFIRMED, at=dt.datetime(2019, 9, 9, 8, tzinfo=dt.UTC))
        story.append((person, 15 if i in (3, 11) else 0))
    story[5:5] = [(u, 0) for u in contributor_users]
    attendee = ctx.accounts.get("attendee")
    if attendee is not None:
        story.insert(9, (attendee, 0))
    for i, (person, bonus) in enumerate(story):
        at = joined + dt.timedelta(hours=7 * i)
        waitlisted += _seed(
            person,
            in_person,
            S.WAITLISTED,
            at=at,
            reason=WAITLIST_REASONS[i % len(WAITLIST_REASONS)],
            bonus=bonus,
        )
        if i % 4 == 1:  # virtual while waiting
            _seed(person, virtual, S.CONFIRMED, at=at + dt.timedelta(minutes=5))

    (summary,) = selectors.kind_summaries(
        kinds=AttendanceKind.objects.filter(pk=in_person.pk).select_related("conference")
    )
    ctx.extra["attendance_kinds"] = {"in_person": in_person, "virtual": virtual}
    ctx.out(
        f"Registration: in person {summary.in_use}/{in_person.capacity} seats in use "
        f"({confirmed} new confirmed), {summary.waitlisted} on the waitlist "
        f"({waitlisted} new), virtual open without limit; rules: contributor +100, "
        f"new attendee +50."
    )
    if codes:
        ctx.out(
            "Unredeemed complimentary pass codes (try one on /register/): "
            + ", ".join(c.display_code for c in codes)
        )
