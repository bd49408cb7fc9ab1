"""Organizers' side of registration. Every change goes through the audited services: the
admin shows states read-only and offers forms and actions (offer the next N places, set
capacity, cancel, issue and revoke passes) that call them.

Complimentary passes are registration's, whoever issues them: the sponsor and microconference
admin pages show theirs through an inline this app adds (those apps may not know about
passes), linking to the one issue page."""

from registration.admin import issuers, kinds, passes, registrations  # noqa: F401 (registers)
