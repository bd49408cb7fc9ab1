"""Who may change the program: organizers edit the draft timetable and publish releases.
The public reads only published releases, so reading needs no predicate here."""

import rules

from plumbers.permissions import is_organizer

can_edit_program = is_organizer

rules.add_rule("schedule.edit_program", can_edit_program)
