"""Write the attendees or the ranked waitlist of an edition to a CSV file (the same rows as
the admin's CSV exports), printing progress: for badge printing, the venue, or a mailing.

    manage.py export_registrations attendees --conference 2022 --output attendees.csv
    manage.py export_registrations waitlist --output waitlist.csv      # current edition
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plumbers.models import Conference
from registration.exports import attendee_rows, csv_lines, waitlist_rows
from registration.models import AttendanceKind

PROGRESS_EVERY = 500


class Command(BaseCommand):
    help = "Export attendees or the ranked waitlist of an edition as CSV, with progress."

    def add_arguments(self, parser):
        parser.add_argument("what", choices=["attendees", "waitlist"])
        parser.add_argument("--conference", help="Edition slug (default: the current one).")
        parser.add_argument("--output", type=Path, required=True, help="CSV file to write.")

    def handle(self, *args, what, conference=None, output, **options):
        edition = (
            Conference.objects.filter(slug=conference).first()
            if conference
            else Conference.objects.current()
        )
        if edition is None:
            raise CommandError(f"No edition {conference or '(current)'}.")
        kinds = list(AttendanceKind.objects.filter(conference=edition).select_related("conference"))
        rows = attendee_rows(kinds=kinds) if what == "attendees" else waitlist_rows(kinds=kinds)
        self.stdout.write(f"Exporting the {what} of {edition} to {output}…")
        written = -1  # the header is not a person
        with open(output, "w", encoding="utf-8", newline="") as handle:
            for line in csv_lines(rows):
                handle.write(line)
                written += 1
                if written and written % PROGRESS_EVERY == 0:
                    self.stdout.write(f"  {written} rows…")
                    self.stdout.flush()
        self.stdout.write(self.style.SUCCESS(f"Done: {max(written, 0)} rows in {output}."))
