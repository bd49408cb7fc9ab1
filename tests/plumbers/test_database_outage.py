"""While the database is away a request gets a 503 with Retry-After, not a traceback 500,
and the next request after it is back reconnects by itself. The outage is real: the server
side of this process's database connection is terminated from another connection."""

import psycopg2
import pytest
from django.conf import settings as django_settings
from django.db import close_old_connections, connection
from django.urls import reverse

from tests.factories import AnnouncementFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _kill_my_connection() -> None:
    pid = connection.connection.info.backend_pid
    db = django_settings.DATABASES["default"]
    other = psycopg2.connect(
        dbname=connection.settings_dict["NAME"],
        user=db.get("USER") or "postgres",
        host=db.get("HOST") or "127.0.0.1",
        port=db.get("PORT") or 5432,
        password=db.get("PASSWORD") or None,
    )
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        other.commit()
    finally:
        other.close()


def test_database_outage_answers_503_then_recovers(client, settings, conference):
    settings.DEBUG = False
    client.raise_request_exception = False
    AnnouncementFactory(title="Still here")
    connection.ensure_connection()
    _kill_my_connection()

    during = client.get(reverse("news_list"))
    # Django's request_started signal does this before every request in production; the test
    # client leaves it out to keep its test database connection.
    close_old_connections()
    after = client.get(reverse("news_list"))

    assert during.status_code == 503
    assert during["Retry-After"] == "30"
    assert "Back in a moment" in during.content.decode()
    assert after.status_code == 200
    assert "Still here" in after.content.decode()
