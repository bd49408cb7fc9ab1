"""No oversell under real concurrency: real threads, real PostgreSQL transactions.

Each thread uses its own database connection; the kind row lock (SELECT ... FOR UPDATE)
serializes the seat decisions. Skipped on SQLite (one writer at a time by design)."""

import random
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from registration import selectors, services
from registration.models import ComplimentaryPass, Registration
from tests.factories import UserFactory
from tests.registration.factories import AttendanceKindFactory
from tests.sponsors.factories import SponsorFactory, SponsorTierFactory

S = Registration.Status
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: real concurrent transactions (set DATABASE_URL)")


def run_threads(targets):
    """Start all targets at once (a barrier), collect their exceptions, close connections."""
    barrier = threading.Barrier(len(targets))
    errors = []

    def wrap(fn):
        def run():
            try:
                barrier.wait()
                fn()
            except Exception as exc:  # collected and asserted by the caller
                errors.append(exc)
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=wrap(fn)) for fn in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return errors


def test_concurrent_registrations_never_oversell(conference):
    kind = AttendanceKindFactory(conference=conference, capacity=10)
    users = [UserFactory() for _ in range(50)]

    errors = run_threads(
        [
            (lambda u=u: services.registration_create(user=u, kind=kind, reason="Let me in."))
            for u in users
        ]
    )

    assert errors == []
    assert Registration.objects.filter(kind=kind, status=S.CONFIRMED).count() == 10
    assert Registration.objects.filter(kind=kind, status=S.WAITLISTED).count() == 40


def test_offers_racing_with_cancellations_and_capacity_changes_never_exceed_capacity(
    conference, organizer
):
    kind = AttendanceKindFactory(conference=conference, capacity=10, auto_offer=True)
    confirmed = [services.registration_create(user=UserFactory(), kind=kind) for _ in range(10)]
    for _ in range(30):
        services.registration_create(user=UserFactory(), kind=kind, reason="Waiting.")
    rng = random.Random(7)

    def cancel(reg):
        return lambda: services.registration_cancel(registration=reg, actor=reg.user)

    def offer():
        try:
            services.waitlist_offer_next(kind=kind, count=3, actor=organizer)
        except services.RegistrationError:
            pass  # no free seat at that moment: the right answer

    def capacity(value):
        def run():
            try:
                services.attendance_kind_set_capacity(kind=kind, capacity=value, actor=organizer)
            except services.RegistrationError:
                pass  # refused below the seats in use: the right answer

        return run

    def accept_some():
        for reg in Registration.objects.filter(kind=kind, status=S.OFFERED)[:3]:
            try:
                services.offer_accept(registration=reg, user=reg.user)
            except services.RegistrationError:
                pass

    def late_registration():
        services.registration_create(user=UserFactory(), kind=kind, reason="Late.")

    targets = [cancel(r) for r in rng.sample(confirmed, 6)]
    targets += [offer for _ in range(6)]
    targets += [capacity(v) for v in (8, 12, 9, 14, 11)]
    targets += [accept_some for _ in range(4)]
    targets += [late_registration for _ in range(5)]
    rng.shuffle(targets)

    errors = run_threads(targets)

    assert errors == []
    kind.refresh_from_db()
    in_use = selectors.seats_in_use(kind=kind)
    assert in_use <= kind.capacity
    # Active registrations per person stay unique and nobody holds two seats.
    active = Registration.objects.filter(kind=kind, status__in=[S.CONFIRMED, S.OFFERED])
    assert active.count() == len(set(active.values_list("user_id", flat=True)))


def test_double_submitted_form_gives_one_registration(conference, user):
    kind = AttendanceKindFactory(conference=conference, capacity=10)
    clients = []
    for _ in range(2):
        c = Client(enforce_csrf_checks=True)
        c.force_login(user)
        page = c.get("/register/")
        clients.append((c, page.context["csrf_token"]))
    url = reverse("registration:register_kind", args=[kind.pk])
    statuses = []

    def submit(c, token):
        return lambda: statuses.append(c.post(url, {"csrfmiddlewaretoken": token}).status_code)

    errors = run_threads([submit(c, t) for c, t in clients])

    assert errors == []
    # Both land back on /register/: one registered, the other told "you already have one".
    assert statuses == [302, 302]
    assert Registration.objects.filter(user=user, kind=kind).count() == 1


def test_concurrent_redemptions_of_one_code_give_one_registration(conference, organizer):
    kind = AttendanceKindFactory(conference=conference, capacity=5)
    sponsor = SponsorFactory(tier=SponsorTierFactory(conference=conference, complimentary_passes=1))
    (item,) = services.pass_issue(kind=kind, sponsor=sponsor, count=1, actor=organizer)
    users = [UserFactory() for _ in range(8)]
    refused = []

    def redeem(u):
        def run():
            try:
                services.pass_redeem(code=item.code, user=u)
            except services.RegistrationError as exc:
                refused.append(str(exc))

        return run

    errors = run_threads([redeem(u) for u in users])

    assert errors == []
    assert Registration.objects.filter(kind=kind).count() == 1
    assert len(refused) == 7 and all("already been used" in r for r in refused)
    item.refresh_from_db()
    assert item.status == ComplimentaryPass.Status.REDEEMED


def test_every_seat_path_across_both_kinds_at_once_never_deadlocks_nor_oversells(
    conference, organizer
):
    """Register in person and virtually, redeem passes, accept, decline and cancel, change
    the capacity and sweep expired offers, all at once on both kinds of one edition: these
    paths used to lock the edition's row (and the other kind's, through a join) in opposite
    orders and deadlock. A few hundred operations: no error at all, no oversell."""
    capacity = 30
    in_person = AttendanceKindFactory(conference=conference, capacity=capacity, auto_offer=True)
    virtual = AttendanceKindFactory(
        conference=conference, name="Virtual", kind="virtual", capacity=None
    )
    sponsor = SponsorFactory(
        tier=SponsorTierFactory(conference=conference, complimentary_passes=20)
    )
    passes = services.pass_issue(kind=in_person, sponsor=sponsor, count=10, actor=organizer)
    people = [UserFactory() for _ in range(160)]
    confirmed = [services.registration_create(user=p, kind=in_person) for p in people[:20]]
    waiting = [
        services.registration_create(user=p, kind=in_person, reason="Please.")
        for p in people[20:60]
    ]
    # Those who will confirm in person hold a virtual place meanwhile: confirming ends it.
    for person in people[20:70]:
        services.registration_create(user=person, kind=virtual)
    services.attendance_kind_set_capacity(kind=in_person, capacity=capacity + 25, actor=organizer)
    rng = random.Random(11)
    operations = []
    for person in people[70:]:
        operations.append(lambda p=person: services.registration_create(user=p, kind=virtual))
        operations.append(
            lambda p=person: services.registration_create(user=p, kind=in_person, reason="Me too.")
        )
    for item, person in zip(passes, people[60:70], strict=True):
        operations.append(lambda i=item, p=person: services.pass_redeem(code=i.code, user=p))
    for person in people[:20]:
        operations.append(lambda p=person: services.registration_create(user=p, kind=virtual))
    for reg in confirmed[10:]:
        operations.append(
            lambda r=reg: services.registration_cancel(registration=r, actor=r.user, reason="")
        )
    for reg in waiting:
        operations.append(lambda r=reg: _answer_offer(r, rng))
    for size in (capacity + 5, capacity + 10, capacity + 12):
        operations.append(
            lambda c=size: services.attendance_kind_set_capacity(
                kind=in_person, capacity=c, actor=organizer
            )
        )
    operations += [lambda: services.offer_expire_lapsed(kind=in_person) for _ in range(5)]
    rng.shuffle(operations)
    assert len(operations) >= 200

    errors = []
    for start in range(0, len(operations), 40):
        errors += run_threads([_tolerating_refusals(op) for op in operations[start : start + 40]])

    assert errors == []
    in_person.refresh_from_db()
    summary = selectors.kind_summaries(kinds=[in_person])[0]
    assert summary.in_use <= in_person.capacity
    assert not Registration.objects.filter(
        user__in=Registration.objects.filter(kind=in_person, status=S.CONFIRMED).values("user"),
        kind=virtual,
        status__in=[S.CONFIRMED, S.WAITLISTED, S.OFFERED],
    ).exists()


def _answer_offer(registration, rng):
    registration.refresh_from_db()
    if registration.status != S.OFFERED:
        return
    if rng.random() < 0.7:
        services.offer_accept(registration=registration, user=registration.user)
    else:
        services.offer_decline(registration=registration, user=registration.user)


def _tolerating_refusals(operation):
    """A refusal with a reason (sold out, already registered, no open offer...) is an answer;
    anything else (a deadlock, an integrity error) is a failure."""

    def run():
        try:
            operation()
        except services.RegistrationError:
            pass

    return run
