"""The CFP's state rules are one set of predicates (cfp.permissions): pages offer exactly
what the services then accept, for every state and every role."""

import datetime as dt

import pytest
import rules
from django.db import transaction
from django.utils import timezone

from cfp import services
from cfp.models import Conflict, Proposal
from cfp.permissions import (
    can_decide_proposal,
    can_edit_proposal,
    can_review_proposal,
    can_withdraw_proposal,
    decide_refusal,
    edit_refusal,
    review_refusal,
    withdraw_refusal,
)
from cfp.services import CfpError
from tests.cfp.factories import ProposalFactory, TrackFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
STATES = [choice for choice, _ in Proposal.State.choices]


class _Rollback(Exception):
    pass


def service_accepts(call) -> bool:
    """Whether ``call`` succeeds, leaving the database as it was."""
    try:
        with transaction.atomic():
            call()
            raise _Rollback
    except _Rollback:
        return True
    except CfpError:
        return False


@pytest.fixture
def cast(conference, organizer):
    chair, reviewer, other, co = UserFactory.create_batch(4)
    conflicted, submitter = UserFactory.create_batch(2)
    track = TrackFactory(
        conference=conference, reviewers=[reviewer, conflicted, co], chairs=[chair]
    )
    proposal = ProposalFactory(track=track, submitter=submitter, co_speakers=[co])
    Conflict.objects.create(proposal=proposal, reviewer=conflicted)
    people = {
        "submitter": submitter,
        "co_speaker": co,
        "conflicted": conflicted,
        "reviewer": reviewer,
        "chair": chair,
        "organizer": organizer,
        "other": other,
    }
    return proposal, people


def _in_state(proposal, state):
    proposal.state = state
    proposal.decided_at = timezone.now() if state not in {"submitted", "withdrawn"} else None
    proposal.save()
    return Proposal.objects.select_related("track__conference").get(pk=proposal.pk)


@pytest.mark.parametrize("state", STATES)
def test_edit_rule_is_the_services_rule(cast, state):
    proposal, people = cast
    proposal = _in_state(proposal, state)
    for role, person in people.items():
        allowed = can_edit_proposal(person, proposal)
        assert allowed == (role == "submitter" and state == "submitted"), role
        assert allowed == (edit_refusal(person, proposal) == "")
        assert allowed == service_accepts(
            lambda person=person: services.proposal_update(
                proposal=proposal, actor=person, title="T", abstract="A"
            )
        ), role


def test_edit_rule_follows_the_window(cast):
    proposal, people = cast
    submitter = people["submitter"]
    track = proposal.track
    assert can_edit_proposal(submitter, proposal)
    after = track.deadline + dt.timedelta(seconds=1)
    assert "has passed" in edit_refusal(submitter, proposal, now=after)
    assert edit_refusal(submitter, proposal, now=track.deadline) == ""

    track.deadline = timezone.now() - dt.timedelta(seconds=1)
    track.save()
    proposal = Proposal.objects.select_related("track__conference").get(pk=proposal.pk)
    assert not can_edit_proposal(submitter, proposal)
    assert not rules.test_rule("cfp.edit_proposal", submitter, proposal)
    assert rules.test_rule("cfp.withdraw_proposal", submitter, proposal)


@pytest.mark.parametrize("state", STATES)
def test_withdraw_rule_is_the_services_rule(cast, state):
    proposal, people = cast
    proposal = _in_state(proposal, state)
    for role, person in people.items():
        allowed = can_withdraw_proposal(person, proposal)
        withdrawable = {"submitted", "accepted", "confirmed"}
        assert allowed == (role == "submitter" and state in withdrawable), role
        assert allowed == (withdraw_refusal(person, proposal) == "")
        assert allowed == service_accepts(
            lambda person=person: services.proposal_withdraw(proposal=proposal, actor=person)
        ), role


@pytest.mark.parametrize("state", STATES)
def test_review_rule_is_the_services_rule(cast, state):
    proposal, people = cast
    proposal = _in_state(proposal, state)
    for role, person in people.items():
        allowed = can_review_proposal(person, proposal)
        assert allowed == (role in {"reviewer", "chair"} and state != "withdrawn"), role
        assert allowed == (review_refusal(person, proposal) == "")
        assert allowed == service_accepts(
            lambda person=person: services.review_submit(
                proposal=proposal, reviewer=person, score=1, confidence=2
            )
        ), role


@pytest.mark.parametrize("state", STATES)
def test_decide_rule_is_the_services_rule(cast, state):
    proposal, people = cast
    proposal = _in_state(proposal, state)
    for role, person in people.items():
        allowed = can_decide_proposal(person, proposal)
        undecidable = {"withdrawn", "declined"}  # out of the CFP, or the speakers said no
        assert allowed == (role in {"chair", "organizer"} and state not in undecidable), role
        assert allowed == (decide_refusal(person, proposal) == "")
        assert allowed == service_accepts(
            lambda person=person: services.proposal_decide(
                proposals=proposal, decision="rejected", actor=person
            )
        ), role


def test_my_proposals_page_offers_what_the_rules_allow(client, cast):
    proposal, people = cast
    client.force_login(people["submitter"])
    expected = {
        "submitted": ("Edit", "Withdraw"),
        "accepted": ("Withdraw",),
        "rejected": (),
        "withdrawn": (),
    }
    for state, links in expected.items():
        _in_state(proposal, state)
        html = client.get("/cfp/proposals/").content.decode()
        for link in ("Edit", "Withdraw"):
            shown = f'aria-label="{link} “{proposal.title}”"' in html
            assert shown == (link in links), (state, link)
