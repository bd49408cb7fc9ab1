"""Review phases per track: reviews only in the review phase, decisions only in the
decision phase, chairs and organizers override with a reason (audited)."""

import datetime as dt

import pytest
from django.utils import timezone

from cfp import phases, services
from cfp.models import Proposal, Review
from cfp.services import CfpError
from plumbers.models import AuditLog
from tests.cfp.factories import ProposalFactory, ReviewFactory, TrackFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def closed_review_track(**kwargs):
    """A track whose review phase ended an hour ago and whose decision phase is open."""
    return TrackFactory(
        opens_at=NOW - dt.timedelta(days=60),
        deadline=NOW - dt.timedelta(days=30),
        review_opens_at=NOW - dt.timedelta(days=30),
        review_closes_at=NOW - dt.timedelta(hours=1),
        decision_opens_at=NOW - dt.timedelta(hours=1),
        decision_closes_at=NOW + dt.timedelta(days=14),
        **kwargs,
    )


def test_default_phases_follow_the_deadline():
    deadline = timezone.now()
    got = phases.default_phases(deadline)
    assert got["review_opens_at"] == deadline
    assert got["review_closes_at"] == deadline + dt.timedelta(weeks=3)
    assert got["decision_opens_at"] == got["review_closes_at"]
    assert got["decision_closes_at"] == deadline + dt.timedelta(weeks=5)


def test_fill_default_phases_keeps_dates_already_set():
    track = TrackFactory.build(review_closes_at=NOW)
    phases.fill_default_phases(track)
    assert track.review_opens_at is None and track.review_closes_at == NOW


def test_track_without_phases_reviews_and_decides_at_any_time():
    reviewer, chair = UserFactory(), UserFactory()
    track = TrackFactory(reviewers=[reviewer], chairs=[chair])
    proposal = ProposalFactory(track=track)
    services.review_submit(proposal=proposal, reviewer=reviewer, score=1, confidence=2)
    assert services.proposal_decide(proposals=proposal, decision="accepted", actor=chair)
    assert [p.name for p in phases.current_phases(track)] == ["Submission", "Review", "Decision"]


def test_review_after_the_phase_is_refused_and_nothing_saved():
    reviewer = UserFactory()
    proposal = ProposalFactory(track=closed_review_track(reviewers=[reviewer]))
    with pytest.raises(CfpError, match="review phase of .* ended on"):
        services.review_submit(proposal=proposal, reviewer=reviewer, score=2, confidence=3)
    assert not Review.objects.exists()


def test_review_before_the_phase_opens_is_refused():
    reviewer = UserFactory()
    track = TrackFactory(
        reviewers=[reviewer],
        review_opens_at=NOW + dt.timedelta(days=1),
        review_closes_at=NOW + dt.timedelta(days=20),
    )
    with pytest.raises(CfpError, match="opens on"):
        services.review_submit(
            proposal=ProposalFactory(track=track), reviewer=reviewer, score=0, confidence=1
        )


def test_changing_a_review_after_the_phase_is_refused():
    reviewer = UserFactory()
    proposal = ProposalFactory(track=closed_review_track(reviewers=[reviewer]))
    ReviewFactory(proposal=proposal, reviewer=reviewer, score=-1)
    with pytest.raises(CfpError):
        services.review_submit(proposal=proposal, reviewer=reviewer, score=2, confidence=3)
    assert Review.objects.get().score == -1


def test_chair_overrides_closed_review_phase_with_reason_audited():
    chair = UserFactory()
    proposal = ProposalFactory(track=closed_review_track(chairs=[chair]))
    with pytest.raises(CfpError, match="give a reason for the override"):
        services.review_submit(proposal=proposal, reviewer=chair, score=1, confidence=2)
    review = services.review_submit(
        proposal=proposal,
        reviewer=chair,
        score=1,
        confidence=2,
        override_reason="Late reviewer dropped out.",
    )
    entry = AuditLog.objects.get(action="review_submit")
    assert entry.data["phase_override"] == "Late reviewer dropped out."
    assert review.score == 1


def test_reviewer_cannot_override_with_a_reason():
    reviewer = UserFactory()
    proposal = ProposalFactory(track=closed_review_track(reviewers=[reviewer]))
    with pytest.raises(CfpError) as error:
        services.review_submit(
            proposal=proposal, reviewer=reviewer, score=1, confidence=2, override_reason="Please"
        )
    assert "override" not in str(error.value)


def test_decision_before_the_decision_phase_is_refused_then_overridden(organizer):
    track = TrackFactory(
        decision_opens_at=NOW + dt.timedelta(days=2),
        decision_closes_at=NOW + dt.timedelta(days=9),
    )
    proposal = ProposalFactory(track=track)
    with pytest.raises(CfpError, match="decision phase of .* opens on"):
        services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.SUBMITTED

    services.proposal_decide(
        proposals=proposal,
        decision="accepted",
        actor=organizer,
        override_reason="Keynote slot must be confirmed now.",
    )
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.ACCEPTED
    entry = AuditLog.objects.get(action="proposal_decide")
    assert entry.data["phase_override"] == "Keynote slot must be confirmed now."


def test_decision_inside_the_phase_records_no_override():
    chair = UserFactory()
    proposal = ProposalFactory(track=closed_review_track(chairs=[chair]))
    services.proposal_decide(proposals=proposal, decision="rejected", actor=chair)
    assert "phase_override" not in (AuditLog.objects.get(action="proposal_decide").data or {})


def test_posted_review_after_the_phase_is_refused_with_text_kept(client, conference):
    reviewer = UserFactory()
    proposal = ProposalFactory(
        track=closed_review_track(conference=conference, reviewers=[reviewer])
    )
    client.force_login(reviewer)
    response = client.post(
        f"/cfp/review/{proposal.pk}/",
        {"score": "2", "confidence": "3", "comment": "Typed-after-the-end-K8"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "review phase of" in html and "ended on" in html
    assert "Typed-after-the-end-K8" in html
    assert not Review.objects.exists()


def test_chair_override_field_appears_on_a_closed_review_page(client, conference):
    chair = UserFactory()
    proposal = ProposalFactory(track=closed_review_track(conference=conference, chairs=[chair]))
    client.force_login(chair)
    html = client.get(f"/cfp/review/{proposal.pk}/").content.decode()
    assert "Reason for overriding the review phase" in html
    response = client.post(
        f"/cfp/review/{proposal.pk}/",
        {"score": "1", "confidence": "2", "override_reason": "Needed a third review."},
    )
    assert response.status_code == 302
    assert Review.objects.get().reviewer == chair


def test_triage_list_shows_phase_and_its_end_in_the_edition_zone(client, conference):
    reviewer = UserFactory()
    track = closed_review_track(conference=conference, reviewers=[reviewer], name="Refereed")
    client.force_login(reviewer)
    html = client.get("/cfp/review/").content.decode()
    closes = track.decision_closes_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
    assert "Decision phase, ends" in html
    assert f'<time datetime="{closes}' in html
    assert "Review phase" not in html
