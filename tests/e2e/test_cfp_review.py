"""A reviewer filters the triage list, scores a proposal and cannot open their own."""

import pytest
from playwright.sync_api import expect

from cfp.models import Review
from tests.cfp.factories import ProposalFactory, ReviewFactory, TrackFactory
from tests.conftest import log_in
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_reviewer_filters_scores_and_cannot_open_own_proposal(page, conference):
    reviewer = UserFactory(display_name="Rita Reviewer")
    track = TrackFactory(conference=conference, name="Refereed", reviewers=[reviewer])
    other_track = TrackFactory(conference=conference, name="Toolchains", reviewers=[reviewer])
    first = ProposalFactory(track=track, title="Faster futexes")
    ReviewFactory(proposal=first, score=-1, comment="Needs numbers.")
    ProposalFactory(track=other_track, title="Linker scripts considered harmful")
    own = ProposalFactory(track=track, submitter=reviewer, title="My own talk")
    log_in(page, reviewer.email)

    page.goto("/cfp/review/")
    expect(page.get_by_role("link", name="Faster futexes")).to_be_visible()
    expect(page.get_by_role("link", name="Linker scripts considered harmful")).to_be_visible()
    assert page.get_by_text("My own talk").count() == 0

    page.get_by_label("Track").select_option(label="Refereed")
    page.get_by_label("Not reviewed by me").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("link", name="Faster futexes")).to_be_visible()
    assert page.get_by_role("link", name="Linker scripts considered harmful").count() == 0

    page.get_by_role("link", name="Next unreviewed").click()
    page.get_by_role("heading", name="Faster futexes").wait_for()
    assert page.get_by_text("Needs numbers.").count() == 0  # hidden until I review
    page.get_by_label("Score").select_option(label="+2 — strong accept")
    page.get_by_label("Confidence").select_option(label="3 — expert")
    page.get_by_label("Comment for the committee").fill("Clear and useful.")
    page.get_by_role("button", name="Submit my review").click()

    expect(page.get_by_text("Your review was saved.")).to_be_visible()
    expect(page.get_by_text("Needs numbers.")).to_be_visible()
    review = Review.objects.get(reviewer=reviewer)
    assert (review.score, review.confidence, review.comment) == (2, 3, "Clear and useful.")

    page.goto(f"/cfp/review/?unreviewed=1&track={track.pk}")
    expect(page.get_by_text("No proposals match.")).to_be_visible()

    response = page.goto(f"/cfp/review/{own.pk}/")
    assert response.status == 404
    assert page.get_by_text("My own talk").count() == 0
