"""Who may change a microconference's page: its own leads, and the organizers (every MC).

Registered as the rules permission ``microconferences.edit_microconference`` so views and
templates ask ``user.has_perm("microconferences.edit_microconference", mc)``."""

import rules

from plumbers.permissions import is_organizer


@rules.predicate
def is_mc_lead(user, microconference) -> bool:
    if microconference is None or not getattr(user, "is_authenticated", False):
        return False
    if not user.is_active:
        return False
    cache = getattr(microconference, "_prefetched_objects_cache", {})
    if "leads" in cache:  # the public pages prefetch the leads: no extra query
        return any(lead.pk == user.pk for lead in cache["leads"])
    return microconference.leads.filter(pk=user.pk).exists()


can_edit_microconference = is_mc_lead | is_organizer

rules.set_perm("microconferences.edit_microconference", can_edit_microconference)
