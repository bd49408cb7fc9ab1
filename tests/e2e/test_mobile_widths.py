"""A phone (390 px wide): no page scrolls sideways, wide tables stack or scroll inside
themselves, and every header link is reachable through "Menu" without any script."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cfp.models import Proposal
from registration import services
from tests.cfp.factories import ProposalFactory, ReviewFactory, TrackFactory
from tests.conftest import log_in
from tests.factories import AnnouncementFactory, UserFactory, register_many
from tests.microconferences.factories import MicroconferenceFactory
from tests.registration.factories import AttendanceKindFactory, VirtualKindFactory

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
LONG = "Supercalifragilistic-io_uring-zero-copy-networking-with-very-long-identifiers"


@pytest.fixture
def phone(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, viewport=PHONE)
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def busy_edition(conference):
    """Rows enough for the wide tables: proposals with long titles, reviews, a waitlist."""
    reviewer = UserFactory(display_name="Rita Reviewer-With-A-Rather-Long-Name")
    track = TrackFactory(conference=conference, name="Refereed presentations", reviewers=[reviewer])
    speaker = UserFactory(display_name="Sam Speaker")
    for i in range(4):
        proposal = ProposalFactory(
            track=track, submitter=speaker, title=f"{LONG} {i}", co_speakers=[UserFactory()]
        )
        ReviewFactory(proposal=proposal)
    ProposalFactory(
        track=track,
        submitter=speaker,
        title="Accepted one",
        state=Proposal.State.ACCEPTED,
        decided_at=timezone.now(),
    )
    MicroconferenceFactory(conference=conference, title="VFIO/IOMMU/PCI", leads=[reviewer])
    AnnouncementFactory(conference=conference, title="Registration is open")
    kind = AttendanceKindFactory(conference=conference, capacity=1)
    VirtualKindFactory(conference=conference)
    register_many(kind, 1)
    services.registration_create(user=speaker, kind=kind, reason="I speak.")
    return {"reviewer": reviewer, "speaker": speaker}


def assert_fits(page, path):
    page.goto(path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{path} is {width} px wide at {PHONE['width']} px"


PUBLIC = ["/", "/news/", "/microconferences/", "/cfp/", "/register/", "/sponsors/"]


def test_public_pages_fit_a_phone(phone, busy_edition):
    for path in PUBLIC:
        assert_fits(phone, path)


def test_speaker_pages_and_proposal_table_fit_a_phone(phone, busy_edition):
    log_in(phone, busy_edition["speaker"].email)
    for path in ["/", "/me/", "/register/", "/accounts/profile/", "/cfp/proposals/"]:
        assert_fits(phone, path)
    expect(phone.get_by_text("Accepted one")).to_be_visible()


def test_review_table_fits_a_phone(phone, busy_edition):
    log_in(phone, busy_edition["reviewer"].email)
    for path in ["/me/", "/cfp/review/"]:
        assert_fits(phone, path)
    expect(phone.get_by_role("link", name=f"{LONG} 0")).to_be_visible()


def test_header_menu_reaches_every_link_without_script(chromium, live_server, busy_edition):
    context = chromium.new_context(
        base_url=live_server.url, viewport=PHONE, java_script_enabled=False
    )
    page = context.new_page()
    log_in(page, busy_edition["reviewer"].email)
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    links = ["Home", "Microconferences", "Call for proposals", "Register", "Sponsors", "News"]
    links += ["My conference", "My proposals", "Review"]

    expect(nav.get_by_role("link", name="Home", exact=True)).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    for name in links:
        expect(nav.get_by_role("link", name=name, exact=True)).to_be_visible()
    nav.get_by_role("link", name="Review", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review")
    context.close()


def test_header_is_one_line_of_links_on_a_desktop(page, organizer, busy_edition):
    log_in(page, organizer.email)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/")
    nav = page.get_by_role("navigation", name="Main")
    tops = nav.get_by_role("link").evaluate_all(
        "links => links.map(a => Math.round(a.getBoundingClientRect().top))"
    )
    assert len(tops) == 10  # six pages, My conference, My proposals, Review, Admin
    assert len(set(tops)) == 1, tops
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
