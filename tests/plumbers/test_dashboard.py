"""The organizers' dashboard (plumbers/dashboard.py and the apps' panels): its numbers equal
what the database says, each links to the admin list that counts it, the charts are
accessible SVG with a table and a CSV, and the queries do not grow with the data."""

import csv
import datetime as dt
import io
import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from cfp.models import Proposal
from plumbers.dashboard import BarChart, LineChart, Marker, Series, build_dashboard
from plumbers.permissions import ORGANIZERS_GROUP
from registration import services
from registration.models import ComplimentaryPass, PriorityRule, Registration
from tests.cfp.factories import ProposalFactory, ReviewFactory, TrackFactory
from tests.conftest import get_counting_queries
from tests.factories import ConferenceFactory, UserFactory
from tests.microconferences.factories import MicroconferenceFactory
from tests.registration.factories import (
    AttendanceKindFactory,
    PriorityRuleFactory,
    RegistrationFactory,
    VirtualKindFactory,
)
from tests.sponsors.factories import SponsorFactory, SponsorTierFactory

S = Registration.Status
pytestmark = pytest.mark.django_db


def populate(conference, organizer, *, size: int):
    """An edition with ``size`` of everything: seats, offers, the waitlist, passes,
    proposals and reviews, sponsors."""
    in_person = AttendanceKindFactory(conference=conference, capacity=size + 4)
    virtual = VirtualKindFactory(conference=conference)
    PriorityRuleFactory(conference=conference, kind=PriorityRule.Kind.NEW_ATTENDEE, weight=50)
    PriorityRuleFactory(
        conference=conference, kind=PriorityRule.Kind.CONTENT_CONTRIBUTOR, weight=100
    )
    for _ in range(size):
        services.registration_create(user=UserFactory(), kind=in_person)
        services.registration_create(user=UserFactory(), kind=virtual)
    tier = SponsorTierFactory(conference=conference, complimentary_passes=size + 2)
    sponsor = SponsorFactory(tier=tier)
    SponsorFactory(tier=tier, visible=False)
    passes = services.pass_issue(
        kind=in_person, sponsor=sponsor, microconference=None, count=2, actor=organizer
    )
    services.pass_redeem(code=passes[0].code, user=UserFactory())
    # Two seats left: fill them, then the waitlist.
    for _ in range(2):
        services.registration_create(user=UserFactory(), kind=in_person)
    waiting = [
        services.registration_create(user=UserFactory(), kind=in_person, reason="Please.")
        for _ in range(size + 2)
    ]
    services.attendance_kind_set_capacity(kind=in_person, capacity=size + 6, actor=organizer)
    services.waitlist_offer_next(kind=in_person, count=2, actor=organizer)
    offered = Registration.objects.filter(status=S.OFFERED)
    # One offer expires within a day, one was accepted before.
    Registration.objects.filter(pk=offered[0].pk).update(
        offer_expires_at=timezone.now() + dt.timedelta(hours=3)
    )
    reviewer = UserFactory(display_name="Rhea Reviewer")
    track = TrackFactory(conference=conference, name="Refereed", reviewers=[reviewer])
    other = TrackFactory(conference=conference, name="Kernel summit")
    for n in range(size):
        proposal = ProposalFactory(track=track if n % 2 else other)
        if n % 3 == 0:
            ReviewFactory(proposal=proposal, reviewer=reviewer)
    ProposalFactory(track=track, state=Proposal.State.WITHDRAWN)
    ProposalFactory(track=track, submitter=reviewer)  # not due from its own submitter
    return in_person, virtual, waiting


@pytest.fixture
def edition(conference, organizer):
    return populate(conference, organizer, size=3)


def numbers(board) -> dict[tuple[str, str, str], object]:
    """(card, row, column) → value."""
    found = {}
    for card in board.cards:
        for row in card.rows:
            for column, cell in zip(card.columns, row.cells, strict=True):
                found[(card.key, row.label, column)] = cell.value
    return found


def test_dashboard_numbers_equal_the_database(conference, edition):
    in_person, virtual, _ = edition
    in_person.refresh_from_db()
    now = timezone.now()

    got = numbers(build_dashboard(conference, now=now))

    regs = Registration.objects.filter(kind=in_person)
    assert got[("seats", "In person", "capacity")] == in_person.capacity
    assert got[("seats", "In person", "confirmed")] == regs.filter(status=S.CONFIRMED).count()
    open_offers = regs.filter(status=S.OFFERED, offer_expires_at__gt=now).count()
    assert got[("seats", "In person", "offered")] == open_offers == 2
    held = ComplimentaryPass.objects.filter(kind=in_person, status="issued").count()
    assert got[("seats", "In person", "held by passes")] == held == 1
    in_use = regs.filter(status=S.CONFIRMED).count() + open_offers + held
    assert got[("seats", "In person", "free")] == in_person.capacity - in_use
    assert got[("seats", "In person", "waitlist")] == regs.filter(status=S.WAITLISTED).count()
    assert got[("offers", "In person", "expiring within 24 h")] == 1
    assert got[("virtual", "Virtual", "registered")] == 3
    assert got[("passes", "Sponsors' passes", "issued")] == 2
    assert got[("passes", "Sponsors' passes", "redeemed")] == 1
    assert got[("proposals", "Refereed", "withdrawn")] == 1
    assert (
        got[("proposals", "Refereed", "all")]
        == Proposal.objects.filter(track__name="Refereed").count()
    )
    assert got[("reviews", "Refereed", "reviewers")] == 1
    assert got[("sponsors", f"{in_person.conference.sponsor_tiers.get().name}", "sponsors")] == 2
    assert (
        got[("sponsors", f"{in_person.conference.sponsor_tiers.get().name}", "shown on the wall")]
        == 1
    )


def test_dashboard_reviews_due_leave_out_own_withdrawn_and_reviewed(conference, organizer):
    reviewer = UserFactory()
    track = TrackFactory(conference=conference, name="Refereed", reviewers=[reviewer])
    ProposalFactory.create_batch(3, track=track)
    reviewed = ProposalFactory(track=track)
    ReviewFactory(proposal=reviewed, reviewer=reviewer)
    ProposalFactory(track=track, submitter=reviewer)
    ProposalFactory(track=track, state=Proposal.State.WITHDRAWN)

    got = numbers(build_dashboard(conference))

    assert got[("reviews", "Refereed", "done")] == 1
    assert got[("reviews", "Refereed", "due")] == 3


def test_dashboard_reviews_due_in_an_assigned_only_track_are_the_assignments(conference):
    from cfp.models import ReviewAssignment

    reviewer = UserFactory()
    track = TrackFactory(
        conference=conference, name="Refereed", reviewers=[reviewer], assigned_only=True
    )
    first, second, _ = ProposalFactory.create_batch(3, track=track)
    ReviewAssignment.objects.create(proposal=first, reviewer=reviewer)
    ReviewAssignment.objects.create(proposal=second, reviewer=reviewer)
    ReviewFactory(proposal=second, reviewer=reviewer)

    got = numbers(build_dashboard(conference))

    assert (got[("reviews", "Refereed", "done")], got[("reviews", "Refereed", "due")]) == (1, 1)


def test_dashboard_every_counting_number_opens_the_list_it_counts(
    organizer_client, conference, edition
):
    board = build_dashboard(conference)
    checked = 0
    for card in board.cards:
        for row in card.rows:
            for column, cell in zip(card.columns, row.cells, strict=True):
                assert cell.url, (card.key, row.label, column)
                response = organizer_client.get(cell.url)
                assert response.status_code == 200, cell.url
                if not cell.counts:
                    continue
                cl = response.context["cl"]
                assert cl.result_count == cell.value, (card.key, row.label, column, cell.url)
                assert not response.context["messages"] or "could not be applied" not in str(
                    list(response.context["messages"])
                )
                checked += 1
    assert checked > 20


def test_admin_index_shows_the_current_edition_dashboard(organizer_client, conference, edition):
    response = organizer_client.get(reverse("admin:index"))

    page = response.text
    assert f"{conference} at a glance" in page
    assert 'id="card-seats"' in page and 'id="chart-registrations"' in page
    assert "Run the conference" in page  # the app list is still there


def test_admin_index_picks_another_edition_and_says_when_unknown(organizer_client, conference):
    older = ConferenceFactory(name="Plumbers Old", slug="old")
    AttendanceKindFactory(conference=older, name="Old seats", capacity=77)

    chosen = organizer_client.get(reverse("admin:index") + "?edition=old")
    unknown = organizer_client.get(reverse("admin:index") + "?edition=nope", follow=True)
    page = organizer_client.get(reverse("admin:dashboard", args=["old"]))

    assert "Plumbers Old at a glance" in chosen.text and "Old seats" in chosen.text
    assert "There is no edition" in unknown.text and f"{conference} at a glance" in unknown.text
    assert "Old seats" in page.text and ">77<" in page.text


def test_dashboard_charts_are_accessible_svg_with_table_and_csv(
    organizer_client, conference, edition
):
    response = organizer_client.get(reverse("admin:dashboard", args=[conference.slug]))
    page = response.text

    for key in ("registrations", "waitlist", "submissions", "reviewers"):
        svg = re.search(rf'<section[^>]*id="chart-{key}".*?</section>', page, re.S).group(0)
        assert 'role="img"' in svg
        assert f'aria-labelledby="chart-{key}-title chart-{key}-desc"' in svg
        assert f'<title id="chart-{key}-title">' in svg and f'<desc id="chart-{key}-desc">' in svg
        assert "<table>" in svg and "<caption>" in svg
        assert "style=" not in svg and "<script" not in svg
        csv_url = reverse("admin:dashboard_csv", args=[conference.slug, key])
        assert csv_url in svg
        download = organizer_client.get(csv_url)
        assert download["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(download.content.decode())))
        assert len(rows) >= 2
    _parse_html(page)  # well-formed enough for a parser


def test_dashboard_csv_of_registrations_counts_per_day(organizer_client, conference, edition):
    in_person, virtual, _ = edition
    in_person.refresh_from_db()

    download = organizer_client.get(
        reverse("admin:dashboard_csv", args=[conference.slug, "registrations"])
    )

    rows = list(csv.reader(io.StringIO(download.content.decode())))
    header, last = rows[0], rows[-1]
    assert header[0] == "Day" and header[-1] == "Events"
    total = dict(zip(header, last, strict=True))
    assert (
        int(total["In person: registrations"])
        == Registration.objects.filter(kind=in_person).count()
    )
    assert int(total["Virtual: registrations"]) == 3
    assert float(total["In person: capacity"]) == in_person.capacity
    assert any("In person capacity" in row[-1] for row in rows[1:])  # the change's marker


def test_dashboard_unknown_chart_csv_is_404(organizer_client, conference):
    assert organizer_client.get(f"/admin/dashboard/{conference.slug}/nope.csv").status_code == 404
    assert organizer_client.get("/admin/dashboard/no-such/registrations.csv").status_code == 404


def test_dashboard_refuses_staff_who_are_not_organizers(client, conference):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)

    assert client.get(reverse("admin:dashboard", args=[conference.slug])).status_code == 403
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200 and "at a glance" not in index.text


def test_dashboard_refuses_attendees_and_reviewers(client, conference, reviewer):
    TrackFactory(conference=conference, reviewers=[reviewer])
    for person in (UserFactory(), reviewer):
        client.force_login(person)
        response = client.get(reverse("admin:dashboard", args=[conference.slug]))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def _dashboard_queries(client, conference) -> int:
    n, _ = get_counting_queries(client, reverse("admin:dashboard", args=[conference.slug]))
    return n


def test_dashboard_queries_do_not_grow_with_the_data(client, organizer):
    small = ConferenceFactory(is_current=True)
    large = ConferenceFactory()
    populate(small, organizer, size=1)
    populate(large, organizer, size=12)
    MicroconferenceFactory(conference=large)
    client.force_login(organizer)
    Group.objects.get(name=ORGANIZERS_GROUP)
    _dashboard_queries(client, small)  # both runs find the current edition read alike

    assert _dashboard_queries(client, small) == _dashboard_queries(client, large)


# --------------------------------------------------------------------------- the renderer


def test_line_chart_steps_values_and_lists_markers():
    day = dt.date(2026, 9, 1)
    chart = LineChart(
        key="t",
        title="T <b>",
        description="D & d",
        series=[
            Series("A", [(day, 1), (day + dt.timedelta(days=2), 3)]),
            Series("cap", [(day, 5), (day + dt.timedelta(days=1), None)], dashed=True),
        ],
        markers=[Marker(day + dt.timedelta(days=1), "=HYPERLINK(x)")],
    )

    header, rows = chart.table()
    svg = str(chart.svg())

    assert header == ["Day", "A", "cap", "Events"]
    assert rows[1] == ["2026-09-02", 1, None, "=HYPERLINK(x)"]  # A holds 1, cap is broken
    assert "T &lt;b&gt;" in svg and "D &amp; d" in svg and "<b>" not in svg
    assert 'stroke-dasharray="6 4"' in svg
    assert "'=HYPERLINK(x)" in chart.csv()  # a spreadsheet will not run it


def test_bar_chart_table_totals_and_empty_chart_draws():
    chart = BarChart(
        key="b",
        title="B",
        description="d",
        categories=["Ann", "Bob"],
        segments=[("done", [2, 0]), ("due", [1, 4])],
    )
    empty = BarChart(key="e", title="E", description="d", categories=[], segments=[])

    assert chart.table() == (["", "done", "due", "Total"], [["Ann", 2, 1, 3], ["Bob", 0, 4, 4]])
    assert "<title>Bob: 4 due</title>" in str(chart.svg())
    assert str(empty.svg()).endswith("</svg>")
    assert LineChart(key="x", title="x", description="x", series=[]).svg().endswith("</svg>")


class _Parser(HTMLParser):
    pass


def _parse_html(page: str) -> None:
    _Parser().feed(page)


# --------------------------------------------------------------------------- admin times


def test_admin_shows_times_in_the_edition_zone_with_its_name(organizer_client, conference):
    deadline = dt.datetime(2031, 6, 12, 22, 59, tzinfo=dt.UTC)
    track = TrackFactory(conference=conference, name="Refereed", deadline=deadline)

    listing = organizer_client.get(reverse("admin:cfp_track_changelist")).text
    change = organizer_client.get(reverse("admin:cfp_track_change", args=[track.pk])).text

    assert "12 June 2031, 23:59 (Dublin time, UTC+1)" in listing
    assert "12 June 2031, 23:59 (Dublin time, UTC+1)" in change  # the read-only deadline
    assert "Time in UTC" not in change  # the pickers say the edition's zone instead
    assert 'class="help timezone-name">Dublin time, UTC' in change


def test_track_page_has_an_extend_deadline_button_leading_to_the_action(
    organizer_client, conference
):
    track = TrackFactory(conference=conference, name="Refereed")
    change = organizer_client.get(reverse("admin:cfp_track_change", args=[track.pk])).text
    assert 'value="extend_deadline"' in change and ">Extend deadline</button>" in change

    action = organizer_client.post(
        reverse("admin:cfp_track_changelist"),
        {"action": "extend_deadline", "_selected_action": [track.pk]},
    )

    assert action.status_code == 200
    assert "New deadline" in action.text and "Refereed" in action.text


def test_waitlist_chart_splits_by_the_rules_that_apply(conference, organizer):
    earlier = ConferenceFactory(starts_on=conference.starts_on - dt.timedelta(days=365))
    returning = UserFactory(display_name="Rex Returning")
    RegistrationFactory(user=returning, kind=AttendanceKindFactory(conference=earlier))
    kind = AttendanceKindFactory(conference=conference, capacity=1)
    PriorityRuleFactory(conference=conference, kind=PriorityRule.Kind.NEW_ATTENDEE, weight=50)
    PriorityRuleFactory(
        conference=conference, kind=PriorityRule.Kind.CONTENT_CONTRIBUTOR, weight=100
    )
    services.registration_create(user=UserFactory(), kind=kind)
    speaker = UserFactory(display_name="Sue Speaker")
    ProposalFactory(
        track=TrackFactory(conference=conference),
        submitter=speaker,
        state=Proposal.State.ACCEPTED,
        decided_at=timezone.now(),
    )
    for person in (returning, UserFactory(display_name="Nina New"), speaker):
        services.registration_create(user=person, kind=kind, reason="Please.")

    chart = build_dashboard(conference).chart("waitlist")

    header, rows = chart.table()
    counts = {row[0]: row[1] for row in rows}
    assert header == ["", "In person"]
    assert counts == {
        "Content contributor and new attendee": 1,
        "Content contributor": 0,
        "New attendee": 1,
        "No rule applies": 1,
        "With an organizers' bonus": 0,
    }
