"""The MC edit predicate where the permission matrix cannot reach it.

Who may open and post the editing pages (own leads, organizers, nobody else; another MC's
lead, a proposed MC) is the permission matrix's (tests/security/test_permission_matrix.py).
Here: a deactivated lead, who cannot log in to be tried there; an anonymous visitor, whom the
editing pages send to log in before asking (the public page asks, to show its edit link);
and the prefetched leads that spare the public pages a query per MC."""

import pytest
from django.contrib.auth.models import AnonymousUser

from microconferences.models import Microconference
from microconferences.permissions import can_edit_microconference, is_mc_lead
from tests.factories import UserFactory
from tests.microconferences.factories import MicroconferenceFactory

pytestmark = pytest.mark.django_db

PERM = "microconferences.edit_microconference"


def test_edit_permission_refused_to_a_deactivated_lead():
    lead = UserFactory(is_active=False)
    mc = MicroconferenceFactory(leads=[lead])

    assert not is_mc_lead(lead, mc)
    assert not lead.has_perm(PERM, mc)


def test_edit_permission_refused_to_anonymous():
    mc = MicroconferenceFactory()

    assert not can_edit_microconference(AnonymousUser(), mc)
    assert not AnonymousUser().has_perm(PERM, mc)


def test_is_mc_lead_uses_prefetched_leads_without_a_query(django_assert_num_queries):
    lead = UserFactory()
    MicroconferenceFactory(leads=[lead])
    mc = Microconference.objects.prefetch_related("leads").get()

    with django_assert_num_queries(0):
        assert is_mc_lead(lead, mc)
