"""A speaker submits, edits and withdraws a proposal; a post after the deadline is refused
with every typed word kept."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cfp.models import Proposal, Track
from tests.cfp.factories import TrackFactory
from tests.conftest import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def track(conference):
    return TrackFactory(conference=conference, name="Refereed presentations", slug="refereed")


def test_speaker_submits_edits_and_withdraws(page, track):
    speaker = UserFactory(display_name="Sam Speaker")
    UserFactory(email="co.speaker@example.org", display_name="Cory Cospeaker")
    log_in(page, speaker.email)

    page.goto("/cfp/")
    page.get_by_role("link", name="Submit to Refereed presentations").click()
    page.get_by_label("Title").fill("Pipes all the way down")
    page.get_by_label("Abstract").fill("How **pipes** really work.")
    page.get_by_label("Notes for reviewers").fill("First time speaker.")
    page.get_by_label("Co-speakers' email addresses").fill("co.speaker@example.org")
    page.get_by_role("button", name="Submit proposal").click()

    page.get_by_role("heading", name="My proposals").wait_for()
    expect(page.get_by_text("“Pipes all the way down” was submitted.")).to_be_visible()
    row = page.get_by_role("row", name="Pipes all the way down")
    assert "Submitted" in row.inner_text()
    # Invited, not attached: the co-speaker has not said yes yet.
    assert "co.speaker@example.org (invited, no answer yet)" in row.inner_text()

    page.get_by_role("link", name="Edit “Pipes all the way down”").click()
    page.get_by_label("Title").fill("Pipes, all the way down")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("“Pipes, all the way down” was saved.")).to_be_visible()

    page.get_by_role("link", name="Withdraw “Pipes, all the way down”").click()
    page.get_by_role("button", name="Yes, withdraw this proposal").click()
    expect(page.get_by_text("“Pipes, all the way down” was withdrawn.")).to_be_visible()
    assert "Withdrawn" in page.get_by_role("row", name="Pipes, all the way down").inner_text()
    proposal = Proposal.objects.get()
    assert (proposal.title, proposal.state) == ("Pipes, all the way down", "withdrawn")


def test_co_speaker_accepts_an_invitation(page, track):
    speaker = UserFactory(display_name="Sam Speaker")
    co = UserFactory(email="co.speaker@example.org", display_name="Cory Cospeaker")
    log_in(page, speaker.email)
    page.goto("/cfp/refereed/submit/")
    page.get_by_label("Title").fill("Pipes in pairs")
    page.get_by_label("Abstract").fill("Two voices on pipes.")
    page.get_by_label("Co-speakers' email addresses").fill("co.speaker@example.org")
    page.get_by_role("button", name="Submit proposal").click()
    page.get_by_role("heading", name="My proposals").wait_for()
    page.context.clear_cookies()

    log_in(page, co.email)
    page.goto("/cfp/proposals/")
    page.get_by_role("link", name="Pipes in pairs").click()
    expect(page.get_by_role("heading", name="Co-speak on “Pipes in pairs”?")).to_be_visible()
    page.get_by_role("button", name="Accept the invitation").click()

    expect(page.get_by_text("You are now a co-speaker of “Pipes in pairs”.")).to_be_visible()
    assert (
        "Pipes in pairs"
        in page.get_by_role("heading", name="Proposals I co-speak")
        .locator("xpath=following-sibling::ul[1]")
        .inner_text()
    )
    assert list(Proposal.objects.get().co_speakers.all()) == [co]


def test_post_after_deadline_is_refused_and_text_kept(page, track):
    speaker = UserFactory()
    log_in(page, speaker.email)
    page.goto("/cfp/refereed/submit/")
    page.get_by_label("Title").fill("A talk typed slowly")
    page.get_by_label("Abstract").fill("Every word of this abstract matters.")
    page.get_by_label("Notes for reviewers").fill("Please read these notes.")

    # The deadline passes while the form is open.
    Track.objects.filter(pk=track.pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    page.get_by_role("button", name="Submit proposal").click()

    alert = page.locator(".form-errors")
    assert "has passed; your proposal was not submitted." in alert.inner_text()
    assert page.get_by_label("Title").input_value() == "A talk typed slowly"
    assert page.get_by_label("Abstract").input_value() == "Every word of this abstract matters."
    assert page.get_by_label("Notes for reviewers").input_value() == "Please read these notes."
    assert not Proposal.objects.exists()
