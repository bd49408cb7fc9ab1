"""Speakers answer an acceptance: confirm (accepted → confirmed) or decline (→ declined),
audited, the organizers mailed on a decline; every rule that reads "accepted" counts a
confirmed talk too, and a declined one not."""

import pytest
from django.core import mail
from django.db import transaction

from cfp import confirmation, selectors, services
from cfp.models import Proposal
from cfp.permissions import answer_refusal, can_confirm_proposal, can_decline_proposal
from cfp.services import CfpError
from plumbers.audit import audit_trail
from tests.cfp.factories import ProposalFactory, TrackFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
STATES = [choice for choice, _ in Proposal.State.choices]


class _Rollback(Exception):
    pass


def service_accepts(call) -> bool:
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
    chair, submitter, co, stranger = UserFactory.create_batch(4)
    track = TrackFactory(conference=conference, chairs=[chair])
    proposal = ProposalFactory(track=track, submitter=submitter, co_speakers=[co])
    people = {
        "submitter": submitter,
        "co_speaker": co,
        "chair": chair,
        "organizer": organizer,
        "stranger": stranger,
    }
    return proposal, people


def _in_state(proposal, state):
    from django.utils import timezone

    Proposal.objects.filter(pk=proposal.pk).update(
        state=state,
        decided_at=None if state in ("submitted", "withdrawn") else timezone.now(),
    )
    return Proposal.objects.select_related("track__conference").get(pk=proposal.pk)


@pytest.mark.parametrize("state", STATES)
def test_confirm_rule_is_the_services_rule(cast, state):
    proposal, people = cast
    proposal = _in_state(proposal, state)
    for role, person in people.items():
        allowed = can_confirm_proposal(person, proposal)
        assert allowed == (role in {"submitter", "co_speaker"} and state == "accepted"), role
        assert allowed == (answer_refusal(person, proposal, answer="confirm") == "")
        assert allowed == service_accepts(
            lambda person=person: confirmation.proposal_confirm(proposal=proposal, actor=person)
        ), role


@pytest.mark.parametrize("state", STATES)
def test_decline_rule_is_the_services_rule(cast, state):
    proposal, people = cast
    proposal = _in_state(proposal, state)
    for role, person in people.items():
        allowed = can_decline_proposal(person, proposal)
        speaks = role in {"submitter", "co_speaker"}
        assert allowed == (speaks and state in {"accepted", "confirmed"}), role
        assert allowed == service_accepts(
            lambda person=person: confirmation.proposal_decline(proposal=proposal, actor=person)
        ), role


def test_proposal_confirm_by_co_speaker_is_audited(cast, organizer):
    proposal, people = cast
    services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)

    confirmation.proposal_confirm(proposal=proposal, actor=people["co_speaker"])

    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.CONFIRMED and proposal.decided_at is not None
    row = audit_trail(proposal).get(action="proposal_confirm")
    assert (row.actor, row.from_state, row.to_state) == (
        people["co_speaker"],
        "accepted",
        "confirmed",
    )
    with pytest.raises(CfpError, match="confirmed already"):
        confirmation.proposal_confirm(proposal=proposal, actor=people["submitter"])


def test_proposal_decline_mails_chairs_and_organizers_after_commit(
    cast, organizer, django_capture_on_commit_callbacks
):
    proposal, people = cast
    services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        confirmation.proposal_decline(
            proposal=proposal, actor=people["submitter"], reason="Visa refused"
        )

    assert len(callbacks) == 1
    [message] = mail.outbox
    assert sorted(message.to) == sorted([people["chair"].email, organizer.email])
    assert "Declined by the speakers" in message.subject
    assert "Visa refused" in message.body and "/admin/cfp/proposal/" in message.body
    row = audit_trail(proposal).get(action="proposal_decline")
    assert (row.reason, row.to_state) == ("Visa refused", "declined")


def test_decline_rolled_back_sends_no_mail(cast, organizer, django_capture_on_commit_callbacks):
    proposal, people = cast
    services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                confirmation.proposal_decline(proposal=proposal, actor=people["submitter"])
                raise _Rollback
        except _Rollback:
            pass
    assert mail.outbox == []
    assert Proposal.objects.get(pk=proposal.pk).state == "accepted"


def test_content_contributors_include_confirmed_and_not_declined(conference, organizer):
    confirmed_speaker, declined_speaker, declined_co = UserFactory.create_batch(3)
    track = TrackFactory(conference=conference)
    confirmed = ProposalFactory(track=track, submitter=confirmed_speaker)
    declined = ProposalFactory(track=track, submitter=declined_speaker, co_speakers=[declined_co])
    services.proposal_decide(proposals=[confirmed, declined], decision="accepted", actor=organizer)
    confirmation.proposal_confirm(proposal=confirmed, actor=confirmed_speaker)
    confirmation.proposal_decline(proposal=declined, actor=declined_co)

    ids = selectors.content_contributor_user_ids(conference=conference)
    assert confirmed_speaker.pk in ids
    assert declined_speaker.pk not in ids and declined_co.pk not in ids
    assert selectors.contributor_reasons(user=confirmed_speaker, conference=conference) == [
        "speaker"
    ]
    assert selectors.contributor_reasons(user=declined_co, conference=conference) == []


def test_accepting_a_confirmed_talk_again_changes_nothing(cast, organizer):
    proposal, people = cast
    services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)
    confirmation.proposal_confirm(proposal=proposal, actor=people["submitter"])
    changed = services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)
    assert changed == []
    assert Proposal.objects.get(pk=proposal.pk).state == "confirmed"


def test_deciding_a_declined_talk_is_refused(cast, organizer):
    proposal, people = cast
    services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)
    confirmation.proposal_decline(proposal=proposal, actor=people["submitter"])
    with pytest.raises(CfpError, match="speakers declined"):
        services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)


def test_confirmed_talk_may_still_be_withdrawn(cast, organizer):
    proposal, people = cast
    services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)
    confirmation.proposal_confirm(proposal=proposal, actor=people["submitter"])
    services.proposal_withdraw(proposal=proposal, actor=people["submitter"])
    assert Proposal.objects.get(pk=proposal.pk).state == "withdrawn"


def test_accepted_mail_links_the_proposal_page(cast, organizer, django_capture_on_commit_callbacks):
    proposal, _ = cast
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)
    [message] = mail.outbox
    assert f"/cfp/proposals/{proposal.pk}/" in message.body
    assert "confirm" in message.body


# ----------------------------------------------------------------------------- pages


def test_confirm_button_on_my_proposals_confirms(client, cast, organizer):
    proposal, people = cast
    services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)
    client.force_login(people["submitter"])
    html = client.get("/cfp/proposals/").content.decode()
    assert f'action="/cfp/proposals/{proposal.pk}/confirm/"' in html

    response = client.post(f"/cfp/proposals/{proposal.pk}/confirm/", {"next": "list"})

    assert response.status_code == 302 and response["Location"] == "/cfp/proposals/"
    assert Proposal.objects.get(pk=proposal.pk).state == "confirmed"
    html = client.get("/cfp/proposals/").content.decode()
    assert "Confirmed by the speakers" in html
    assert f'action="/cfp/proposals/{proposal.pk}/confirm/"' not in html


def test_decline_page_asks_then_declines(client, cast, organizer):
    proposal, people = cast
    services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)
    client.force_login(people["co_speaker"])
    assert "Yes, decline" in client.get(f"/cfp/proposals/{proposal.pk}/decline/").content.decode()
    response = client.post(f"/cfp/proposals/{proposal.pk}/decline/", {"reason": "Clash"})
    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).state == "declined"


def test_decline_with_too_long_reason_keeps_it(client, cast, organizer):
    proposal, people = cast
    services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)
    client.force_login(people["submitter"])
    response = client.post(f"/cfp/proposals/{proposal.pk}/decline/", {"reason": "z" * 2001})
    assert response.status_code == 400
    assert "z" * 2001 in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).state == "accepted"


def test_confirm_of_a_submitted_proposal_explains(client, cast):
    proposal, people = cast
    client.force_login(people["submitter"])
    response = client.post(f"/cfp/proposals/{proposal.pk}/confirm/", follow=True)
    assert "there is no acceptance to confirm" in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).state == "submitted"
