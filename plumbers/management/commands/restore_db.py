from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from plumbers.backup import BackupError, database_restore


class Command(BaseCommand):
    help = (
        "Restore a pg_dump backup into an existing, empty database (then point DATABASE_URL "
        "at it). Never restores over the live database."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="A file written by backup_db.")
        parser.add_argument("--target-database", required=True, help="An empty database name.")

    def handle(self, *args, source, target_database, **options):
        if not source.exists():
            raise CommandError(f"No backup file at {source}.")
        self.stdout.write(f"Restoring {source} into database {target_database}…")
        try:
            database_restore(source=source, target_database=target_database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS("Restore finished."))
