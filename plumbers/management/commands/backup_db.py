from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from plumbers.backup import BackupError, database_backup


class Command(BaseCommand):
    help = "Back up the PostgreSQL database with pg_dump (custom format)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="File to write (default: var/backups/plumbers-<timestamp>.dump).",
        )

    def handle(self, *args, output=None, **options):
        output = output or Path("var/backups") / f"plumbers-{timezone.now():%Y%m%d-%H%M%S}.dump"
        self.stdout.write(f"Backing up the database to {output}…")
        try:
            path = database_backup(output=output)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"Backup written: {path} ({path.stat().st_size} bytes)")
        )
