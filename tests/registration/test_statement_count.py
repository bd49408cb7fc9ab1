"""The statements of one registration post, pinned (issue 16): in a rush every round trip
to the database is paid thousands of times, some of them while the kind's row lock makes
everybody else wait. A change that adds one fails here with the statements listed; if it
is worth it, pin the new count and say why.

The server is warm (one registration went through first): content types, the site, the
mail texts are cached per process or in the shared cache, never looked up per request.
Mail is queued with the database task backend, as in production, so the mail's INSERT is
counted too (inside the registration's transaction). Counts differ per database: SQLite has
no ``FOR UPDATE`` (its IMMEDIATE transaction holds the write lock from BEGIN)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from plumbers.models import AuditLog
from registration import selectors, services
from registration.models import Registration
from tests.factories import UserFactory
from tests.registration.factories import AttendanceKindFactory, VirtualKindFactory

pytestmark = pytest.mark.django_db

DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Whole POST /register/kind/<id>/ (test client: the session is read from the database; in
# production from Redis): session, user, then one query for the kind with its edition, the
# person's verified address, their registration of it and "anybody waiting"; then the
# service.
EXPECTED = {
    # + lock, recount (with lapsed offers and the person's other place), INSERT
    # registration, INSERT audit, INSERT mail task, and the transaction's two ends.
    "confirm": {"postgresql": 10, "sqlite": 10},
    # Nobody's seat: no lock. INSERT registration, INSERT audit, INSERT mail task.
    "waitlist": {"postgresql": 8, "sqlite": 8},
}
# Inside the service, with the kind read by the view: a refusal costs no statement at all.
SOLD_OUT_REFUSAL = 0
# From the lock to the end of the transaction (the time everybody else waits): recount,
# INSERT registration, INSERT audit, INSERT mail task, end of transaction.
UNDER_LOCK = {"postgresql": 5, "sqlite": 5}


def _listing(statements: list[str]) -> str:
    return "\n".join(f"{n:2}. {sql[:160]}" for n, sql in enumerate(statements, start=1))


def _post(client, kind, data) -> tuple[int, list[str]]:
    client.force_login(UserFactory())
    url = reverse("registration:register_kind", args=[kind.pk])
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data)
    return response.status_code, [q["sql"] for q in captured.captured_queries]


def _reason(kind) -> dict:
    return {"waitlist": "1", f"kind{kind.pk}-reason": "I maintain a driver."}


@pytest.fixture
def warm(settings, conference):
    """A kind with seats, and a first registration through the whole path (warm caches)."""
    settings.TASKS = DATABASE_TASKS
    kind = AttendanceKindFactory(conference=conference, capacity=2)
    VirtualKindFactory(conference=conference)
    services.registration_create(user=UserFactory(), kind=kind)
    return kind


def test_registration_confirm_statement_count(client, warm):
    mails, audits = DBTaskResult.objects.count(), AuditLog.objects.count()

    status, statements = _post(client, warm, _reason(warm))

    assert status == 302
    assert Registration.objects.filter(kind=warm, status="confirmed").count() == 2
    assert DBTaskResult.objects.count() == mails + 1  # the confirmation mail, queued
    assert AuditLog.objects.count() == audits + 1
    assert len(statements) == EXPECTED["confirm"][connection.vendor], _listing(statements)


def test_registration_confirm_holds_the_lock_for_few_statements(client, warm):
    status, statements = _post(client, warm, _reason(warm))

    assert status == 302
    lock = next(
        n
        for n, sql in enumerate(statements)
        if "registration_attendancekind" in sql
        and ("FOR UPDATE" in sql or connection.vendor == "sqlite")
        and "COUNT(" not in sql
        and "registrant_verified" not in sql
    )
    if connection.vendor == "postgresql":
        assert 'FOR UPDATE OF "registration_attendancekind"' in statements[lock]
    # The recount comes after the lock, in its own statement (a statement's snapshot is
    # taken when it starts, so a count inside the locking statement could be stale).
    assert "COUNT(" in statements[lock + 1]
    under_lock = statements[lock + 1 :]
    assert len(under_lock) == UNDER_LOCK[connection.vendor], _listing(statements)


def test_registration_waitlist_statement_count(client, warm):
    services.registration_create(user=UserFactory(), kind=warm)
    services.registration_create(user=UserFactory(), kind=warm, reason="Waiting first.")
    mails = DBTaskResult.objects.count()

    status, statements = _post(client, warm, _reason(warm))

    assert status == 302
    assert Registration.objects.filter(kind=warm, status="waitlisted").count() == 2
    assert DBTaskResult.objects.count() == mails + 1  # the waitlisted mail, queued
    assert not any("FOR UPDATE" in sql for sql in statements), _listing(statements)
    assert len(statements) == EXPECTED["waitlist"][connection.vendor], _listing(statements)


def test_registration_sold_out_refusal_costs_no_statement(warm):
    services.registration_create(user=UserFactory(), kind=warm)
    services.registration_create(user=UserFactory(), kind=warm, reason="Waiting first.")
    person = UserFactory()
    kind = selectors.kind_for_registration(kind_id=warm.pk, user=person, conference=warm.conference)

    with CaptureQueriesContext(connection) as captured:
        with pytest.raises(services.SoldOut):
            services.registration_create(user=person, kind=kind)

    statements = [q["sql"] for q in captured.captured_queries]
    assert len(statements) == SOLD_OUT_REFUSAL, _listing(statements)
    assert not Registration.objects.filter(user=person).exists()


def test_registration_already_registered_is_refused_before_any_transaction(warm):
    person = UserFactory()
    services.registration_create(user=person, kind=warm)
    kind = selectors.kind_for_registration(kind_id=warm.pk, user=person, conference=warm.conference)

    with CaptureQueriesContext(connection) as captured:
        with pytest.raises(services.AlreadyRegistered, match="confirmed"):
            services.registration_create(user=person, kind=kind)

    assert captured.captured_queries == []
