"""Who may do what with registrations (django-rules predicates)."""

import rules

from plumbers.permissions import is_organizer, is_verified

can_register = is_verified
can_manage_registrations = is_organizer

rules.add_perm("registration.register", can_register)
rules.add_perm("registration.manage", can_manage_registrations)
