"""Reads other apps rely on: MC leads of an edition, and the MCs a person leads."""

import pytest

from microconferences.models import Microconference
from microconferences.selectors import lead_user_ids, led_by
from tests.factories import ConferenceFactory, UserFactory
from tests.microconferences.factories import MicroconferenceFactory

pytestmark = pytest.mark.django_db


def test_lead_user_ids_counts_only_accepted_mcs_of_that_edition(conference):
    accepted_lead, proposed_lead, declined_lead, past_lead = UserFactory.create_batch(4)
    co_lead = UserFactory()
    MicroconferenceFactory(conference=conference, leads=[accepted_lead, co_lead])
    MicroconferenceFactory(
        conference=conference, status=Microconference.Status.PROPOSED, leads=[proposed_lead]
    )
    MicroconferenceFactory(
        conference=conference, status=Microconference.Status.DECLINED, leads=[declined_lead]
    )
    MicroconferenceFactory(conference=ConferenceFactory(), leads=[past_lead])

    assert lead_user_ids(conference=conference) == {accepted_lead.pk, co_lead.pk}


def test_led_by_lists_the_persons_mcs_of_that_edition_only(conference, user):
    mine = MicroconferenceFactory(conference=conference, leads=[user], order=2)
    proposed = MicroconferenceFactory(
        conference=conference, leads=[user], order=1, status=Microconference.Status.PROPOSED
    )
    MicroconferenceFactory(conference=conference)
    MicroconferenceFactory(conference=ConferenceFactory(), leads=[user])

    assert list(led_by(user=user, conference=conference)) == [proposed, mine]
    assert list(led_by(user=user, conference=conference).public()) == [mine]
