"""The organizers' cockpit in Chromium: the dashboard's numbers are the database's, and
raising the capacity by 2 with "offer now" shows the two offers with their expiry on the
waitlist page, next to the people still waiting."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from registration import selectors, services
from registration.models import Registration
from tests.cfp.factories import ProposalFactory, TrackFactory
from tests.conftest import log_in
from tests.factories import UserFactory
from tests.registration.factories import AttendanceKindFactory, VirtualKindFactory

pytestmark = pytest.mark.e2e
S = Registration.Status


@pytest.fixture
def kind(conference):
    VirtualKindFactory(conference=conference)
    kind = AttendanceKindFactory(conference=conference, capacity=2)
    for _ in range(2):
        services.registration_create(user=UserFactory(), kind=kind)
    for name in ("Wanda First", "Walter Second", "Wes Third"):
        services.registration_create(
            user=UserFactory(display_name=name), kind=kind, reason="I maintain a subsystem."
        )
    return kind


def seat_numbers(page) -> dict[str, str]:
    """The "In-person seats" card as the organizer reads it: column heading → number."""
    card = page.locator("#card-seats")
    headings = [h.lower() for h in card.locator("thead th").all_inner_texts()]  # CSS capitals
    cells = card.locator("tbody tr", has_text="In person").locator("td").all_inner_texts()
    return dict(zip(headings, cells, strict=True))


def from_database(kind) -> dict[str, str]:
    """The same numbers counted straight from the rows."""
    now = timezone.now()
    regs = Registration.objects.filter(kind=kind)
    kind.refresh_from_db()
    confirmed = regs.filter(status=S.CONFIRMED).count()
    offered = regs.filter(status=S.OFFERED, offer_expires_at__gt=now).count()
    return {
        "capacity": str(kind.capacity),
        "confirmed": str(confirmed),
        "offered": str(offered),
        "held by passes": "0",
        "free": str(kind.capacity - confirmed - offered),
        "waitlist": str(regs.filter(status=S.WAITLISTED).count()),
    }


def test_dashboard_numbers_are_the_database_numbers(page, conference, kind, organizer):
    track = TrackFactory(conference=conference, name="Refereed")
    ProposalFactory.create_batch(3, track=track)
    log_in(page, organizer.email)

    page.goto("/admin/")

    expect(page.get_by_role("heading", name=f"{conference} at a glance")).to_be_visible()
    assert seat_numbers(page) == from_database(kind)
    proposals = page.locator("#card-proposals tbody tr", has_text="Refereed")
    expect(proposals.locator("td").last).to_have_text("3")
    expect(page.locator("#card-virtual tbody tr", has_text="Virtual").locator("td")).to_have_text(
        "0"
    )
    # A number opens the list it counts.
    page.locator("#card-seats").get_by_role("link", name="3", exact=True).click()
    expect(page.locator("#result_list tbody tr")).to_have_count(3)
    expect(page.locator("#result_list")).to_contain_text("Wes Third")


def test_raise_capacity_by_two_offers_now_and_shows_the_offers(page, conference, kind, organizer):
    log_in(page, organizer.email)
    page.goto("/admin/")
    page.locator("#card-seats").get_by_role("link", name="In person").click()
    expect(page.get_by_role("heading", name="Pending offers (0)")).to_be_visible()
    page.get_by_role("link", name="Set capacity").click()

    expect(page.locator("#seat-summary")).to_contain_text("Free seats0")
    expect(page.locator("#seat-summary")).to_contain_text("Waiting3")
    expect(page.locator("#seat-summary")).to_contain_text("Auto-offeroff: freed seats wait")
    offer_now = page.get_by_label("Offer the free seats to the waitlist now")
    expect(offer_now).to_be_checked()
    page.get_by_label("New capacity").fill("4")
    page.get_by_label("Reason").fill("A bigger room.")
    page.get_by_role("button", name="Set capacity").click()

    message = page.locator(".messagelist")
    expect(message).to_contain_text("capacity 2 → 4")
    expect(message).to_contain_text("Offered 2 seats to Wanda First")
    expect(message).to_contain_text("Walter Second")
    expect(message).to_contain_text("Now 0 seats free, 1 waiting.")
    expect(page.get_by_role("heading", name="Pending offers (2)")).to_be_visible()
    offers = page.locator("#offers tbody tr")
    expect(offers).to_have_count(2)
    zone = kind.conference.tzinfo
    for reg in Registration.objects.filter(kind=kind, status=S.OFFERED).select_related("user"):
        row = offers.filter(has_text=str(reg.user))
        local = timezone.localtime(reg.offer_expires_at, zone)
        expect(row).to_contain_text(re.compile(rf"{local:%H:%M} \(Dublin time, UTC(\+1)?\)"))
        expect(row.get_by_role("button", name="Extend offer")).to_be_visible()
    ranked = page.locator("#waitlist tbody tr")
    expect(ranked).to_have_count(1)
    expect(ranked).to_contain_text("Wes Third")

    page.goto("/admin/")
    assert seat_numbers(page) == from_database(kind)
    summary = selectors.seat_summary(kind=kind)
    assert (summary.offered, summary.seats_left, summary.waitlisted) == (2, 0, 1)
