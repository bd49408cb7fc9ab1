"""The published program as visitors and attendees use it: the grid, the changelog, a star
and the private calendar feed."""

import icalendar
import pytest
from playwright.sync_api import expect

from tests.conftest import log_in
from tests.factories import UserFactory
from tests.schedule.factories import RoomFactory
from tests.schedule.factories_public import local, mc_item, place, plain_item, publish, talk_item

pytestmark = pytest.mark.e2e


@pytest.fixture
def program(conference):
    hall = RoomFactory(conference=conference, name="Main hall", order=0)
    side = RoomFactory(conference=conference, name="Side room", order=1)
    speaker = UserFactory(display_name="Alice Speaker")
    talk = place(
        talk_item(conference, title="Zero-copy networking", speakers=[speaker]),
        hall,
        local(conference, 0, 9),
    )
    place(mc_item(conference, title="Tracing MC"), side, local(conference, 0, 9), 210)
    place(plain_item(conference, "Coffee break"), hall, local(conference, 0, 10), 30)
    publish(conference)
    place(talk, side, local(conference, 0, 14))
    publish(conference, comment="Zero-copy moved to the afternoon")
    return {"talk": talk, "speaker": speaker}


def test_visitor_sees_program_and_changelog(page, program):
    page.goto("/schedule/")
    page.get_by_role("heading", name="Program", level=1).wait_for()
    grid = page.get_by_role("table")
    expect(grid.get_by_role("columnheader", name="Main hall")).to_be_visible()
    expect(grid.get_by_role("columnheader", name="Side room")).to_be_visible()
    expect(grid.get_by_role("link", name="Zero-copy networking")).to_be_visible()
    expect(grid.get_by_role("link", name="Tracing MC")).to_be_visible()
    expect(page.get_by_text("Times are in Dublin time, UTC")).to_be_visible()

    page.get_by_role("link", name="Changes (version 2.0)").click()
    page.get_by_role("heading", name="Program changes", level=1).wait_for()
    latest = page.get_by_role("region", name="Version 2.0")
    expect(latest.get_by_text("Zero-copy moved to the afternoon")).to_be_visible()
    moved = latest.get_by_role("listitem").filter(has_text="Zero-copy networking")
    assert "Moved:" in moved.inner_text() and "Side room" in moved.inner_text()
    expect(page.get_by_role("region", name="Version 1.0").get_by_text("Tracing MC")).to_be_visible()

    page.goto("/schedule/")
    page.get_by_role("table").get_by_role("link", name="Zero-copy networking").click()
    expect(page.get_by_role("heading", name="Zero-copy networking", level=1)).to_be_visible()
    page.get_by_role("link", name="Alice Speaker").click()
    expect(page.get_by_role("heading", name="Alice Speaker", level=1)).to_be_visible()


def test_attendee_stars_item_and_finds_it_in_private_feed(page, chromium, program, user):
    log_in(page, user.email)
    page.goto("/schedule/")
    page.get_by_role("table").get_by_role("link", name="Zero-copy networking").click()
    page.get_by_role("button", name="Star Zero-copy networking").click()
    expect(page.get_by_text("“Zero-copy networking” is in your program.")).to_be_visible()
    expect(page.get_by_role("button", name="Unstar Zero-copy networking")).to_be_visible()

    page.goto("/schedule/")
    page.get_by_role("link", name="My program").click()
    page.get_by_role("heading", name="My program", level=1).wait_for()
    expect(page.get_by_role("link", name="Zero-copy networking")).to_be_visible()
    page.get_by_role("button", name="Create my calendar feed").click()
    feed_url = page.get_by_label("Feed address").input_value()
    assert "/schedule/mine/" in feed_url and feed_url.endswith(".ics")

    # A calendar app fetches the address without logging in.
    stranger = chromium.new_context()
    try:
        response = stranger.request.get(feed_url)
        assert response.status == 200
        calendar = icalendar.Calendar.from_ical(response.body())
    finally:
        stranger.close()
    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
    assert summaries == ["Zero-copy networking"]
    assert str(calendar.walk("VEVENT")[0]["LOCATION"]) == "Side room"

    page.get_by_role("button", name="Turn the feed off").click()
    expect(page.get_by_text("Your calendar feed address no longer works.")).to_be_visible()
    again = chromium.new_context()
    try:
        assert again.request.get(feed_url).status == 404
    finally:
        again.close()


def test_visitor_in_another_zone_sees_their_own_time(chromium, live_server, program):
    context = chromium.new_context(base_url=live_server.url, timezone_id="America/New_York")
    try:
        page = context.new_page()
        page.goto("/schedule/")
        note = page.locator(".program-zone")
        note.get_by_text("Times in brackets are in your own zone (America/New York).").wait_for()
        cell = page.get_by_role("table").get_by_role("cell").filter(has_text="Tracing MC")
        assert "yours)" in cell.inner_text()
        assert "your time:" not in cell.inner_text()  # one addition per time, not two
    finally:
        context.close()


def test_visitor_in_the_conference_zone_sees_no_second_time(chromium, live_server, program):
    context = chromium.new_context(base_url=live_server.url, timezone_id="Europe/Dublin")
    try:
        page = context.new_page()
        page.goto("/schedule/")
        page.get_by_role("table").wait_for()
        assert page.locator(".your-time").count() == 0
        expect(page.locator(".program-your-zone")).not_to_be_visible()
    finally:
        context.close()


def test_phone_sees_a_list_by_time(chromium, live_server, program):
    context = chromium.new_context(base_url=live_server.url, viewport={"width": 390, "height": 800})
    try:
        page = context.new_page()
        page.goto("/schedule/")
        expect(page.get_by_role("table")).not_to_be_visible()
        listing = page.locator(".program-list")
        expect(listing.get_by_role("link", name="Tracing MC")).to_be_visible()
        expect(listing.get_by_role("heading", name="09:00").first).to_be_visible()
    finally:
        context.close()


def test_two_people_star_from_the_program_list_each_seeing_their_own(
    chromium, live_server, program, user
):
    """The day grid is shared between people (rendered once); each one's star buttons are
    their own: Ada stars a talk from the list on her phone, Bob's list still offers "Star"."""
    bob = UserFactory(display_name="Bob Builder")
    phone = {"base_url": live_server.url, "viewport": {"width": 390, "height": 800}}
    ada_context, bob_context = chromium.new_context(**phone), chromium.new_context(**phone)
    try:
        ada, bob_page = ada_context.new_page(), bob_context.new_page()
        log_in(ada, user.email)
        ada.goto("/schedule/")
        listing = ada.locator(".program-list")
        listing.get_by_role("button", name="Star Zero-copy networking").click()
        expect(ada.get_by_text("“Zero-copy networking” is in your program.")).to_be_visible()
        expect(
            ada.locator(".program-list").get_by_role("button", name="Unstar Zero-copy networking")
        ).to_be_visible()

        log_in(bob_page, bob.email)
        bob_page.goto("/schedule/")
        bob_list = bob_page.locator(".program-list")
        expect(bob_list.get_by_role("button", name="Star Zero-copy networking")).to_be_visible()
        expect(bob_list.get_by_role("button", name="Unstar Zero-copy networking")).to_have_count(0)
    finally:
        ada_context.close()
        bob_context.close()
