"""The speakers' side of the CFP, in Chromium: an accepted microconference proposal becomes
a microconference its proposers edit; a late-submission code admits one submission after a
hard deadline and refuses a second; a speaker confirms an accepted talk and follows their
proposal's history on its own page, at phone width too."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cfp import services
from cfp.models import LateSubmissionCode, Proposal, Track
from microconferences.models import Microconference
from tests.cfp.factories import ProposalFactory, TrackFactory
from tests.conftest import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def _fits_390(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_accepting_an_mc_proposal_creates_an_mc_its_proposers_edit(page, conference, organizer):
    now = timezone.now()
    track = TrackFactory(
        conference=conference,
        name="Microconference proposals",
        slug="microconference-proposals",
        kind=Track.Kind.MC_PROPOSALS,
        opens_at=now - dt.timedelta(days=60),
        deadline=now - dt.timedelta(days=2),
    )
    pia = UserFactory(display_name="Pia Proposer")
    cal = UserFactory(display_name="Cal Coproposer")
    ProposalFactory(
        track=track,
        submitter=pia,
        co_speakers=[cal],
        title="Confidential Computing",
        abstract="Attestation and **memory encryption** for guests.",
    )

    log_in(page, organizer.email)
    page.goto("/cfp/review/")
    page.get_by_role("link", name="Confidential Computing").click()
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.get_by_text("“Confidential Computing” accepted")).to_be_visible()
    mc = Microconference.objects.get()
    assert mc.status == "accepted"
    page.context.clear_cookies()

    log_in(page, cal.email)
    page.goto("/cfp/proposals/")
    page.get_by_role("link", name="Confidential Computing").click()
    expect(page.get_by_text("It is now the microconference")).to_be_visible()
    page.get_by_role("link", name="edit the microconference").click()
    page.get_by_role("heading", name="Edit “Confidential Computing”").wait_for()
    page.get_by_role("textbox", name="Summary").fill(
        "Confidential guests: what is left to agree on."
    )
    page.get_by_role("button", name="Save summary and description").click()
    page.get_by_role("link", name="View the public page").click()

    expect(page.get_by_text("Confidential guests: what is left to agree on.")).to_be_visible()
    leads = page.get_by_role("region", name="Leads").inner_text()
    assert "Pia Proposer" in leads and "Cal Coproposer" in leads
    assert "memory encryption" in page.content()


def test_late_code_admits_one_submission_after_a_hard_deadline(page, conference):
    now = timezone.now()
    chair = UserFactory(display_name="Chloe Chair")
    speaker = UserFactory(email="late.speaker@example.org", display_name="Lee Late")
    track = TrackFactory(
        conference=conference,
        name="Refereed presentations",
        slug="refereed",
        opens_at=now - dt.timedelta(days=60),
        deadline=now - dt.timedelta(hours=3),
        deadline_policy=Track.DeadlinePolicy.HARD,
        chairs=[chair],
    )

    log_in(page, chair.email)
    page.goto("/cfp/review/late-codes/")
    page.get_by_label("Track").select_option(label="Refereed presentations")
    page.get_by_label("Email address of the person").fill("Late.Speaker@example.org")
    page.get_by_label("Number of submissions it admits").fill("1")
    expiry = timezone.localtime(now + dt.timedelta(days=2), conference.tzinfo)
    page.get_by_label("Valid until").fill(expiry.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("Reason (for the record)").fill("Flight cancelled on deadline day")
    page.get_by_role("button", name="Issue the code").click()
    expect(page.get_by_text("it was mailed to them")).to_be_visible()
    code = LateSubmissionCode.objects.get().code
    assert code in page.get_by_role("table").inner_text()
    page.context.clear_cookies()

    log_in(page, speaker.email)
    page.goto("/cfp/refereed/submit/")
    expect(page.get_by_text("Its deadline is hard: it is not extended.")).to_be_visible()
    page.get_by_label("Late-submission code").fill(code)
    page.get_by_role("button", name="Use my code").click()
    expect(page.get_by_text("your late-submission code admits your proposal")).to_be_visible()
    page.get_by_label("Title").fill("Late but worth it")
    page.get_by_label("Abstract").fill("Why **late** is sometimes fine.")
    page.get_by_role("button", name="Submit proposal").click()
    expect(page.get_by_text("“Late but worth it” was submitted.")).to_be_visible()

    # A second use of the single-use code: refused, with the code kept in the field.
    page.goto("/cfp/refereed/submit/")
    page.get_by_label("Late-submission code").fill(code)
    page.get_by_role("button", name="Use my code").click()
    expect(page.get_by_text("This late-submission code has been used already")).to_be_visible()
    assert page.get_by_label("Late-submission code").input_value() == code
    assert page.get_by_role("button", name="Submit proposal").count() == 0
    assert Proposal.objects.filter(track=track).count() == 1
    track.refresh_from_db()
    assert track.sequence == 0  # the public deadline never moved


def test_speaker_confirms_an_accepted_talk(page, conference, organizer):
    speaker = UserFactory(display_name="Sam Speaker")
    proposal = ProposalFactory(
        track=TrackFactory(conference=conference), submitter=speaker, title="Pipes at scale"
    )
    services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)

    log_in(page, speaker.email)
    page.goto("/cfp/proposals/")
    assert "Accepted" in page.get_by_role("row", name="Pipes at scale").inner_text()
    page.get_by_role("button", name="Confirm “Pipes at scale”").click()

    expect(page.get_by_text("Thank you: you confirmed “Pipes at scale”.")).to_be_visible()
    row = page.get_by_role("row", name="Pipes at scale")
    assert "Confirmed by the speakers" in row.inner_text()
    assert row.get_by_role("button", name="Confirm “Pipes at scale”").count() == 0
    assert Proposal.objects.get(pk=proposal.pk).state == "confirmed"


def test_speaker_opens_their_proposal_page_and_sees_its_history(page, conference, organizer):
    speaker = UserFactory(display_name="Sam Speaker")
    co = UserFactory(display_name="Cora Cospeaker")
    track = TrackFactory(conference=conference, name="Refereed presentations")
    proposal = services.proposal_submit(
        track=track,
        submitter=speaker,
        title="A long pipeline title that wraps on a small phone screen",
        abstract="Pipes, *valves* and traps.",
    )
    proposal.co_speakers.add(co)
    services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)

    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, speaker.email)
    page.goto("/cfp/proposals/")
    assert _fits_390(page)
    page.get_by_role(
        "link", name="A long pipeline title that wraps on a small phone screen", exact=True
    ).click()

    page.get_by_role(
        "heading", name="A long pipeline title that wraps on a small phone screen"
    ).wait_for()
    assert _fits_390(page)
    assert page.locator(".prose em").inner_text() == "valves"
    expect(page.get_by_text("Cora Cospeaker (co-speaker)")).to_be_visible()
    history = page.get_by_role("region", name="History")
    items = history.get_by_role("listitem").all_inner_texts()
    assert [item.split(": ", 1)[1] for item in items] == [
        "Submitted by Sam Speaker",
        "Accepted by the committee",
    ]
    assert all("UTC" in item for item in items)  # times with their zone, never a bare "T"

    page.get_by_role("button", name="Confirm: I will give this talk").click()
    expect(page.get_by_text("Thank you: you confirmed")).to_be_visible()
    assert history.get_by_role("listitem").last.inner_text().endswith("Confirmed by Sam Speaker")
    assert page.get_by_role("button", name="Confirm: I will give this talk").count() == 0
