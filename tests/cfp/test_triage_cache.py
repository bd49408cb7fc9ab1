"""The triage list's rows come from the shared cache (``cfp.review_views._rows_html``) and
the header's "Review" link from a role cached under the content version
(``cfp.selectors.sees_triage``): a change shows on the next request, anonymised review holds
through the cache, and the cached page is the page rendered afresh."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cfp import services
from plumbers.permissions import ORGANIZERS_GROUP
from tests.cfp.factories import ProposalFactory, ReviewFactory, TrackFactory
from tests.cfp.test_anonymised import assert_no_speaker
from tests.conftest import get_counting_queries
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _rows(client, url="/cfp/review/") -> str:
    """The table body of the triage list (the rest of the page holds a fresh CSRF token)."""
    html = client.get(url).content.decode()
    match = re.search(r"<tbody>(.*)</tbody>", html, re.S)
    assert match, html
    return match.group(1)


@pytest.fixture
def committee(conference):
    reviewer = UserFactory(display_name="Rhea Reviewer")
    other = UserFactory(display_name="Otto Otherreviewer")
    chair = UserFactory(display_name="Chloe Chair")
    track = TrackFactory(
        conference=conference, name="Kernel", reviewers=[reviewer, other], chairs=[chair]
    )
    speaker = UserFactory(display_name="Sam Speaker")
    proposals = [
        ProposalFactory(track=track, submitter=speaker, title=f"Talk {n}") for n in range(3)
    ]
    ReviewFactory(proposal=proposals[0], reviewer=chair, score=2, confidence=3)
    return {
        "track": track,
        "reviewer": reviewer,
        "other": other,
        "chair": chair,
        "speaker": speaker,
        "proposals": proposals,
    }


@pytest.mark.parametrize("who", ["reviewer", "chair"])
def test_rows_from_the_cache_are_the_rows_rendered_afresh(client, settings, committee, who):
    ReviewFactory(proposal=committee["proposals"][1], reviewer=committee[who], score=-1)
    client.force_login(committee[who])
    settings.PLUMBERS_FRAGMENT_CACHE = False
    fresh = _rows(client, "/cfp/review/?sort=score")
    settings.PLUMBERS_FRAGMENT_CACHE = True
    first = _rows(client, "/cfp/review/?sort=score")
    cached = _rows(client, "/cfp/review/?sort=score")

    assert fresh == first == cached
    assert "Talk 0" in fresh and "Talk 2" in fresh


def test_a_change_to_a_row_shows_on_the_next_request(client, committee):
    reviewer, speaker = committee["reviewer"], committee["speaker"]
    talk = committee["proposals"][2]
    client.force_login(reviewer)
    before = _rows(client)
    assert "Sam Speaker" in before and "after your review" in before

    talk.title = "Renamed talk"
    talk.save()
    speaker.display_name = "Samantha Speaker"
    speaker.save()
    ReviewFactory(proposal=talk, reviewer=reviewer, score=1, confidence=2)
    after = _rows(client)

    assert "Renamed talk" in after and "Talk 2" not in after
    assert "Samantha Speaker" in after and "Sam Speaker<" not in after
    assert "<td>+1</td>" in after  # my score, and the statistics now that I reviewed it
    assert "<td>1.00</td>" in after


def test_a_decision_shows_on_the_next_request(client, committee):
    chair, talk = committee["chair"], committee["proposals"][0]
    client.force_login(chair)
    assert "Accepted" not in _rows(client)
    services.proposal_decide(proposals=talk, decision="accepted", actor=chair)
    assert "<td>Accepted</td>" in _rows(client)


def test_two_reviewers_in_the_same_position_see_the_same_rows(client, committee):
    client.force_login(committee["reviewer"])
    mine = _rows(client)
    client.force_login(committee["other"])
    assert _rows(client) == mine


def test_my_own_score_is_not_shown_to_another_reviewer(client, committee):
    """Rows are shared between viewers whose rows hold the same values, never otherwise."""
    talk = committee["proposals"][1]
    ReviewFactory(proposal=talk, reviewer=committee["reviewer"], score=-2)
    client.force_login(committee["reviewer"])
    assert "<td>-2</td>" in _rows(client)
    client.force_login(committee["other"])
    rows = _rows(client)
    assert "<td>-2</td>" not in rows
    assert rows.count("after your review") == 3


@pytest.fixture
def anonymised(conference):
    reviewer = UserFactory(display_name="Rita Reviewer")
    chair = UserFactory(display_name="Chris Chair")
    track = TrackFactory(
        conference=conference, anonymised_review=True, reviewers=[reviewer], chairs=[chair]
    )
    speaker = UserFactory(display_name="Sabine Speakerly", email="sabine.speakerly@example.org")
    proposal = ProposalFactory(track=track, submitter=speaker, title="Pipes all the way down")
    # Both see the statistics, so the rows differ by the speaker column alone.
    ReviewFactory(proposal=proposal, reviewer=reviewer, score=1)
    return {"reviewer": reviewer, "chair": chair}


@pytest.mark.parametrize("first", ["chair", "reviewer"])
def test_anonymised_review_holds_through_the_cache(client, anonymised, first):
    second = "reviewer" if first == "chair" else "chair"
    pages = {}
    for who in (first, second, first, second):
        client.force_login(anonymised[who])
        pages[who] = client.get("/cfp/review/").content.decode()
        assert "Pipes all the way down" in pages[who]
        if who == "chair":
            assert "Sabine Speakerly" in pages[who]
        else:
            assert "hidden (anonymised review)" in pages[who]
            assert_no_speaker(pages[who])


def test_triage_list_queries_are_pinned_for_200_proposals(client, conference):
    reviewer = UserFactory()
    track = TrackFactory(conference=conference, reviewers=[reviewer])
    speakers = UserFactory.create_batch(5)
    proposals = [ProposalFactory(track=track, submitter=speakers[n % 5]) for n in range(200)]
    for proposal in proposals[::3]:
        ReviewFactory(proposal=proposal, reviewer=reviewer, score=1)
        ReviewFactory(proposal=proposal, score=-1)
    client.force_login(reviewer)
    client.get("/cfp/review/")  # the session, and the rows into the cache

    queries, response = get_counting_queries(client, "/cfp/review/?sort=weighted")

    assert "200 proposals" in response.content.decode()
    # The session, the user, the edition, the organizer role, the tracks, the chaired
    # tracks, the proposals, their scores, my assignments.
    assert queries <= 9


# --------------------------------------------------------------- the header's "Review" link


def test_review_link_follows_committee_changes_on_the_next_request(client, conference, user):
    track = TrackFactory(conference=conference)
    client.force_login(user)

    def links():
        return ">Review</a>" in client.get("/cfp/proposals/").content.decode()

    assert not links()
    track.reviewers.add(user)
    assert links()
    track.reviewers.remove(user)
    assert not links()
    user.groups.add(Group.objects.get_or_create(name=ORGANIZERS_GROUP)[0])
    assert links()


def test_review_link_costs_no_query_once_cached(client, conference, user):
    TrackFactory(conference=conference, reviewers=[user])
    for person, shown in ((user, True), (UserFactory(), False)):
        client.force_login(person)
        client.get("/cfp/proposals/")
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/cfp/proposals/").content.decode()
        assert (">Review</a>" in html) is shown
        assert not [q for q in queries.captured_queries if "cfp_track_reviewers" in q["sql"]]
