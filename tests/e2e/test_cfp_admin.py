"""An organizer extends a deadline from the admin; the public CFP page shows the new date
with the old one struck through. The same action on a hard-deadline track is refused."""

import datetime as dt
import zoneinfo

import pytest
from playwright.sync_api import expect

from cfp.models import DeadlineExtension, Track
from tests.cfp.factories import TrackFactory
from tests.conftest import log_in

pytestmark = pytest.mark.e2e
DUBLIN = zoneinfo.ZoneInfo("Europe/Dublin")


def _run_extend_action(page, track_name, new_date, new_time, reason):
    page.goto("/admin/cfp/track/")
    page.get_by_role("row", name=track_name).get_by_role("checkbox").check()
    page.get_by_role("combobox", name="Action").select_option(label="Extend deadline")
    page.get_by_role("button", name="Go").click()
    page.get_by_role("heading", name="Extend deadline").wait_for()
    expect(page.get_by_text("Dublin time, UTC+1", exact=True)).to_be_visible()  # the boxes' zone
    page.get_by_label("New deadline: date").fill(new_date)
    page.get_by_label("New deadline: time").fill(new_time)
    page.get_by_label("Reason (shown publicly)").fill(reason)
    page.get_by_label("Publish a news announcement about the extension").check()
    page.get_by_role("button", name="Extend deadline").click()
    page.wait_for_load_state()


def test_organizer_extends_deadline_and_public_page_strikes_old_one(page, conference, organizer):
    TrackFactory(
        conference=conference,
        name="Refereed presentations",
        opens_at=dt.datetime(2020, 3, 1, tzinfo=DUBLIN),
        deadline=dt.datetime(2099, 6, 12, 23, 59, tzinfo=DUBLIN),
    )
    log_in(page, organizer.email)

    _run_extend_action(page, "Refereed presentations", "2099-06-19", "23:59", "One more week.")

    expect(page.get_by_text("The deadline of Refereed presentations was extended.")).to_be_visible()
    page.goto("/cfp/")
    card = page.locator("#track-" + Track.objects.get().slug)
    struck = card.locator("del")
    assert "Fri 12 Jun 2099, 23:59 (Dublin time, UTC+1)" in struck.inner_text()
    assert "Fri 19 Jun 2099, 23:59 (Dublin time, UTC+1)" in card.inner_text()
    assert "One more week." in card.inner_text()
    assert DeadlineExtension.objects.get().extended_by == organizer


def test_extend_action_on_hard_track_shows_refusal(page, conference, organizer):
    deadline = dt.datetime(2099, 7, 16, 23, 59, tzinfo=DUBLIN)
    TrackFactory(
        conference=conference,
        name="Refereed presentations 2023",
        deadline=deadline,
        deadline_policy=Track.DeadlinePolicy.HARD,
    )
    log_in(page, organizer.email)

    _run_extend_action(page, "Refereed presentations 2023", "2099-07-23", "23:59", "Please?")

    expect(
        page.get_by_text(
            "The deadline of Refereed presentations 2023 is hard and cannot be extended."
        )
    ).to_be_visible()
    assert Track.objects.get().deadline == deadline
    assert not DeadlineExtension.objects.exists()
