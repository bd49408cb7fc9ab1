"""Leads edit their own MC, organizers every MC, nobody else any."""

import pytest
from django.contrib.auth.models import AnonymousUser

from microconferences.permissions import can_edit_microconference, is_mc_lead
from tests.factories import UserFactory
from tests.microconferences.factories import MicroconferenceFactory

pytestmark = pytest.mark.django_db

PERM = "microconferences.edit_microconference"


def test_is_mc_lead_true_only_for_the_mcs_own_leads():
    lead = UserFactory()
    own = MicroconferenceFactory(leads=[lead])
    other = MicroconferenceFactory(leads=[UserFactory()])

    assert is_mc_lead(lead, own)
    assert not is_mc_lead(lead, other)


def test_edit_permission_for_lead_covers_only_their_mc():
    lead = UserFactory()
    own = MicroconferenceFactory(leads=[lead])
    other = MicroconferenceFactory()

    assert lead.has_perm(PERM, own)
    assert not lead.has_perm(PERM, other)


def test_edit_permission_for_organizer_covers_every_mc(organizer):
    mc = MicroconferenceFactory()

    assert organizer.has_perm(PERM, mc)
    assert can_edit_microconference(organizer, mc)


def test_edit_permission_refused_to_anonymous_and_to_plain_users(user):
    mc = MicroconferenceFactory()

    assert not user.has_perm(PERM, mc)
    assert not can_edit_microconference(AnonymousUser(), mc)


def test_edit_permission_refused_to_a_deactivated_lead():
    lead = UserFactory(is_active=False)
    mc = MicroconferenceFactory(leads=[lead])

    assert not is_mc_lead(lead, mc)
    assert not lead.has_perm(PERM, mc)


def test_is_mc_lead_uses_prefetched_leads_without_a_query(django_assert_num_queries):
    from microconferences.models import Microconference

    lead = UserFactory()
    MicroconferenceFactory(leads=[lead])
    mc = Microconference.objects.prefetch_related("leads").get()

    with django_assert_num_queries(0):
        assert is_mc_lead(lead, mc)
