"""People's side in Chromium: the personal hub for each role, reached from the header; the
three registration states in their own words; the anonymous register page; local times."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cfp.models import Proposal
from registration import services
from registration.models import PriorityRule
from tests.cfp.factories import ProposalFactory, TrackFactory
from tests.conftest import PASSWORD, log_in
from tests.factories import UserFactory, register_many
from tests.microconferences.factories import MicroconferenceFactory
from tests.registration.factories import (
    AttendanceKindFactory,
    PriorityRuleFactory,
    VirtualKindFactory,
)

pytestmark = pytest.mark.e2e


@pytest.fixture
def kind(conference):
    PriorityRuleFactory(
        conference=conference, kind=PriorityRule.Kind.CONTENT_CONTRIBUTOR, weight=100, order=1
    )
    PriorityRuleFactory(conference=conference, kind=PriorityRule.Kind.NEW_ATTENDEE, weight=50)
    VirtualKindFactory(conference=conference)
    return AttendanceKindFactory(conference=conference, capacity=1)


def open_hub(page):
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My conference").click()
    page.get_by_role("heading", name="My conference", level=1).wait_for()


def test_hub_attendee_on_the_waitlist(page, kind):
    register_many(kind, 1)
    person = UserFactory(display_name="Walter Waiting")
    services.registration_create(user=person, kind=kind, reason="I co-maintain the scheduler.")
    log_in(page, person.email)

    expect(page.locator(".my-summary")).to_contain_text("In person: on the waitlist, #1 of 1")
    open_hub(page)

    section = page.get_by_role("region", name="My registration")
    expect(section).to_contain_text("On the waitlist")
    expect(section).to_contain_text("#1 of 1")
    expect(section).to_contain_text("you have not attended in person before (new attendee)")
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Review")).to_have_count(0)
    expect(nav.get_by_role("link", name="Admin")).to_have_count(0)


def test_hub_speaker_sees_proposals_and_opens_my_proposals(page, conference, kind):
    speaker = UserFactory(display_name="Sam Speaker")
    track = TrackFactory(conference=conference, name="Refereed presentations")
    ProposalFactory(track=track, submitter=speaker, title="Pipes all the way down")
    ProposalFactory(
        track=track,
        submitter=speaker,
        title="Futex fun",
        state=Proposal.State.ACCEPTED,
        decided_at=timezone.now(),
    )
    log_in(page, speaker.email)

    expect(page.locator(".my-summary")).to_contain_text("2 proposals, 1 accepted, 1 in review")
    open_hub(page)
    section = page.get_by_role("region", name="My proposals")
    expect(section).to_contain_text("Pipes all the way down")
    expect(section).to_contain_text("The track's committee reviews it after the deadline")
    expect(section).to_contain_text("please confirm that you will give the talk")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="My proposals").click()
    page.get_by_role("heading", name="My proposals", level=1).wait_for()


def test_hub_reviewer_sees_reviews_due_and_goes_to_review(page, conference, kind):
    reviewer = UserFactory(display_name="Rita Reviewer")
    track = TrackFactory(conference=conference, name="Kernel track", reviewers=[reviewer])
    ProposalFactory(track=track, title="Faster futexes")
    MicroconferenceFactory(conference=conference, title="Tracing MC", leads=[reviewer])
    log_in(page, reviewer.email)

    open_hub(page)
    expect(page.get_by_role("region", name="My reviews")).to_contain_text(
        "Kernel track: 1 proposal waits for your review"
    )
    mcs = page.get_by_role("region", name="Microconferences I lead")
    expect(mcs.get_by_role("link", name="Edit “Tracing MC”")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Review").click()
    expect(page.get_by_role("link", name="Faster futexes")).to_be_visible()


def test_hub_organizer_has_admin_link_and_no_registration(page, organizer, kind):
    log_in(page, organizer.email)

    expect(page.locator(".my-summary")).to_contain_text("Not registered yet")
    open_hub(page)
    expect(page.get_by_role("region", name="My registration")).to_contain_text(
        "You have not registered"
    )
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Review")).to_be_visible()
    nav.get_by_role("link", name="Admin").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))


def in_person_section(page):
    return page.get_by_role("region", name="In person")


def test_register_three_states_have_their_own_words(page, kind, organizer):
    register_many(kind, 1)
    person = UserFactory(display_name="Nora Newcomer")
    log_in(page, person.email)

    # Not on the list: the generic badge and the explanation first.
    page.goto("/register/")
    expect(page.get_by_text("How registration works", exact=True)).to_be_visible()
    expect(in_person_section(page)).to_contain_text("Sold out — join the waitlist")
    in_person_section(page).get_by_label("Why do you want to attend?").fill("First Plumbers.")
    in_person_section(page).get_by_role("button", name="Join the waitlist").click()

    # Waitlisted: my state replaces the badge; leaving is called leaving.
    section = in_person_section(page)
    expect(section).to_contain_text("You are on the waitlist: #1 of 1")
    expect(section).not_to_contain_text("Sold out")
    expect(section.get_by_role("link", name="Leave the waitlist")).to_be_visible()
    expect(section.get_by_role("link", name="Cancel my registration")).to_have_count(0)

    # Offered: accept or decline the offer, with the deadline and a countdown.
    services.attendance_kind_set_capacity(kind=kind, capacity=2, actor=organizer)
    services.waitlist_offer_next(kind=kind, count=1, actor=organizer)
    page.reload()
    section = in_person_section(page)
    expect(section).to_contain_text("A place is offered to you")
    expect(section.locator(".countdown")).to_contain_text(re.compile(r"(day|hour|minute)s? left"))
    expect(section.get_by_role("button", name="Decline the offer")).to_be_visible()
    expect(section.get_by_role("link", name="Leave the waitlist")).to_have_count(0)
    section.get_by_role("button", name="Accept the offer").click()

    # Confirmed: cancelling is cancelling.
    section = in_person_section(page)
    expect(section).to_contain_text("You have a place")
    expect(section.get_by_role("link", name="Cancel my registration")).to_be_visible()
    expect(section.get_by_role("link", name="Leave the waitlist")).to_have_count(0)


def test_register_anonymous_explains_then_login_comes_back(page, kind):
    person = UserFactory(display_name="Ann Onymous")

    page.goto("/register/")
    expect(page.get_by_role("heading", name=re.compile("^Register for"))).to_be_visible()
    expect(page.get_by_text("How registration works", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Create an account")).to_have_attribute(
        "href", "/accounts/signup/?next=/register/"
    )
    page.get_by_role("main").get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill(person.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    expect(page).to_have_url(re.compile(r"/register/$"))
    expect(in_person_section(page)).to_contain_text("1 seat left")
    expect(in_person_section(page).get_by_role("button", name="Register")).to_be_visible()


def test_local_time_is_added_when_the_visitors_zone_differs(chromium, live_server, kind, organizer):
    register_many(kind, 1)
    person = UserFactory()
    services.registration_create(user=person, kind=kind, reason="Please.")
    services.attendance_kind_set_capacity(kind=kind, capacity=2, actor=organizer)
    services.waitlist_offer_next(kind=kind, count=1, actor=organizer)
    for zone, shows_local in (("America/New_York", True), ("Europe/Dublin", False)):
        context = chromium.new_context(base_url=live_server.url, timezone_id=zone)
        page = context.new_page()
        log_in(page, person.email)
        page.goto("/register/")
        held = in_person_section(page).locator("time[data-local]")
        expect(held).to_contain_text("(Dublin time, UTC")
        local = in_person_section(page).locator(".local-time")
        if shows_local:
            expect(local).to_contain_text("your time:")
            expect(local).to_contain_text("New York time, UTC−")
        else:
            expect(held).to_have_attribute("data-local-done", "1")
            expect(local).to_have_count(0)
        context.close()
