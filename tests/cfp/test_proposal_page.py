"""A speaker's own proposal page /cfp/proposals/<id>/: its submitter and co-speakers only;
the rendered abstract, the co-speakers, the state in plain words with what happens next,
and the history of its state changes with dates (never who in the committee decided, nor
reviews or conflicts)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cfp import confirmation, services
from cfp.models import Proposal
from tests.cfp.factories import ProposalFactory, TrackFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return {
        "submitter": UserFactory(display_name="Sue Submitter"),
        "co": UserFactory(display_name="Cole Cospeaker"),
        "chair": UserFactory(display_name="Chad Chairperson"),
    }


@pytest.fixture
def proposal(conference, people):
    track = TrackFactory(conference=conference, name="Refereed", chairs=[people["chair"]])
    return services.proposal_save(
        proposal=Proposal(
            track=track,
            submitter=people["submitter"],
            title="Plumbing the depths",
            abstract="Pipes, **valves** and traps.",
            notes="Only for reviewers.",
        ),
        actor=None,
        co_speakers=[people["co"]],
    )


def test_proposal_page_shows_abstract_speakers_state_and_next_step(client, proposal, people):
    client.force_login(people["submitter"])
    response = client.get(f"/cfp/proposals/{proposal.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>valves</strong>" in html
    assert "Sue Submitter (submitter)" in html and "Cole Cospeaker (co-speaker)" in html
    assert "State: " in html and "Submitted" in html
    assert "reviews it after the deadline" in html  # what happens next
    assert "Entered by the organizers" in html
    assert 'href="/cfp/proposals/' + str(proposal.pk) + '/edit/"' in html


def test_proposal_page_for_a_co_speaker_has_no_edit_link(client, proposal, people):
    client.force_login(people["co"])
    html = client.get(f"/cfp/proposals/{proposal.pk}/").content.decode()
    assert "Plumbing the depths" in html
    assert f"/cfp/proposals/{proposal.pk}/edit/" not in html


@pytest.mark.parametrize("who", ["stranger", "chair", "organizer"])
def test_proposal_page_is_404_for_anybody_else(client, proposal, organizer, people, who):
    person = {"stranger": UserFactory(), "chair": people["chair"], "organizer": organizer}[who]
    client.force_login(person)
    assert client.get(f"/cfp/proposals/{proposal.pk}/").status_code == 404


def test_proposal_page_anonymous_goes_to_login(client, proposal):
    response = client.get(f"/cfp/proposals/{proposal.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_proposal_page_history_lists_state_changes_with_times(client, proposal, people):
    services.review_submit(proposal=proposal, reviewer=_reviewer(proposal), score=2, confidence=3)
    services.conflict_declare(proposal=proposal, reviewer=UserFactory(), reason="Same team")
    services.proposal_decide(
        proposals=proposal, decision="accepted", actor=people["chair"], reason="Top 5"
    )
    confirmation.proposal_confirm(proposal=proposal, actor=people["co"])

    client.force_login(people["submitter"])
    html = client.get(f"/cfp/proposals/{proposal.pk}/").content.decode()
    history = html[html.index('id="history-title"') :]
    items = re.findall(r"<li>(.*?)</li>", history, re.S)
    texts = [re.sub(r"<time[^>]*>.*?</time>: ", "", item).strip() for item in items]
    assert texts == [
        "Entered by the organizers",
        "Accepted by the committee",
        "Confirmed by Cole Cospeaker",
    ]
    assert all('<time datetime="' in item and "UTC" in item for item in items)
    # Who decided, why, reviews and conflicts stay with the committee.
    for private in ("Chad Chairperson", "Top 5", "Same team", "conflict"):
        assert private not in history


def _reviewer(proposal):
    reviewer = UserFactory()
    proposal.track.reviewers.add(reviewer)
    return reviewer


def test_proposal_page_shows_confirm_and_decline_when_accepted(client, proposal, people):
    services.proposal_decide(proposals=proposal, decision="accepted", actor=people["chair"])
    client.force_login(people["co"])
    html = client.get(f"/cfp/proposals/{proposal.pk}/").content.decode()
    assert "Confirm: I will give this talk" in html
    assert f'href="/cfp/proposals/{proposal.pk}/decline/"' in html
    assert "please confirm" in html


def test_proposal_page_late_submission_is_said(client, conference, people, organizer):
    from cfp import late_codes

    now = timezone.now()
    track = TrackFactory(
        conference=conference,
        opens_at=now - dt.timedelta(days=9),
        deadline=now - dt.timedelta(hours=1),
        chairs=[people["chair"]],
    )
    code = late_codes.late_code_issue(
        track=track,
        email=people["submitter"].email,
        expires_at=now + dt.timedelta(days=1),
        actor=people["chair"],
    )
    late = services.proposal_submit(
        track=track,
        submitter=people["submitter"],
        title="Late",
        abstract="x",
        late_code=code.code,
    )
    client.force_login(people["submitter"])
    html = client.get(f"/cfp/proposals/{late.pk}/").content.decode()
    assert "Submitted by Sue Submitter after the deadline, with a late-submission code" in html


def test_my_proposals_links_each_proposal_page(client, proposal, people):
    client.force_login(people["submitter"])
    html = client.get("/cfp/proposals/").content.decode()
    assert f'<a href="/cfp/proposals/{proposal.pk}/">Plumbing the depths</a>' in html
    assert 'data-label="State"' in html  # stacked on phones (site.css)
    client.force_login(people["co"])
    html = client.get("/cfp/proposals/").content.decode()
    assert f'<a href="/cfp/proposals/{proposal.pk}/">Plumbing the depths</a>' in html


def _queries(client, url):
    """Queries of a second GET: the first warms the shared caches, which any change of
    content invalidates (the header's roles are cached under the content version)."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_my_proposals_query_count_same_for_1_and_20_accepted(client, conference, organizer):
    speaker = UserFactory()
    track = TrackFactory(conference=conference)

    def add():
        proposal = ProposalFactory(track=track, submitter=speaker, co_speakers=[UserFactory()])
        services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)
        other = ProposalFactory(track=track, co_speakers=[speaker])
        services.proposal_decide(proposals=other, decision="accepted", actor=organizer)

    add()
    client.force_login(speaker)
    client.get("/cfp/proposals/")  # warm the session and content-type caches
    one = _queries(client, "/cfp/proposals/")
    for _ in range(19):
        add()
    many = _queries(client, "/cfp/proposals/")
    # The session, the user, the organizer role (header), the proposals of both kinds,
    # their co-speakers, the open invitations of both kinds; the edition at most once.
    assert many == one <= 7


def test_my_proposals_lists_invitations_both_ways(client, conference, user):
    """Invitations I sent that wait for an answer, and those to my verified address (in any
    case) that I may answer; not those to somebody else nor answered ones."""
    from cfp.models import CoSpeakerInvitation

    track = TrackFactory(conference=conference)
    mine = ProposalFactory(track=track, submitter=user, title="My own talk")
    theirs = ProposalFactory(track=track, title="Their talk")
    elsewhere = ProposalFactory(track=track, title="Somebody else's talk")
    co_spoken = ProposalFactory(track=track, title="A talk I co-speak", co_speakers=[user])

    def invite(proposal, email, **extra):
        CoSpeakerInvitation.objects.create(
            proposal=proposal,
            email=email,
            token=f"t-{proposal.pk}-{email.split('@')[0].lower()}",
            invited_by=proposal.submitter,
            **extra,
        )

    invite(mine, "friend@example.org")
    invite(theirs, user.email.upper())
    invite(elsewhere, "stranger@example.org")
    invite(theirs, "answered@example.org", state=CoSpeakerInvitation.State.DECLINED)
    client.force_login(user)

    html = client.get("/cfp/proposals/").content.decode()

    assert "friend@example.org (invited, no answer yet)" in html
    local = user.email.split("@")[0].lower()
    assert f'href="/cfp/invitations/t-{theirs.pk}-{local}/">Their talk' in html
    assert "Somebody else" not in html and "stranger@" not in html and "answered@" not in html
    assert co_spoken.title in html and mine.title in html


def test_proposal_page_query_count_same_for_short_and_long_history(client, proposal, people):
    services.proposal_decide(proposals=proposal, decision="accepted", actor=people["chair"])
    client.force_login(people["submitter"])
    client.get(f"/cfp/proposals/{proposal.pk}/")  # warm the session and content-type caches
    one = _queries(client, f"/cfp/proposals/{proposal.pk}/")
    for _ in range(10):
        services.proposal_decide(proposals=proposal, decision="rejected", actor=people["chair"])
        services.proposal_decide(proposals=proposal, decision="accepted", actor=people["chair"])
    assert _queries(client, f"/cfp/proposals/{proposal.pk}/") == one
