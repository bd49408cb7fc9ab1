"""Registration in Chromium: register, the waitlist, an organizer's offer, accepting it, an
offer expiring, and a complimentary pass while sold out."""

import datetime as dt
import re

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from registration import services
from registration.models import Registration
from tests.conftest import log_in, log_out
from tests.factories import UserFactory
from tests.registration.factories import AttendanceKindFactory, VirtualKindFactory
from tests.sponsors.factories import SponsorFactory, SponsorTierFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def kind(conference):
    VirtualKindFactory(conference=conference)
    return AttendanceKindFactory(conference=conference, capacity=1)


def in_person_section(page):
    return page.get_by_role("region", name="In person")


def accept_held_place(page, email):
    """Log in as the person an offer was made to, and accept the place held for them."""
    log_in(page, email)
    page.goto("/register/")
    section = in_person_section(page)
    expect(section).to_contain_text("A place is held for you until")
    section.get_by_role("button", name="Accept the offer").click()
    expect(in_person_section(page)).to_contain_text("Your registration: Confirmed")


def test_registration_new_attendee_registers_in_person(page, kind):
    person = UserFactory(display_name="Nora New")
    log_in(page, person.email)

    page.goto("/register/")
    section = in_person_section(page)
    expect(section).to_contain_text("1 seat left")
    section.get_by_role("button", name="Register").click()

    expect(page.get_by_role("status")).to_contain_text("your registration is confirmed")
    expect(in_person_section(page)).to_contain_text("Your registration: Confirmed")


def test_registration_sold_out_join_waitlist_then_offer_and_accept(page, kind, organizer):
    services.registration_create(user=UserFactory(), kind=kind)
    waiting = UserFactory(display_name="Walter Waiting")
    log_in(page, waiting.email)

    page.goto("/register/")
    section = in_person_section(page)
    expect(section).to_contain_text("Sold out — join the waitlist")
    section.get_by_label("Why do you want to attend?").fill("I co-maintain the scheduler.")
    section.get_by_role("button", name="Join the waitlist").click()
    expect(in_person_section(page)).to_contain_text("Your registration: Waitlisted")
    expect(in_person_section(page)).to_contain_text("#1 of 1")
    log_out(page)

    # The venue finds one more seat; the organizer offers it from the admin.
    services.attendance_kind_set_capacity(kind=kind, capacity=2, actor=organizer)
    log_in(page, organizer.email)
    page.goto("/admin/registration/attendancekind/")
    page.get_by_role("checkbox", name=re.compile(f"Select this object.*{kind.name}")).check()
    page.get_by_role("combobox", name=re.compile("^Action")).select_option(
        label="Offer the next N places"
    )
    page.get_by_role("button", name="Go").click()
    page.get_by_label("Number of places to offer").fill("1")
    page.get_by_role("button", name="Offer places").click()
    expect(page.locator(".messagelist")).to_contain_text("offered 1 place to Walter Waiting")
    log_out(page)

    accept_held_place(page, waiting.email)
    assert Registration.objects.get(user=waiting).status == Registration.Status.CONFIRMED


def test_registration_expired_offer_passes_the_seat_on(page, kind, organizer):
    services.registration_create(user=UserFactory(), kind=kind)
    slow = UserFactory(display_name="Sam Slow")
    quick = UserFactory(display_name="Quinn Quick")
    first = services.registration_create(user=slow, kind=kind, reason="First in line.")
    services.registration_create(user=quick, kind=kind, reason="Second in line.")
    services.attendance_kind_set_capacity(kind=kind, capacity=2, actor=organizer)
    services.waitlist_offer_next(kind=kind, count=1, actor=organizer)
    Registration.objects.filter(pk=first.pk).update(
        offer_expires_at=timezone.now() - dt.timedelta(minutes=5)
    )

    # Read before the sweep: already shown as expired, no accept button.
    log_in(page, slow.email)
    page.goto("/register/")
    expect(in_person_section(page)).to_contain_text("Your registration: Offer expired")
    expect(page.get_by_role("button", name="Accept the offer")).to_have_count(0)
    log_out(page)

    call_command("expire_offers")

    accept_held_place(page, quick.email)


def test_registration_pass_code_while_sold_out_confirms(page, kind, conference, organizer):
    sponsor = SponsorFactory(tier=SponsorTierFactory(conference=conference, complimentary_passes=1))
    services.attendance_kind_set_capacity(kind=kind, capacity=2, actor=organizer)
    (item,) = services.pass_issue(kind=kind, sponsor=sponsor, count=1, actor=organizer)
    services.registration_create(user=UserFactory(), kind=kind)
    guest = UserFactory(display_name="Gina Guest")
    log_in(page, guest.email)

    page.goto("/register/")
    expect(in_person_section(page)).to_contain_text("Sold out — join the waitlist")
    page.get_by_label("Pass code").fill(item.display_code.lower())
    page.get_by_role("button", name="Redeem pass").click()

    expect(page.get_by_role("status")).to_contain_text("confirmed with your pass")
    expect(in_person_section(page)).to_contain_text("Your registration: Confirmed")
