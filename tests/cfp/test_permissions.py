"""Every CFP URL × every role, as one table.

Roles: anonymous; attendee (verified, nothing else); speaker (submitted proposal P);
reviewer of another track; reviewer of P's track; chair of P's track; organizer.
Conventions: anonymous → login (302); triage area for people who review nothing → 403;
a proposal outside your view inside the triage area → 404 (like a missing id); someone
else's proposal on the speaker pages → 404.
"""

import pytest

from cfp.models import Proposal, Review
from tests.cfp.factories import ProposalFactory, TrackFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "attendee", "speaker", "other_reviewer", "reviewer", "chair", "organizer"]

# (method, url template, data, expected status per role in ROLES order)
TABLE = [
    ("get", "/cfp/", None, [200, 200, 200, 200, 200, 200, 200]),
    ("get", "/cfp/deadlines.ics", None, [200, 200, 200, 200, 200, 200, 200]),
    ("get", "/cfp/{slug}/submit/", None, [302, 200, 200, 200, 200, 200, 200]),
    ("get", "/cfp/proposals/", None, [302, 200, 200, 200, 200, 200, 200]),
    ("get", "/cfp/proposals/{pk}/edit/", None, [302, 404, 200, 404, 404, 404, 404]),
    ("get", "/cfp/proposals/{pk}/withdraw/", None, [302, 404, 200, 404, 404, 404, 404]),
    ("get", "/cfp/review/", None, [302, 403, 403, 200, 200, 200, 200]),
    ("get", "/cfp/review/next/", None, [302, 403, 403, 302, 302, 302, 302]),
    ("get", "/cfp/review/{pk}/", None, [302, 403, 403, 404, 200, 200, 200]),
    (
        "post",
        "/cfp/review/{pk}/",
        {"score": "1", "confidence": "2", "comment": "ok"},
        [302, 403, 403, 404, 302, 302, 403],
    ),
    ("post", "/cfp/review/{pk}/conflict/", {"reason": ""}, [302, 403, 403, 404, 302, 302, 302]),
    (
        "post",
        "/cfp/review/{pk}/decide/",
        {"decision": "accepted"},
        [302, 403, 403, 404, 403, 302, 302],
    ),
    (
        "post",
        "/cfp/review/decide/",
        {"decision": "accepted", "proposals": ["{pk}"]},
        [302, 403, 403, 302, 403, 302, 302],
    ),
]

CASES = [
    pytest.param(method, url, data, role, statuses[i], id=f"{method} {url} as {role}")
    for method, url, data, statuses in TABLE
    for i, role in enumerate(ROLES)
]


@pytest.fixture
def world(conference, organizer):
    people = {
        "attendee": UserFactory(),
        "speaker": UserFactory(),
        "other_reviewer": UserFactory(),
        "reviewer": UserFactory(),
        "chair": UserFactory(),
        "organizer": organizer,
    }
    track = TrackFactory(
        conference=conference,
        slug="refereed",
        reviewers=[people["reviewer"]],
        chairs=[people["chair"]],
    )
    TrackFactory(conference=conference, reviewers=[people["other_reviewer"]])
    proposal = ProposalFactory(track=track, submitter=people["speaker"])
    return people, track, proposal


@pytest.mark.parametrize(("method", "url", "data", "role", "expected"), CASES)
def test_cfp_url_permissions_by_role(client, world, method, url, data, role, expected):
    people, track, proposal = world
    if role != "anonymous":
        client.force_login(people[role])
    path = url.format(slug=track.slug, pk=proposal.pk)
    if data:
        data = {
            k: [x.format(pk=proposal.pk) for x in v] if isinstance(v, list) else v
            for k, v in data.items()
        }

    response = getattr(client, method)(path, data or {})

    assert response.status_code == expected
    if role == "anonymous" and expected == 302:
        assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("role", ["attendee", "speaker", "other_reviewer", "reviewer"])
def test_decide_by_non_deciders_changes_nothing(client, world, role):
    people, _, proposal = world
    client.force_login(people[role])
    client.post(f"/cfp/review/{proposal.pk}/decide/", {"decision": "accepted"})
    client.post("/cfp/review/decide/", {"decision": "accepted", "proposals": [proposal.pk]})
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.SUBMITTED


@pytest.mark.parametrize("role", ["attendee", "speaker", "other_reviewer", "organizer"])
def test_review_by_non_reviewers_stores_nothing(client, world, role):
    people, _, proposal = world
    client.force_login(people[role])
    client.post(f"/cfp/review/{proposal.pk}/", {"score": "2", "confidence": "3"})
    assert not Review.objects.exists()


def test_speaker_who_also_reviews_the_track_cannot_open_own_proposal(client, world):
    people, track, proposal = world
    track.reviewers.add(people["speaker"])
    client.force_login(people["speaker"])
    assert client.get("/cfp/review/").status_code == 200
    assert client.get(f"/cfp/review/{proposal.pk}/").status_code == 404
    assert client.get(f"/cfp/review/{proposal.pk + 999}/").status_code == 404
