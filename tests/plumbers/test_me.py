"""The personal hub (/me/), the home page's one-line summary and the header's role links.
The hub is the core's page; each app fills its section through page parts ("me.sections")."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cfp.models import Proposal
from registration import services
from registration.models import PriorityRule, Registration
from tests.cfp.factories import ProposalFactory, ReviewFactory, TrackFactory
from tests.conftest import get_counting_queries
from tests.factories import UserFactory, register_many
from tests.microconferences.factories import MicroconferenceFactory
from tests.registration.factories import (
    AttendanceKindFactory,
    PriorityRuleFactory,
    VirtualKindFactory,
)
from tests.sponsors.factories import SponsorFactory, SponsorTierFactory

URL = "/me/"


@pytest.fixture
def in_person(conference):
    PriorityRuleFactory(
        conference=conference, kind=PriorityRule.Kind.CONTENT_CONTRIBUTOR, weight=100, order=1
    )
    PriorityRuleFactory(conference=conference, kind=PriorityRule.Kind.NEW_ATTENDEE, weight=50)
    return AttendanceKindFactory(conference=conference, capacity=1)


def test_me_waitlisted_shows_position_and_priority_in_plain_words(client, user, in_person):
    register_many(in_person, 1)
    services.registration_create(user=UserFactory(), kind=in_person, reason="First in line.")
    services.registration_create(user=user, kind=in_person, reason="I maintain a driver.")
    client.force_login(user)

    html = client.get(URL).text

    assert "On the waitlist" in html
    assert "#2 of 2" in html
    assert "you have not attended in person before (new attendee)" in html


def test_me_offer_shows_deadline_in_edition_zone_countdown_and_answers(
    client, user, in_person, organizer
):
    register_many(in_person, 1)
    reg = services.registration_create(user=user, kind=in_person, reason="Please.")
    services.attendance_kind_set_capacity(kind=in_person, capacity=2, actor=organizer)
    services.waitlist_offer_next(kind=in_person, count=1, actor=organizer)
    reg.refresh_from_db()
    client.force_login(user)

    html = client.get(URL).text

    assert "A place is offered to you" in html
    assert "(Dublin time, UTC" in html and "<time datetime=" in html
    assert f'data-countdown="{int(reg.offer_expires_at.timestamp())}"' in html
    assert ">Accept the offer</button>" in html and ">Decline the offer</button>" in html


def test_me_virtual_ended_by_in_person_confirmation_says_so(client, user, conference, organizer):
    in_person = AttendanceKindFactory(conference=conference, capacity=1)
    virtual = VirtualKindFactory(conference=conference)
    register_many(in_person, 1)
    services.registration_create(user=user, kind=in_person, reason="Waiting.")
    services.registration_create(user=user, kind=virtual)
    services.attendance_kind_set_capacity(kind=in_person, capacity=2, actor=organizer)
    (offer,) = services.waitlist_offer_next(kind=in_person, count=1, actor=organizer)
    services.offer_accept(registration=offer, user=user)
    client.force_login(user)

    html = client.get(URL).text

    assert Registration.objects.get(user=user, kind=virtual).status == "cancelled"
    assert "Your virtual registration ended when you confirmed your in-person place" in html


def test_me_speaker_sees_proposals_with_state_and_next_step(client, user, conference):
    track = TrackFactory(conference=conference, name="Refereed presentations")
    ProposalFactory(track=track, submitter=user, title="Pipes all the way down")
    ProposalFactory(
        track=track,
        submitter=user,
        title="Futex fun",
        state=Proposal.State.ACCEPTED,
        decided_at=timezone.now(),
    )
    client.force_login(user)

    html = client.get(URL).text

    assert "Pipes all the way down" in html and "Futex fun" in html
    assert "The track&#x27;s committee reviews it after the deadline" in html
    assert "please confirm that you will give the talk" in html


def test_me_reviewer_sees_reviews_due_per_track(client, reviewer, conference):
    track = TrackFactory(conference=conference, name="Kernel track", reviewers=[reviewer])
    ProposalFactory(track=track)
    ProposalFactory(track=track)
    ReviewFactory(proposal=ProposalFactory(track=track), reviewer=reviewer)
    client.force_login(reviewer)

    html = client.get(URL).text

    assert "My reviews" in html
    assert "Kernel track: <strong>2 proposals</strong> wait for your review" in html
    assert 'href="/cfp/review/"' in html


def test_me_attendee_has_no_reviews_section(client, user, conference):
    TrackFactory(conference=conference)
    client.force_login(user)

    html = client.get(URL).text

    assert "My reviews" not in html
    assert ">Review</a>" not in html  # nor the header link


def test_me_lead_sees_microconferences_with_edit_links(client, user, conference):
    mc = MicroconferenceFactory(conference=conference, title="VFIO/IOMMU/PCI", leads=[user])
    client.force_login(user)

    html = client.get(URL).text

    assert "Microconferences I lead" in html
    assert reverse("microconferences:edit", args=[mc.slug]) in html


def test_me_shows_redeemed_pass(client, user, conference, organizer):
    kind = AttendanceKindFactory(conference=conference, capacity=5)
    sponsor = SponsorFactory(
        name="Example Silicon",
        tier=SponsorTierFactory(conference=conference, complimentary_passes=1),
    )
    (item,) = services.pass_issue(kind=kind, sponsor=sponsor, count=1, actor=organizer)
    services.pass_redeem(code=item.code, user=user)
    client.force_login(user)

    html = client.get(URL).text

    assert "Passes I redeemed" in html
    assert "pass from Example Silicon" in html


def test_home_summary_for_signed_in_person(client, user, in_person):
    register_many(in_person, 1)
    services.registration_create(user=user, kind=in_person, reason="Please.")
    client.force_login(user)

    html = client.get("/").text

    assert 'class="my-summary"' in html
    assert "In person: on the waitlist, #1 of 1" in html


def test_home_has_no_summary_for_anonymous(client, in_person):
    assert 'class="my-summary"' not in client.get("/").text


def test_header_links_per_role(client, user, reviewer, organizer, conference):
    TrackFactory(conference=conference, reviewers=[reviewer])
    pages = {}
    for person in (user, reviewer, organizer):
        client.force_login(person)
        pages[person] = client.get("/news/").text
    assert ">My conference</a>" in pages[user] and ">My proposals</a>" in pages[user]
    assert ">Review</a>" not in pages[user] and ">Admin</a>" not in pages[user]
    assert ">Review</a>" in pages[reviewer] and ">Admin</a>" not in pages[reviewer]
    assert ">Review</a>" in pages[organizer] and ">Admin</a>" in pages[organizer]


def _busy_person(conference, kind, n: int):
    """A person with ``n`` of everything the hub lists: proposals, reviews due, MCs led."""
    person = UserFactory()
    services.registration_create(user=person, kind=kind, reason="Please.")
    for _ in range(n):
        track = TrackFactory(conference=conference, reviewers=[person])
        ProposalFactory(track=track, submitter=person)
        ProposalFactory(track=track, co_speakers=[person])
        ProposalFactory(track=track)
        MicroconferenceFactory(conference=conference, leads=[person])
    return person


def test_me_query_count_does_not_grow_with_rows(client, conference):
    kind = AttendanceKindFactory(conference=conference, capacity=1)
    register_many(kind, 1)
    one = _busy_person(conference, kind, 1)
    many = _busy_person(conference, kind, 6)

    client.force_login(one)
    client.get(URL)  # warms the shared caches (the sponsor wall in the footer)
    few_queries, _ = get_counting_queries(client, URL)
    client.force_login(many)
    client.get(URL)  # warms this person's roles in the header (cfp.selectors.sees_triage)
    many_queries, response = get_counting_queries(client, URL)

    assert (
        response.text.count("wait for your review") + response.text.count("waits for your review")
        >= 6
    )
    assert many_queries == few_queries


def test_me_without_current_edition_still_answers(client, user):
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    assert "No edition is current yet." in response.text


def test_me_offer_expired_reads_as_expired(client, user, in_person, organizer):
    register_many(in_person, 1)
    reg = services.registration_create(user=user, kind=in_person, reason="Please.")
    services.attendance_kind_set_capacity(kind=in_person, capacity=2, actor=organizer)
    services.waitlist_offer_next(kind=in_person, count=1, actor=organizer)
    Registration.objects.filter(pk=reg.pk).update(
        offer_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    client.force_login(user)

    html = client.get(URL).text

    assert "Your offer expired" in html
    assert "Accept the offer" not in html


def test_home_query_count_for_a_signed_in_person_does_not_grow(client, conference):
    kind = AttendanceKindFactory(conference=conference, capacity=1)
    register_many(kind, 1)
    one = _busy_person(conference, kind, 1)
    many = _busy_person(conference, kind, 6)

    client.force_login(one)
    client.get("/")
    few_queries, _ = get_counting_queries(client, "/")
    client.force_login(many)
    client.get("/")  # warms this person's roles in the header (cfp.selectors.sees_triage)
    many_queries, response = get_counting_queries(client, "/")

    assert "12 proposals" not in response.text  # co-spoken ones are not "mine"
    assert "6 proposals" in response.text
    assert many_queries == few_queries


def test_demo_banner_and_load_demo_counts_match_the_pages(client, settings, db):
    settings.PLUMBERS_DEMO = True
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    summary = out.getvalue()

    assert "10 announcements (10 new): 7 published on /news/, 3 scheduled" in summary
    assert "attendee@example.org" in summary and "/me/" in summary
    news = client.get("/news/").text
    assert news.count('class="meta"><time') == 7
    home = client.get("/").text
    assert "today is <strong>14 June 2022</strong> in the story" in home


def test_demo_banner_is_off_unless_asked(client, conference, settings):
    settings.PLUMBERS_DEMO = False
    assert "demo-banner" not in client.get("/").text
