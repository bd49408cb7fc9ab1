"""Accepting a microconference proposal creates the edition's microconference, once, in
the decision's transaction; a later rejection never deletes an MC people have filled."""

import datetime as dt

import pytest
from django.utils import timezone

from cfp import confirmation, services
from cfp.models import Proposal, Track
from cfp.services import CfpError
from microconferences.models import Microconference
from plumbers.audit import audit_trail
from tests.cfp.factories import ProposalFactory, TrackFactory
from tests.factories import UserFactory
from tests.microconferences.factories import TopicFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mc_track(conference):
    now = timezone.now()
    return TrackFactory(
        conference=conference,
        name="Microconference proposals",
        slug="microconference-proposals",
        kind=Track.Kind.MC_PROPOSALS,
        opens_at=now - dt.timedelta(days=60),
        deadline=now - dt.timedelta(days=1),
        show_aoe=True,
        mc_topics_deadline=now + dt.timedelta(days=40),
    )


@pytest.fixture
def proposers(db):
    return (
        UserFactory(display_name="Pia Proposer"),
        UserFactory(display_name="Cal Coproposer"),
    )


@pytest.fixture
def mc_proposal(mc_track, proposers):
    submitter, co = proposers
    return ProposalFactory(
        track=mc_track,
        submitter=submitter,
        co_speakers=[co],
        title="Confidential Computing",
        abstract="Open problems in **confidential computing**: attestation, TDX, SEV.",
    )


def _accept(proposal, actor):
    return services.proposal_decide(proposals=proposal, decision="accepted", actor=actor)


def test_accepting_an_mc_proposal_creates_the_microconference(
    mc_proposal, mc_track, proposers, organizer
):
    _accept(mc_proposal, organizer)

    mc_proposal.refresh_from_db()
    mc = mc_proposal.microconference
    assert mc is not None
    assert (mc.conference, mc.title, mc.slug, mc.status) == (
        mc_track.conference,
        "Confidential Computing",
        "confidential-computing",
        Microconference.Status.ACCEPTED,
    )
    assert mc.description == mc_proposal.abstract
    assert mc.summary.startswith("Open problems in confidential computing")
    assert set(mc.leads.all()) == set(proposers)
    topic_track = Track.objects.get(microconference=mc)
    assert topic_track.kind == Track.Kind.MICROCONFERENCE
    assert topic_track.deadline == mc_track.mc_topics_deadline
    assert topic_track.is_open() and topic_track.show_aoe
    assert set(topic_track.chairs.all()) == set(proposers)
    actions = set(audit_trail(mc).values_list("action", flat=True))
    assert {"mc_created", "mc_accepted"} <= actions
    assert audit_trail(mc_proposal).filter(action="mc_proposal_became_microconference").exists()


def test_accepting_twice_never_creates_two(mc_proposal, organizer):
    _accept(mc_proposal, organizer)
    services.proposal_decide(proposals=mc_proposal, decision="rejected", actor=organizer)
    _accept(mc_proposal, organizer)
    _accept(mc_proposal, organizer)  # already accepted: no change

    assert Microconference.objects.count() == 1
    assert Track.objects.filter(kind=Track.Kind.MICROCONFERENCE).count() == 1
    mc = Proposal.objects.get(pk=mc_proposal.pk).microconference
    assert mc.status == Microconference.Status.ACCEPTED


def test_rejecting_later_declines_an_empty_microconference(mc_proposal, organizer):
    _accept(mc_proposal, organizer)
    services.proposal_decide(proposals=mc_proposal, decision="rejected", actor=organizer)
    mc = Proposal.objects.get(pk=mc_proposal.pk).microconference
    assert mc.status == Microconference.Status.DECLINED  # declined, never deleted


def test_rejecting_an_mc_with_topics_is_refused_and_changes_nothing(mc_proposal, organizer):
    _accept(mc_proposal, organizer)
    mc = Proposal.objects.get(pk=mc_proposal.pk).microconference
    TopicFactory(microconference=mc, group=None, title="Attestation")

    with pytest.raises(CfpError, match="already has 1 topic.*decline the microconference"):
        services.proposal_decide(proposals=mc_proposal, decision="rejected", actor=organizer)

    mc.refresh_from_db()
    mc_proposal.refresh_from_db()
    assert mc.status == Microconference.Status.ACCEPTED
    assert mc_proposal.state == Proposal.State.ACCEPTED


def test_withdrawing_an_mc_with_topic_proposals_is_refused(mc_proposal, proposers, organizer):
    _accept(mc_proposal, organizer)
    mc = Proposal.objects.get(pk=mc_proposal.pk).microconference
    ProposalFactory(track=Track.objects.get(microconference=mc))

    with pytest.raises(CfpError, match="1 proposal on its topic track"):
        services.proposal_withdraw(proposal=mc_proposal, actor=proposers[0])
    assert Proposal.objects.get(pk=mc_proposal.pk).state == Proposal.State.ACCEPTED


def test_speakers_declining_an_empty_mc_declines_it(mc_proposal, proposers, organizer):
    _accept(mc_proposal, organizer)
    confirmation.proposal_decline(proposal=mc_proposal, actor=proposers[1])
    mc = Proposal.objects.get(pk=mc_proposal.pk).microconference
    assert mc.status == Microconference.Status.DECLINED


def test_accepting_a_refereed_proposal_creates_no_microconference(conference, organizer):
    proposal = ProposalFactory(track=TrackFactory(conference=conference))
    _accept(proposal, organizer)
    assert not Microconference.objects.exists()


def test_topics_deadline_falls_back_to_the_editions_mc_tracks(conference, organizer):
    now = timezone.now()
    track = TrackFactory(
        conference=conference,
        kind=Track.Kind.MC_PROPOSALS,
        opens_at=now - dt.timedelta(days=9),
        deadline=now - dt.timedelta(days=1),
    )
    existing = Microconference.objects.create(
        conference=conference, title="Existing", slug="existing", summary="s", status="accepted"
    )
    latest = now + dt.timedelta(days=50)
    TrackFactory(
        conference=conference,
        kind=Track.Kind.MICROCONFERENCE,
        microconference=existing,
        deadline=latest,
    )
    proposal = ProposalFactory(track=track, title="Existing")  # same title: a new slug
    _accept(proposal, organizer)
    mc = Proposal.objects.get(pk=proposal.pk).microconference
    assert mc.slug == "existing-2"
    assert Track.objects.get(microconference=mc).deadline == latest


def test_bulk_accept_with_a_refused_mc_rolls_back_everything(mc_track, organizer):
    first = ProposalFactory(track=mc_track, title="First MC")
    second = ProposalFactory(track=mc_track, title="Second MC")
    services.proposal_decide(proposals=[first, second], decision="accepted", actor=organizer)
    assert Microconference.objects.filter(status="accepted").count() == 2
    TopicFactory(microconference=Proposal.objects.get(pk=second.pk).microconference)

    with pytest.raises(CfpError):
        services.proposal_decide(proposals=[first, second], decision="rejected", actor=organizer)
    assert set(Proposal.objects.values_list("state", flat=True)) == {"accepted"}
    assert Microconference.objects.filter(status="accepted").count() == 2


def test_new_leads_may_edit_the_microconference_page(client, mc_proposal, proposers, organizer):
    _accept(mc_proposal, organizer)
    mc = Proposal.objects.get(pk=mc_proposal.pk).microconference
    client.force_login(proposers[1])
    response = client.get(f"/microconferences/{mc.slug}/edit/")
    assert response.status_code == 200
    assert client.get(f"/microconferences/{mc.slug}/").status_code == 200
