"""Review depth in the browser: anonymised review, the review phase, automatic assignment
and the chairs' ranked table (issue 14, the reviewers' half)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cfp.models import Proposal, Review, ReviewAssignment
from tests.cfp.factories import ProposalFactory, ReviewFactory, TrackFactory
from tests.conftest import log_in, log_out
from tests.factories import UserFactory

pytestmark = pytest.mark.e2e


def test_anonymised_reviewer_goes_list_next_review_without_seeing_a_speaker(page, conference):
    reviewer = UserFactory(display_name="Rita Reviewer")
    track = TrackFactory(
        conference=conference, name="Refereed", anonymised_review=True, reviewers=[reviewer]
    )
    speakers = [
        UserFactory(display_name="Sabine Speakerly", email="sabine.speakerly@example.org"),
        UserFactory(display_name="Conrad Cospeaker", email="conrad.cospeaker@example.org"),
        UserFactory(display_name="Petra Proposer", email="petra.proposer@example.org"),
    ]
    ProposalFactory(
        track=track, submitter=speakers[0], co_speakers=[speakers[1]], title="Pipes all the way"
    )
    ProposalFactory(track=track, submitter=speakers[2], title="Ring buffers revisited")
    secrets = [text for person in speakers for text in (person.display_name, person.email)]

    def assert_anonymous():
        html = page.content()
        for text in secrets:
            assert text not in html, text

    log_in(page, reviewer.email)
    page.goto("/cfp/review/")
    expect(page.get_by_role("link", name="Pipes all the way")).to_be_visible()
    expect(page.get_by_text("hidden (anonymised review)").first).to_be_visible()
    assert_anonymous()

    page.get_by_role("link", name="Next unreviewed").click()
    page.get_by_role("heading", name="Pipes all the way").wait_for()
    expect(page.get_by_text("speakers hidden (anonymised review)")).to_be_visible()
    assert_anonymous()
    page.get_by_label("Score").select_option(label="+1 — accept")
    page.get_by_label("Confidence").select_option(label="2 — knowledgeable")
    page.get_by_label("Comment for the committee").fill("Good scope.")
    page.get_by_role("button", name="Submit my review").click()
    expect(page.get_by_text("Your review was saved.")).to_be_visible()
    assert_anonymous()

    page.get_by_role("link", name="Back to the review list").click()
    page.get_by_role("link", name="Next unreviewed").click()
    page.get_by_role("heading", name="Ring buffers revisited").wait_for()
    assert_anonymous()
    assert Review.objects.filter(reviewer=reviewer).count() == 1


def test_review_posted_after_the_phase_ends_is_refused_with_the_text_kept(page, conference):
    reviewer = UserFactory()
    now = timezone.now()
    track = TrackFactory(
        conference=conference,
        reviewers=[reviewer],
        review_opens_at=now - dt.timedelta(days=3),
        review_closes_at=now + dt.timedelta(hours=1),
    )
    proposal = ProposalFactory(track=track, title="Late thoughts")
    log_in(page, reviewer.email)
    page.goto(f"/cfp/review/{proposal.pk}/")
    expect(page.get_by_text("Review phase, ends")).to_be_visible()
    page.get_by_label("Score").select_option(label="+2 — strong accept")
    page.get_by_label("Comment for the committee").fill("Typed just too late, keep me.")

    # The phase ends while the reviewer is still typing.
    track.review_closes_at = timezone.now() - dt.timedelta(seconds=1)
    track.save()
    page.get_by_role("button", name="Submit my review").click()

    expect(page.get_by_text("ended on").first).to_be_visible()
    assert page.get_by_label("Comment for the committee").input_value() == (
        "Typed just too late, keep me."
    )
    assert not Review.objects.exists()


def test_chair_auto_assigns_three_per_proposal_and_reviewers_see_their_count(page, conference):
    chair = UserFactory(display_name="Chair Person")
    reviewers = [UserFactory(display_name=f"Reviewer {n}") for n in range(4)]
    track = TrackFactory(conference=conference, name="Kernel", reviewers=reviewers, chairs=[chair])
    ProposalFactory.create_batch(5, track=track)
    ProposalFactory(track=track, submitter=reviewers[0], title="Reviewer zero's own")

    log_in(page, chair.email)
    page.goto("/cfp/review/")
    page.get_by_role("link", name="Assign reviewers for Kernel").click()
    page.get_by_label("Reviewers per proposal (K)").fill("3")
    page.get_by_role("button", name="Assign automatically").click()
    expect(page.get_by_text("18 new assignments; the reviewers were mailed.")).to_be_visible()
    log_out(page)

    own = Proposal.objects.get(title="Reviewer zero's own")
    assert not ReviewAssignment.objects.filter(proposal=own, reviewer=reviewers[0]).exists()
    for proposal in Proposal.objects.filter(track=track):
        assert proposal.assignments.count() == 3
    for reviewer in reviewers:
        count = ReviewAssignment.objects.filter(reviewer=reviewer).count()
        log_in(page, reviewer.email)
        page.goto("/cfp/review/")
        expect(page.get_by_text(f"Kernel: assigned to you, {count}; {count} left")).to_be_visible()
        log_out(page)


def test_chair_bulk_accepts_the_top_of_the_ranked_table(page, conference):
    chair = UserFactory()
    reviewers = UserFactory.create_batch(3)
    track = TrackFactory(
        conference=conference,
        name="Refereed",
        chairs=[chair],
        reviewers=reviewers,
        accept_target=2,
    )
    for title, score in [("Gold", 2), ("Silver", 1), ("Bronze", 0), ("Tin", -2)]:
        proposal = ProposalFactory(track=track, title=title)
        for reviewer in reviewers:
            ReviewFactory(proposal=proposal, reviewer=reviewer, score=score, confidence=2)

    log_in(page, chair.email)
    page.goto("/cfp/review/")
    page.get_by_role("link", name="Ranked table of Refereed").click()
    page.get_by_role("heading", name="Ranked table: Refereed").wait_for()
    expect(page.get_by_text("Accept line: the top 2 above")).to_be_visible()
    assert page.get_by_label("Select “Gold”").is_checked()
    assert page.get_by_label("Select “Silver”").is_checked()
    assert not page.get_by_label("Select “Bronze”").is_checked()
    page.get_by_label("Decision for the selected proposals").select_option(label="Accept")
    page.get_by_role("button", name="Decide selected").click()

    expect(page.get_by_text("2 proposals accepted; the speakers were mailed.")).to_be_visible()
    assert set(Proposal.objects.filter(state="accepted").values_list("title", flat=True)) == {
        "Gold",
        "Silver",
    }
