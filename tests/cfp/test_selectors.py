import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cfp import selectors
from cfp.models import Proposal
from microconferences.models import Microconference
from tests.cfp.factories import ProposalFactory, ReviewFactory, TrackFactory
from tests.factories import ConferenceFactory, UserFactory
from tests.microconferences.factories import MicroconferenceFactory

pytestmark = pytest.mark.django_db
DECIDED = dt.datetime(2031, 7, 1, tzinfo=dt.UTC)


def test_content_contributor_user_ids_has_accepted_speakers_co_speakers_and_mc_leads(conference):
    speaker, co, lead = UserFactory(), UserFactory(), UserFactory()
    rejected, pending, proposed_lead, other_edition = (UserFactory() for _ in range(4))
    track = TrackFactory(conference=conference)
    ProposalFactory(
        track=track, submitter=speaker, co_speakers=[co], state="accepted", decided_at=DECIDED
    )
    ProposalFactory(track=track, submitter=rejected, state="rejected", decided_at=DECIDED)
    ProposalFactory(track=track, submitter=pending)
    MicroconferenceFactory(conference=conference, leads=[lead])
    MicroconferenceFactory(
        conference=conference, leads=[proposed_lead], status=Microconference.Status.PROPOSED
    )
    ProposalFactory(
        track=TrackFactory(conference=ConferenceFactory()),
        submitter=other_edition,
        state="accepted",
        decided_at=DECIDED,
    )

    ids = selectors.content_contributor_user_ids(conference=conference)

    assert ids == {speaker.pk, co.pk, lead.pk}


def test_contributor_reasons_name_speakers_and_leads(conference):
    speaker, lead, nobody = UserFactory(), UserFactory(), UserFactory()
    ProposalFactory(
        track__conference=conference, submitter=speaker, state="accepted", decided_at=DECIDED
    )
    MicroconferenceFactory(conference=conference, leads=[lead, speaker])

    assert selectors.contributor_reasons(user=speaker, conference=conference) == [
        "speaker",
        "microconference lead",
    ]
    assert selectors.contributor_reasons(user=lead, conference=conference) == [
        "microconference lead"
    ]
    assert selectors.contributor_reasons(user=nobody, conference=conference) == []


def test_co_speaker_of_accepted_proposal_is_a_speaker(conference):
    co = UserFactory()
    ProposalFactory(
        track__conference=conference, co_speakers=[co], state="accepted", decided_at=DECIDED
    )
    assert selectors.contributor_reasons(user=co, conference=conference) == ["speaker"]


def test_speaker_accepted_later_becomes_contributor(conference, organizer):
    from cfp.services import proposal_decide

    proposal = ProposalFactory(track__conference=conference)
    assert selectors.contributor_reasons(user=proposal.submitter, conference=conference) == []

    proposal_decide(proposals=proposal, decision="accepted", actor=organizer)

    assert selectors.contributor_reasons(user=proposal.submitter, conference=conference) == [
        "speaker"
    ]


@pytest.fixture
def reviewer(db):
    return UserFactory()


def test_visible_proposals_excludes_mine_co_spoken_conflicted_and_other_tracks(
    conference, reviewer
):
    mine_track = TrackFactory(conference=conference, reviewers=[reviewer])
    other_track = TrackFactory(conference=conference)
    visible = ProposalFactory(track=mine_track)
    ProposalFactory(track=mine_track, submitter=reviewer)
    ProposalFactory(track=mine_track, co_speakers=[reviewer])
    conflicted = ProposalFactory(track=mine_track)
    conflicted.conflicts.create(reviewer=reviewer)
    ProposalFactory(track=other_track)

    result = list(selectors.visible_proposals(user=reviewer, conference=conference))

    assert result == [visible]


def test_triage_list_annotates_sorts_and_filters(conference, reviewer):
    track = TrackFactory(conference=conference, reviewers=[reviewer])
    low, high, none = (ProposalFactory(track=track, title=t) for t in ("Low", "High", "None"))
    ReviewFactory(proposal=low, score=-2)
    ReviewFactory(proposal=low, score=0)
    ReviewFactory(proposal=high, score=2)
    ReviewFactory(proposal=high, reviewer=reviewer, score=1)
    ReviewFactory(proposal=none, reviewer=reviewer, score=0)
    ReviewFactory(proposal=none, score=-1)
    ReviewFactory(proposal=none, score=-1)

    by_score = list(selectors.triage_list(user=reviewer, conference=conference, sort="score"))
    by_count = list(selectors.triage_list(user=reviewer, conference=conference, sort="-reviews"))
    unreviewed = list(
        selectors.triage_list(user=reviewer, conference=conference, unreviewed_by_me=True)
    )

    assert [p.title for p in by_score] == ["High", "None", "Low"]
    assert by_score[0].mean_score == pytest.approx(1.5)
    assert (by_score[0].review_count, by_score[0].reviewed_by_me, by_score[0].my_score) == (
        2,
        True,
        1,
    )
    assert [p.title for p in by_count] == ["None", "High", "Low"]
    assert {p.title for p in unreviewed} == {"Low"}


def test_triage_list_hides_scores_until_my_review_is_in(conference, reviewer):
    track = TrackFactory(conference=conference, reviewers=[reviewer])
    strong, weak = (ProposalFactory(track=track, title=t) for t in ("Strong", "Weak"))
    ReviewFactory(proposal=strong, score=2)
    ReviewFactory(proposal=strong, score=2)
    ReviewFactory(proposal=weak, score=-2)

    rows = {p.title: p for p in selectors.triage_list(user=reviewer, conference=conference)}
    by_score = selectors.triage_list(user=reviewer, conference=conference, sort="score")
    by_score_low = selectors.triage_list(user=reviewer, conference=conference, sort="-score")
    by_count = selectors.triage_list(user=reviewer, conference=conference, sort="-reviews")

    assert all(p.mean_score is None and p.review_count is None for p in rows.values())
    # Sorting by a hidden number falls back to the stable order: it reveals nothing.
    assert [p.pk for p in by_score] == [p.pk for p in by_score_low] == [p.pk for p in by_count]


def test_triage_list_chair_sees_scores_without_reviewing(conference, reviewer):
    track = TrackFactory(conference=conference, chairs=[reviewer])
    proposal = ProposalFactory(track=track)
    ReviewFactory(proposal=proposal, score=2)

    (row,) = selectors.triage_list(user=reviewer, conference=conference)

    assert (row.mean_score, row.review_count) == (2, 1)


def test_triage_list_filters_by_state_and_track(conference, reviewer):
    t1 = TrackFactory(conference=conference, reviewers=[reviewer])
    t2 = TrackFactory(conference=conference, reviewers=[reviewer])
    a = ProposalFactory(track=t1)
    ProposalFactory(track=t2)
    w = ProposalFactory(track=t1, state=Proposal.State.WITHDRAWN)

    assert {
        p.pk for p in selectors.triage_list(user=reviewer, conference=conference, track=t1)
    } == {
        a.pk,
        w.pk,
    }
    assert [
        p.pk for p in selectors.triage_list(user=reviewer, conference=conference, state="withdrawn")
    ] == [w.pk]


def test_next_unreviewed_picks_fewest_reviews_and_skips_mine(conference, reviewer):
    track = TrackFactory(conference=conference, reviewers=[reviewer])
    done = ProposalFactory(track=track)
    ReviewFactory(proposal=done, reviewer=reviewer)
    busy = ProposalFactory(track=track)
    ReviewFactory(proposal=busy)
    quiet = ProposalFactory(track=track)

    assert selectors.next_unreviewed(user=reviewer, conference=conference) == quiet
    ReviewFactory(proposal=quiet, reviewer=reviewer)
    assert selectors.next_unreviewed(user=reviewer, conference=conference) == busy
    ReviewFactory(proposal=busy, reviewer=reviewer)
    assert selectors.next_unreviewed(user=reviewer, conference=conference) is None


def _count_triage_page_queries(client, reviewer):
    client.force_login(reviewer)
    client.get("/cfp/review/")  # warm up: session and per-process caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/cfp/review/?sort=score")
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_triage_list_query_count_is_the_same_for_1_and_200_proposals(client, conference):
    chair = UserFactory()
    track = TrackFactory(conference=conference, reviewers=[chair], chairs=[chair])
    first = ProposalFactory(track=track, co_speakers=[UserFactory()])
    ReviewFactory(proposal=first)
    one, response = _count_triage_page_queries(client, chair)
    assert first.title in response.content.decode()

    speakers = UserFactory.create_batch(5)
    for i in range(199):
        proposal = ProposalFactory(track=track, submitter=speakers[i % 5])
        if i % 3 == 0:
            ReviewFactory(proposal=proposal, score=(i % 5) - 2)
    many, response = _count_triage_page_queries(client, chair)

    assert "200 proposals" in response.content.decode()
    assert one == many
