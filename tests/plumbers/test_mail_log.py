"""The mail log: every mail that goes out, transactional or bulk, with its kind, status and
the object it is about; searchable by organizers, linked from a person's admin page. And the
queueing: with the database task backend a mail is one INSERT in the state change's own
transaction, rolled back with it."""

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from plumbers.mail import deliver_mail, mail_on_commit
from plumbers.models import SentMail
from registration import services as registration_services
from tests.conftest import get_counting_queries
from tests.factories import ConferenceFactory, UserFactory
from tests.registration.factories import AttendanceKindFactory


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _context(conference, person):
    return {"user": person, "conference": conference, "kind": {"name": "In person"}}


def test_mail_log_records_kind_body_and_related_object(db, django_capture_on_commit_callbacks):
    kind = AttendanceKindFactory()
    person = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        registration = registration_services.registration_create(user=person, kind=kind)

    entry = SentMail.objects.get()
    assert entry.recipients == person.email
    assert entry.template == "registration.confirmed"
    assert entry.status == "sent"
    assert entry.related_type.model_class().__name__ == "Registration"
    assert entry.related_id == str(registration.pk)
    assert entry.body == mail.outbox[0].body
    assert entry.subject == mail.outbox[0].subject


def test_mail_log_queued_mail_is_one_insert_inside_the_transaction(db, database_tasks):
    conference = ConferenceFactory()
    person = UserFactory()
    mail_on_commit(
        template="registration/cancelled", to=person.email, context=_context(conference, person)
    )

    with CaptureQueriesContext(connection) as queries:
        with transaction.atomic():
            mail_on_commit(
                template="registration/cancelled",
                to=person.email,
                context=_context(conference, person),
            )

    statements = [q["sql"] for q in queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == 1
    assert statements[0].startswith("INSERT INTO") and "dbtaskresult" in statements[0]
    assert DBTaskResult.objects.count() == 2


def test_mail_log_rolled_back_change_queues_no_mail(db, database_tasks):
    conference = ConferenceFactory()
    person = UserFactory()

    with pytest.raises(RuntimeError), transaction.atomic():
        mail_on_commit(
            template="registration/cancelled",
            to=person.email,
            context=_context(conference, person),
        )
        raise RuntimeError("the state change fails")

    assert not DBTaskResult.objects.exists()


def test_mail_log_failed_send_is_logged_and_sent_by_a_later_run(db, settings):
    settings.EMAIL_BACKEND = "tests.plumbers.test_bulk_mail.RefusingBackend"

    with pytest.raises(OSError):
        deliver_mail.call(subject="Hi", body="B", to=["x@bounce.example"], mail_id="m-9")
    failed = SentMail.objects.get(mail_id="m-9")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sent = deliver_mail.call(subject="Hi", body="B", to=["x@bounce.example"], mail_id="m-9")

    assert failed.status == "failed" and "550" in failed.error
    assert sent == 1
    assert SentMail.objects.get(mail_id="m-9").status == "sent"
    assert len(mail.outbox) == 1


def test_mail_log_is_searchable_by_address_in_the_admin(organizer_client, db):
    for address in ("ada@example.org", "bob@example.org"):
        deliver_mail.call(subject=f"For {address}", body="B", to=[address], mail_id=address)

    page = organizer_client.get(
        reverse("admin:plumbers_sentmail_changelist") + "?q=ada%40example.org"
    ).content.decode()

    assert "For ada@example.org" in page
    assert "For bob@example.org" not in page


def test_mail_log_person_admin_page_links_to_their_mails(organizer_client, db):
    person = UserFactory(email="ada@example.org")

    page = organizer_client.get(
        reverse("admin:plumbers_user_change", args=[person.pk])
    ).content.decode()

    assert reverse("admin:plumbers_sentmail_changelist") + "?q=ada%40example.org" in page


@pytest.mark.parametrize("rows", [1, 30])
def test_mail_log_list_queries_do_not_grow_with_rows(organizer_client, db, rows):
    kind = AttendanceKindFactory(capacity=100)
    for _ in range(rows):
        registration = registration_services.registration_create(user=UserFactory(), kind=kind)
        deliver_mail.call(
            subject="S",
            body="B",
            to=[registration.user.email],
            template="registration.confirmed",
            related=f"registration.registration:{registration.pk}",
        )
    url = reverse("admin:plumbers_sentmail_changelist")
    organizer_client.get(url)

    count, response = get_counting_queries(organizer_client, url)

    assert response.context["cl"].result_count == rows
    assert count <= 12
