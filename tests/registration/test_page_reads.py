"""The person's registration pages read what is the same for everybody once and share it
(``registration.pagedata``), and their own state on every request (issue 16, goal 4).

Shared: the kinds, the rules and the CFP's content contributors (keyed by the content
version, so exact), the seat counts (for ``LEDGER_TTL`` seconds, like the home page's
status), the HTML of "How registration works" and of the blank forms. Never shared: the
person's registrations, their waitlist position (counted from the current waitlist on every
visit, with the one ranking rule), whether they hold a microconference's pass. A person's own
action is never contradicted by a shared seat count.
"""

import datetime as dt
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from registration import pagedata, selectors, services
from registration.models import Registration
from tests.conftest import get_counting_queries
from tests.factories import UserFactory, register_many
from tests.microconferences.factories import MicroconferenceFactory
from tests.registration.factories import AttendanceKindFactory

pytestmark = pytest.mark.django_db

URL = "/register/"
S = Registration.Status

# Statements of a warm GET /register/ (the shared reads cached), per state of the person's
# registration. Test client: the session from the database (in production it is in Redis;
# the user and their organizer flag come from the shared cache, plumbers/auth_backend.py);
# then the page's own: what it asks about the
# person (verified address, attended before, holds a microconference pass: one query), their
# registrations (one), why an ended one ended (one, only then), their waitlist position (two,
# only when waitlisted). None of these grows with the waitlist or the registrations. (Before
# issue 16: 13 to 16 statements, two of them aggregates over the whole waitlist.)
BASE = 1  # the session
EXPECTED = {
    "nothing yet": BASE + 2,
    "confirmed": BASE + 2,
    "waitlisted": BASE + 2 + 2,
    "offered": BASE + 2,
    "cancelled": BASE + 2 + 1,
}


def _listing(queries) -> str:
    return "\n".join(f"{n:2}. {q['sql'][:150]}" for n, q in enumerate(queries, start=1))


def _arrange(state, *, user, kind, organizer):
    if state == "nothing yet":
        return
    if state == "confirmed":
        services.registration_create(user=user, kind=kind)
    elif state == "cancelled":
        reg = services.registration_create(user=user, kind=kind)
        services.registration_cancel(registration=reg, actor=user, reason="Plans changed.")
    else:
        register_many(kind, kind.capacity)
        services.registration_create(user=user, kind=kind, reason="I maintain a driver.")
        if state == "offered":
            services.attendance_kind_set_capacity(
                kind=kind, capacity=kind.capacity + 1, actor=organizer
            )
            services.waitlist_offer_next(kind=kind, count=1, actor=organizer)


@pytest.mark.parametrize("state", list(EXPECTED))
def test_register_page_statements_are_pinned(
    client, user, in_person, virtual, rules, organizer, state
):
    from django.test.utils import CaptureQueriesContext

    _arrange(state, user=user, kind=in_person, organizer=organizer)
    # Their last change a while ago: the shared seat count is not recounted for it.
    Registration.objects.filter(user=user).update(
        updated_at=timezone.now() - dt.timedelta(minutes=5)
    )
    client.force_login(user)
    client.get(URL)  # warm: the shared reads
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)

    assert response.status_code == 200
    status = Registration.objects.filter(user=user).values_list("status", flat=True).first()
    assert status == (None if state == "nothing yet" else state)
    assert len(queries) == EXPECTED[state], _listing(queries.captured_queries)


def test_register_page_statements_do_not_grow_with_kinds_waitlist_or_contributors(
    client, user, conference, in_person, rules
):
    register_many(in_person, 2)
    services.registration_create(user=user, kind=in_person, reason="Me first.")
    client.force_login(user)
    client.get(URL)
    few, first = get_counting_queries(client, URL)
    for _ in range(12):
        services.registration_create(user=UserFactory(), kind=in_person, reason="Me too.")
    AttendanceKindFactory(conference=conference, name="Workshop", capacity=0)
    MicroconferenceFactory(conference=conference, leads=[UserFactory(), UserFactory()])
    client.get(URL)  # the content changed: the shared reads once more
    many, second = get_counting_queries(client, URL)

    assert "#1 of 1<" in first.text and "#1 of 13<" in second.text
    assert many == few


def test_shared_reads_serve_other_people_without_reading_them_again(
    client, user, conference, in_person, virtual, rules
):
    other = UserFactory()
    client.force_login(other)
    client.get(URL)  # reads the kinds, the rules, the contributors and the seats
    client.force_login(user)
    client.get(URL)

    queries, _ = get_counting_queries(client, URL)

    assert queries == EXPECTED["nothing yet"]
    edition = pagedata.SharedReads(conference=conference).edition
    assert [kind.pk for kind in edition.kinds] == [in_person.pk, virtual.pk]


def test_a_persons_own_registration_is_never_contradicted_by_shared_seats(
    client, user, conference, rules
):
    """Someone else's registration may show up to LEDGER_TTL seconds late; the person's own
    shows at once, and the seat count next to it is counted again for it."""
    kind = AttendanceKindFactory(conference=conference, capacity=3)
    first, second = UserFactory(), UserFactory()  # new accounts change the content version
    services.registration_create(user=first, kind=kind)
    client.force_login(user)
    assert "2 seats left" in client.get(URL).text

    services.registration_create(user=second, kind=kind)  # not a content change
    assert "2 seats left" in client.get(URL).text  # the shared count, seconds old

    url = reverse("registration:register_kind", args=[kind.pk])
    assert "You have a place" in client.post(url, follow=True).text
    mine = Registration.objects.get(user=user)
    services.registration_cancel(registration=mine, actor=user, reason="Plans changed.")

    html = client.get(URL).text
    assert "Cancelled" in html and "1 seat left" in html


def test_other_peoples_registrations_show_once_the_seat_counts_expire(
    client, user, conference, in_person, monkeypatch
):
    monkeypatch.setattr(pagedata, "LEDGER_TTL", 1)
    other = UserFactory()
    client.force_login(user)
    assert "2 seats left" in client.get(URL).text

    services.registration_create(user=other, kind=in_person)
    time.sleep(1.1)

    assert "1 seat left" in client.get(URL).text


def test_a_content_change_shows_at_once(client, user, conference, in_person, organizer):
    client.force_login(user)
    assert "2 seats, first come" in client.get(URL).text

    services.attendance_kind_set_capacity(kind=in_person, capacity=5, actor=organizer)

    html = client.get(URL).text
    assert "5 seats, first come" in html and "5 seats left" in html


def test_the_waitlist_position_is_counted_on_every_visit(client, user, in_person, rules):
    """Nobody's position waits for a cache: people joining ahead or leaving show at once."""
    register_many(in_person, 2)
    first = UserFactory()
    late = UserFactory()
    client.force_login(user)
    ahead = services.registration_create(user=first, kind=in_person, reason="First.")
    services.registration_create(user=user, kind=in_person, reason="Me.")
    assert "#2 of 2<" in client.get(URL).text

    services.registration_create(user=late, kind=in_person, reason="Late.")
    assert "#2 of 3<" in client.get(URL).text

    services.registration_cancel(registration=ahead, actor=first, reason="Left.")
    assert "#1 of 2<" in client.get(URL).text
    assert "#1 of 2" in client.get(reverse("me")).text
    assert "#1 of 2" in client.get("/").text  # the home page's summary


def test_a_microconference_pass_counts_for_the_ranking_at_once(
    client, user, conference, rules, organizer
):
    """Pass holders are never shared: redeeming one moves the holder up on the next visit
    (here on a second in-person kind, e.g. a workshop day, with its own waitlist)."""
    main = AttendanceKindFactory(conference=conference, capacity=1)
    workshop = AttendanceKindFactory(conference=conference, name="Workshop", capacity=0)
    mc = MicroconferenceFactory(conference=conference, complimentary_passes=1)
    earlier = services.registration_create(user=UserFactory(), kind=workshop, reason="Early.")
    services.registration_create(user=user, kind=workshop, reason="Me.")
    client.force_login(user)
    assert "#2 of 2<" in client.get(URL).text
    (item,) = services.pass_issue(kind=main, microconference=mc, count=1, actor=organizer)

    services.pass_redeem(code=item.code, user=user)

    html = client.get(URL).text
    assert "#1 of 2<" in html
    assert "you hold a microconference&#x27;s complimentary pass" in html
    assert selectors.waitlist_ranking(kind=workshop)[1].pk == earlier.pk  # the one rule


def test_the_shared_blank_form_never_carries_what_someone_typed(client, user, in_person):
    register_many(in_person, 2)  # sold out: the waitlist form asks for a reason
    other = UserFactory()
    client.force_login(other)
    client.get(URL)  # the blank form, shared
    url = reverse("registration:register_kind", args=[in_person.pk])

    refused = client.post(url, {"waitlist": "1", f"kind{in_person.pk}-reason": ""})
    assert refused.status_code == 400 and "This field is required" in refused.text
    client.force_login(user)
    html = client.get(URL).text

    assert "This field is required" not in html
    assert f'name="kind{in_person.pk}-reason"' in html


def test_the_hub_reads_passes_only_for_someone_who_redeemed_one(
    client, user, conference, in_person, organizer
):
    from django.test.utils import CaptureQueriesContext

    services.registration_create(user=user, kind=in_person)
    client.force_login(user)
    client.get(reverse("me"))
    with CaptureQueriesContext(connection) as without_pass:
        client.get(reverse("me"))
    mc = MicroconferenceFactory(conference=conference, complimentary_passes=1)
    holder = UserFactory()
    (item,) = services.pass_issue(kind=in_person, microconference=mc, count=1, actor=organizer)
    services.pass_redeem(code=item.code, user=holder)
    client.force_login(holder)
    client.get(reverse("me"))

    html = client.get(reverse("me")).text

    assert "Passes I redeemed" in html
    assert not any(
        "registration_complimentarypass" in q["sql"] and "code" in q["sql"]
        for q in without_pass.captured_queries
    )


def test_the_fragment_cache_switched_off_reads_everything_each_time(
    client, user, in_person, virtual, rules, settings
):
    settings.PLUMBERS_FRAGMENT_CACHE = False
    client.force_login(user)
    client.get(URL)

    queries, response = get_counting_queries(client, URL)

    assert "2 seats left" in response.text
    assert queries > EXPECTED["nothing yet"]


def test_the_hub_and_home_summary_read_the_persons_registration_in_few_statements(
    client, user, conference, in_person, rules
):
    """/me/ and the home page's summary of a waitlisted person: their registrations (one
    statement) and their position (two); the kinds and rules come shared. (Before issue 16
    the section cost eleven statements: the kind and its edition read again, the rules, the
    contributors, two aggregates over the whole waitlist, the passes.)"""
    from django.test.utils import CaptureQueriesContext

    register_many(in_person, 2)
    services.registration_create(user=user, kind=in_person, reason="Me.")
    client.force_login(user)
    for url in (reverse("me"), "/"):
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).text

        ours = [q["sql"] for q in queries.captured_queries if '"registration_' in q["sql"]]
        assert "#1 of 1" in html
        assert len(ours) == 3, "\n".join(sql[:150] for sql in ours)
