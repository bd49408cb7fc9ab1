"""A ranking the committee can trust: statistics, sorting, flags, the chairs' ranked table
with its accept line and bulk decisions, and a fixed number of queries."""

import pytest
from django.core import mail

from cfp import ranking
from cfp.models import Proposal
from plumbers.models import AuditLog
from tests.cfp.factories import ProposalFactory, ReviewFactory, TrackFactory
from tests.conftest import get_counting_queries
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(conference):
    chair = UserFactory(display_name="Chair")
    reviewers = [UserFactory(display_name=f"R{i}") for i in range(4)]
    track = TrackFactory(
        conference=conference, chairs=[chair], reviewers=reviewers, accept_target=2
    )
    return track, chair, reviewers


def _reviews(proposal, reviewers, scores, confidences):
    for reviewer, score, confidence in zip(reviewers, scores, confidences, strict=False):
        ReviewFactory(proposal=proposal, reviewer=reviewer, score=score, confidence=confidence)


def test_statistics_per_proposal(board):
    track, _chair, reviewers = board
    proposal = ProposalFactory(track=track)
    _reviews(proposal, reviewers, [2, -1, 1, 2], [3, 1, 1, 3])
    ProposalFactory(track=track, title="Unreviewed")

    rows = {p.title: p for p in ranking.ranked_track(track=track)}

    p = rows[proposal.title]
    assert p.review_count == 4
    assert p.mean_score == pytest.approx(1.0)
    assert p.median_score == pytest.approx(1.5)
    assert p.score_spread == 3
    assert p.weighted_score == pytest.approx((6 - 1 + 1 + 6) / 8)
    assert p.disagree is True and p.short_of_k is False
    empty = rows["Unreviewed"]
    assert empty.review_count == 0 and empty.mean_score is None and empty.median_score is None
    assert empty.short_of_k is True and empty.disagree is False


def test_ranked_table_orders_by_each_statistic(board):
    track, _chair, reviewers = board
    a = ProposalFactory(track=track, title="A")
    b = ProposalFactory(track=track, title="B")
    _reviews(a, reviewers, [2, 2, -2], [1, 1, 3])  # mean .67, median 2, weighted -.4
    _reviews(b, reviewers, [1, 1, 1], [1, 1, 1])  # mean 1, median 1, weighted 1
    assert [p.title for p in ranking.ranked_track(track=track, by="weighted")] == ["B", "A"]
    assert [p.title for p in ranking.ranked_track(track=track, by="median")] == ["A", "B"]
    assert [p.title for p in ranking.ranked_track(track=track, by="score")] == ["B", "A"]
    # An unknown key falls back to the weighted mean.
    assert [p.title for p in ranking.ranked_track(track=track, by="evil")] == ["B", "A"]


def test_sort_key_is_validated():
    assert ranking.sort_key("spread") == "spread"
    assert ranking.sort_key("title; drop table") == ""


def test_triage_list_sorts_and_flags(client, board):
    track, chair, reviewers = board
    agreed = ProposalFactory(track=track, title="Agreed-AG")
    split = ProposalFactory(track=track, title="Split-SP")
    _reviews(agreed, reviewers, [1, 1, 1], [2, 2, 2])
    _reviews(split, reviewers, [-2, 2, 2], [2, 2, 2])
    client.force_login(chair)

    html = client.get("/cfp/review/?sort=spread").content.decode()
    assert html.index("Split-SP") < html.index("Agreed-AG")
    assert "reviewers disagree" in html
    html = client.get("/cfp/review/?sort=score").content.decode()
    assert html.index("Agreed-AG") < html.index("Split-SP")  # mean 1 before 0.67
    html = client.get("/cfp/review/?sort=median").content.decode()
    assert html.index("Split-SP") < html.index("Agreed-AG")
    # A bad sort parameter is ignored (oldest first), never an error.
    response = client.get("/cfp/review/?sort=%27%3B--")
    assert response.status_code == 200


def test_triage_list_flags_short_of_k(client, board):
    track, chair, reviewers = board
    ReviewFactory(proposal=ProposalFactory(track=track), reviewer=reviewers[0])
    client.force_login(chair)
    assert "short of 3" in client.get("/cfp/review/").content.decode()


def test_reviewer_sees_no_statistics_before_their_own_review(client, board):
    track, _chair, reviewers = board
    proposal = ProposalFactory(track=track, title="Anchor-AN")
    _reviews(proposal, reviewers[1:], [-2, 2], [3, 3])
    client.force_login(reviewers[0])
    html = client.get("/cfp/review/?sort=spread").content.decode()
    assert '<span class="status error">reviewers disagree' not in html
    assert "after your review" in html


def test_ranked_table_draws_the_accept_line_and_preselects_the_top(client, board):
    track, chair, reviewers = board
    for i, score in enumerate([2, 1, 0, -1]):
        _reviews(ProposalFactory(track=track, title=f"Rank-{i}"), reviewers, [score] * 3, [2] * 3)
    client.force_login(chair)
    html = client.get(f"/cfp/review/track/{track.pk}/ranking/").content.decode()
    assert html.index("Rank-0") < html.index("Rank-1") < html.index("Accept line")
    assert html.index("Accept line") < html.index("Rank-2") < html.index("Rank-3")
    assert html.count(" checked>") == 2


def test_bulk_accept_from_the_ranked_table_goes_through_the_decision_service(
    client, board, django_capture_on_commit_callbacks
):
    track, chair, reviewers = board
    top = [ProposalFactory(track=track, title=f"Top-{i}") for i in range(2)]
    ProposalFactory(track=track, title="Bottom")
    url = f"/cfp/review/track/{track.pk}/ranking/"
    client.force_login(chair)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/cfp/review/decide/",
            {"decision": "accepted", "proposals": [p.pk for p in top], "next": url},
        )
    assert response.status_code == 302 and response["Location"] == url
    assert set(Proposal.objects.filter(state="accepted").values_list("title", flat=True)) == {
        "Top-0",
        "Top-1",
    }
    assert AuditLog.objects.filter(action="proposal_decide").count() == 2
    assert len(mail.outbox) == 2


def test_reviewer_cannot_open_the_ranked_table(client, board):
    track, _chair, reviewers = board
    client.force_login(reviewers[0])
    assert client.get(f"/cfp/review/track/{track.pk}/ranking/").status_code == 403


def _fill(track, reviewers, n):
    for i in range(n):
        proposal = ProposalFactory(track=track, co_speakers=[UserFactory()])
        _reviews(proposal, reviewers, [i % 5 - 2, 1, 0], [1, 2, 3])


@pytest.mark.parametrize("path", ["/cfp/review/?sort=median", "/cfp/review/track/{pk}/ranking/"])
def test_query_count_does_not_grow_with_proposals(client, board, path):
    track, chair, reviewers = board
    client.force_login(chair)
    _fill(track, reviewers, 1)
    url = path.format(pk=track.pk)
    client.get(url)
    one, _ = get_counting_queries(client, url)
    _fill(track, reviewers, 12)
    client.get(url)  # warm the shared caches again (the reviews bumped the content version)
    many, response = get_counting_queries(client, url)
    assert response.content.decode().count("/cfp/review/") > 12
    assert many == one


# ------------------------------------------------------------- comments to the speaker


def _verified_client(client, user):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )
    client.force_login(user)
    return client


def test_speaker_comment_is_shown_after_the_decision_without_the_reviewer(client, board):
    from cfp import services

    track, chair, reviewers = board
    track.speaker_comments = True
    track.save()
    proposal = ProposalFactory(track=track)
    services.review_submit(
        proposal=proposal,
        reviewer=reviewers[0],
        score=1,
        confidence=2,
        comment="Committee-only-CM",
        speaker_comment="Please-add-numbers-SC",
    )
    _verified_client(client, proposal.submitter)
    url = f"/cfp/proposals/{proposal.pk}/"
    assert "Please-add-numbers-SC" not in client.get(url).content.decode()

    services.proposal_decide(proposals=proposal, decision="accepted", actor=chair)
    html = client.get(url).content.decode()
    assert "Please-add-numbers-SC" in html
    assert "Committee-only-CM" not in html
    assert "R0" not in html.split("Comments from the reviewers")[1][:300]


def test_speaker_comment_is_dropped_where_the_track_does_not_allow_it(board):
    from cfp import services

    track, _chair, reviewers = board
    review = services.review_submit(
        proposal=ProposalFactory(track=track),
        reviewer=reviewers[0],
        score=1,
        confidence=2,
        speaker_comment="Not-kept",
    )
    assert review.speaker_comment == ""


def test_review_form_offers_the_speaker_comment_only_where_allowed(client, board):
    track, _chair, reviewers = board
    proposal = ProposalFactory(track=track)
    client.force_login(reviewers[0])
    assert (
        "Comment for the speaker" not in client.get(f"/cfp/review/{proposal.pk}/").content.decode()
    )
    track.speaker_comments = True
    track.save()
    assert "Comment for the speaker" in client.get(f"/cfp/review/{proposal.pk}/").content.decode()
