import io

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from tests.factories import AnnouncementFactory, ConferenceFactory


# pg_dump reads the database from another connection: the rows must be committed. The
# restore target is named after this worker's test database, so parallel workers never share
# it. On SQLite the test skips with its reason in the summary (tests/conftest.py).
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_a_fresh_database_keeps_the_data(tmp_path):
    ConferenceFactory(name="Backed-up edition", is_current=True)
    AnnouncementFactory(title="Written before the backup")
    dump = tmp_path / "plumbers.dump"
    target = f"{connection.settings_dict['NAME']}_restore"
    params = {
        k: v
        for k, v in connection.get_connection_params().items()
        if k not in ("database", "dbname")
    }
    admin = psycopg2.connect(database="postgres", **params)
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        cursor.execute(f'CREATE DATABASE "{target}"')
    try:
        out = io.StringIO()
        call_command("backup_db", "--output", str(dump), stdout=out)
        assert "Backup written" in out.getvalue() and dump.stat().st_size > 0
        call_command("restore_db", str(dump), "--target-database", target, stdout=out)

        restored = psycopg2.connect(database=target, **params)
        with restored.cursor() as cursor:
            cursor.execute("SELECT title FROM plumbers_announcement")
            titles = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT name FROM plumbers_conference WHERE is_current")
            current = [row[0] for row in cursor.fetchall()]
        restored.close()
        assert titles == ["Written before the backup"]
        assert current == ["Backed-up edition"]
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}"')
        admin.close()
