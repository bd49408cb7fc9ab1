"""Expire lapsed waitlist offers and offer their seats to the next people in line.

Run it every few minutes from cron or any scheduler, e.g.::

    */5 * * * *  cd /srv/plumbers && .venv/bin/python manage.py expire_offers

It is safe to run concurrently with the site and with itself: each kind is handled in its own
transaction under the kind's row lock. Pages already show a lapsed offer as expired and never
count its seat, so the command only decides when the next person hears about it.
"""

from django.core.management.base import BaseCommand

from registration import services
from registration.models import AttendanceKind, Registration


class Command(BaseCommand):
    help = "Expire lapsed waitlist offers and offer the freed seats to the next in line."

    def add_arguments(self, parser):
        parser.add_argument("--conference", help="Only kinds of this edition (slug).")

    def handle(self, *args, conference=None, **options):
        kinds = (
            AttendanceKind.objects.select_related("conference")
            .filter(registrations__status=Registration.Status.OFFERED)
            .distinct()
        )
        if conference:
            kinds = kinds.filter(conference__slug=conference)
        total = 0
        for kind in kinds:
            expired = services.offer_expire_lapsed(kind=kind)
            total += expired
            self.stdout.write(f"{kind}: {expired} lapsed offer(s) expired.")
        self.stdout.write(self.style.SUCCESS(f"Done: {total} offer(s) expired."))
