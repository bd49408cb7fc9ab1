"""Bulk mail: segments declared by the apps, a preview with the count, an outbox row per
recipient, sent once whatever is clicked twice or run by two workers, and "resend failed"
resending only the failures."""

import threading
from collections import Counter

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from microconferences.models import Microconference
from plumbers import bulk_mail
from plumbers.models import AuditLog, BulkMail, BulkMailRecipient, SentMail
from registration.models import Registration
from tests.cfp.factories import ProposalFactory, ReviewFactory, TrackFactory
from tests.factories import ConferenceFactory, UserFactory
from tests.registration.factories import (
    AttendanceKindFactory,
    RegistrationFactory,
    VirtualKindFactory,
)
from tests.sponsors.factories import SponsorFactory


class RefusingBackend(EmailBackend):
    """A mail server that refuses addresses at bounce.example (the outside world)."""

    def send_messages(self, messages):
        for message in messages:
            if any(address.endswith("@bounce.example") for address in message.to):
                raise OSError("550 mailbox unavailable")
        return super().send_messages(messages)


@pytest.fixture
def edition(db):
    conference = ConferenceFactory(is_current=True, name="Plumbers 2031")
    in_person = AttendanceKindFactory(conference=conference, capacity=2)
    virtual = VirtualKindFactory(conference=conference)
    confirmed = UserFactory.create_batch(2)
    for person in confirmed:
        RegistrationFactory(user=person, kind=in_person)
    waiting = [UserFactory(display_name=f"Waiting {n}") for n in range(3)]
    for person in waiting:
        _waitlist(person, in_person)
    online = UserFactory()
    RegistrationFactory(user=online, kind=virtual)
    return conference, confirmed, waiting, online


def _waitlist(person, kind):
    return RegistrationFactory(
        user=person,
        kind=kind,
        status=Registration.Status.WAITLISTED,
        reason="I maintain a subsystem.",
        joined_at=timezone.now(),
        confirmed_at=None,
    )


def _send(conference, actor, *, token="t-1", segment="registration.waitlisted", **extra):
    return bulk_mail.bulk_mail_send(
        conference=conference,
        token=token,
        segment=segment,
        addresses_csv=extra.get("addresses_csv", ""),
        subject=extra.get("subject", "News for {{ user }}"),
        body=extra.get("body", "Hello {{ user }}, see {{ site_url }}."),
        actor=actor,
    )


def test_bulk_mail_segments_select_the_right_people(edition):
    conference, confirmed, waiting, online = edition
    other_edition = AttendanceKindFactory(conference=ConferenceFactory())
    _waitlist(UserFactory(), other_edition)

    def users(segment):
        return set(bulk_mail.segment_users(conference=conference, segment=segment))

    assert users("registration.waitlisted") == set(waiting)
    assert users("registration.confirmed_in_person") == set(confirmed)
    assert users("registration.virtual") == {online}


def test_bulk_mail_segment_of_mc_leads(edition):
    conference, confirmed, *_ = edition
    mc = Microconference.objects.create(
        conference=conference, title="Kernel", slug="kernel", status="accepted"
    )
    mc.leads.add(confirmed[0])

    assert list(
        bulk_mail.segment_users(conference=conference, segment="microconferences.leads")
    ) == [confirmed[0]]


def test_bulk_mail_segment_of_accepted_speakers_keeps_confirmed_and_drops_declined(edition):
    conference, confirmed, waiting, _ = edition
    track = TrackFactory(conference=conference)
    decided = {"decided_at": timezone.now()}
    ProposalFactory(track=track, submitter=confirmed[0], state="accepted", **decided)
    ProposalFactory(track=track, submitter=confirmed[1], state="confirmed", **decided)
    ProposalFactory(track=track, submitter=waiting[0], state="declined", **decided)
    ProposalFactory(track=track, submitter=waiting[1], state="submitted")

    assert set(bulk_mail.segment_users(conference=conference, segment="cfp.accepted_speakers")) == {
        confirmed[0],
        confirmed[1],
    }


def test_bulk_mail_segment_of_reviewers_due_follows_the_dashboards_rule(edition):
    conference, confirmed, waiting, _ = edition
    owes, done, unassigned = confirmed[0], confirmed[1], waiting[0]
    open_track = TrackFactory(conference=conference, reviewers=[owes, done])
    ProposalFactory(track=open_track)
    reviewed = ProposalFactory(track=open_track, submitter=owes)  # their own: never due
    ReviewFactory(proposal=reviewed, reviewer=done)
    for proposal in open_track.proposals.exclude(pk=reviewed.pk):
        ReviewFactory(proposal=proposal, reviewer=done)
    assigned_only = TrackFactory(conference=conference, assigned_only=True, reviewers=[unassigned])
    ProposalFactory(track=assigned_only)  # assigned to nobody: nobody owes it

    assert list(bulk_mail.segment_users(conference=conference, segment="cfp.reviewers_due")) == [
        owes
    ]


def test_bulk_mail_segment_of_sponsor_contacts_skips_hidden_sponsors(edition):
    conference, confirmed, waiting, _ = edition
    shown = SponsorFactory(tier__conference=conference)
    hidden = SponsorFactory(tier=shown.tier, visible=False)
    elsewhere = SponsorFactory()  # another edition's sponsor
    shown.contacts.add(confirmed[0])
    hidden.contacts.add(confirmed[1])
    elsewhere.contacts.add(waiting[0])

    assert list(bulk_mail.segment_users(conference=conference, segment="sponsors.contacts")) == [
        confirmed[0]
    ]


def test_bulk_mail_csv_with_lone_carriage_returns_is_read():
    assert bulk_mail.parse_addresses("a@example.org\rB@example.org") == [
        "a@example.org",
        "b@example.org",
    ]


def test_bulk_mail_csv_that_is_not_csv_is_refused_with_a_reason():
    with pytest.raises(ValidationError, match="could not be read as CSV"):
        bulk_mail.parse_addresses("a@example.org," + "x" * 200_000)  # over csv's field limit


def test_bulk_mail_csv_of_unknown_addresses_is_refused(edition):
    conference, confirmed, *_ = edition
    text = f"name,email\nA,{confirmed[0].email.upper()}\nB,nobody@example.net\n"

    with pytest.raises(ValidationError) as refused:
        bulk_mail.segment_users(conference=conference, segment="plumbers.csv", addresses_csv=text)

    assert "nobody@example.net" in refused.value.messages[0]
    known = bulk_mail.segment_users(
        conference=conference, segment="plumbers.csv", addresses_csv=f"{confirmed[0].email}\n"
    )
    assert list(known) == [confirmed[0]]


def test_bulk_mail_preview_counts_and_renders_one_recipient(edition, organizer):
    conference, _, waiting, _ = edition

    preview = bulk_mail.bulk_preview(
        conference=conference,
        segment="registration.waitlisted",
        addresses_csv="",
        subject="For {{ user }}",
        body="Hi {{ user }} at {{ conference.name }}",
    )

    assert preview["count"] == 3
    first = min(waiting, key=lambda u: u.email)
    assert preview["preview"] == (f"For {first}", f"Hi {first} at Plumbers 2031")
    assert mail.outbox == []


def test_bulk_mail_send_mails_everyone_once_and_a_second_click_adds_nothing(
    edition, organizer, django_capture_on_commit_callbacks
):
    conference, _, waiting, _ = edition

    with django_capture_on_commit_callbacks(execute=True):
        bulk, created = _send(conference, organizer)
    with django_capture_on_commit_callbacks(execute=True) as queued_again:
        again, created_again = _send(conference, organizer)

    assert created and not created_again and again == bulk
    assert queued_again == []
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in waiting)
    assert set(bulk.recipients.values_list("state", flat=True)) == {"sent"}
    assert SentMail.objects.filter(template="plumbers.bulk").count() == 3
    first = mail.outbox[0]
    assert first.subject.startswith("News for Waiting")
    assert "http://" in first.body
    assert AuditLog.objects.filter(action="bulk_mail_send").count() == 1


def test_bulk_mail_worker_run_twice_sends_nothing_more(
    edition, organizer, django_capture_on_commit_callbacks
):
    conference, *_ = edition
    with django_capture_on_commit_callbacks(execute=True):
        bulk, _ = _send(conference, organizer)

    handled = bulk_mail.send_bulk_mail.call(bulk_mail_id=bulk.pk)

    assert handled == 0
    assert len(mail.outbox) == 3


def test_bulk_mail_failures_are_recorded_and_only_they_are_resent(
    edition, organizer, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.plumbers.test_bulk_mail.RefusingBackend"
    conference, _, waiting, _ = edition
    bouncing = waiting[0]
    address = bouncing.email
    bouncing.email = "w@bounce.example"
    bouncing.save()

    with django_capture_on_commit_callbacks(execute=True):
        bulk, _ = _send(conference, organizer)

    failed = bulk.recipients.get(state="failed")
    assert failed.email == "w@bounce.example"
    assert "550 mailbox unavailable" in failed.error
    assert SentMail.objects.get(mail_id=failed.mail_id).status == "failed"
    assert len(mail.outbox) == 2

    BulkMailRecipient.objects.filter(pk=failed.pk).update(email=address)  # fixed address
    bouncing.email = address
    bouncing.save()
    with django_capture_on_commit_callbacks(execute=True):
        resent = bulk_mail.bulk_mail_resend_failed(bulk_mail=bulk, actor=organizer)

    assert resent == 1
    assert [m.to for m in mail.outbox[2:]] == [[address]]
    assert set(bulk.recipients.values_list("state", flat=True)) == {"sent"}
    assert bulk_mail.bulk_mail_resend_failed(bulk_mail=bulk, actor=organizer) == 0
    assert len(mail.outbox) == 3


def test_bulk_mail_unknown_placeholder_is_refused_before_anything_is_queued(edition, organizer):
    conference, *_ = edition

    with pytest.raises(ValidationError):
        _send(conference, organizer, body="{{ user.password }}")

    assert not BulkMail.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_bulk_mail_two_concurrent_sends_and_workers_mail_everyone_once(settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions (row locks)")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    conference = ConferenceFactory(is_current=True)
    kind = AttendanceKindFactory(conference=conference, capacity=1)
    waiting = UserFactory.create_batch(12)
    for person in waiting:
        _waitlist(person, kind)
    organizer = UserFactory()
    barrier = threading.Barrier(2)
    errors = []

    def click():
        try:
            barrier.wait()
            _send(conference, organizer, token="double-click")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    clicks = [threading.Thread(target=click) for _ in range(2)]
    for thread in clicks:
        thread.start()
    for thread in clicks:
        thread.join()
    bulk = BulkMail.objects.get()

    def work():
        try:
            barrier.wait()
            bulk_mail.send_bulk_mail.call(bulk_mail_id=bulk.pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    workers = [threading.Thread(target=work) for _ in range(2)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()

    assert errors == []
    sent_to = Counter(m.to[0] for m in mail.outbox)
    assert sent_to == Counter({person.email: 1 for person in waiting})
    assert BulkMailRecipient.objects.filter(state="sent").count() == 12
    assert SentMail.objects.count() == 12


# --------------------------------------------------------------------------- the admin


def test_bulk_mail_admin_compose_preview_then_send(
    edition, organizer_client, django_capture_on_commit_callbacks
):
    conference, _, waiting, _ = edition
    url = reverse("admin:plumbers_bulkmail_add")
    data = {
        "segment": "registration.waitlisted",
        "addresses": "",
        "subject": "Hello {{ user }}",
        "body": "News.",
        "_preview": "Preview",
    }

    previewed = organizer_client.post(url, data)

    page = previewed.content.decode()
    assert "<strong>3</strong> recipients" in page
    assert "Send to 3 recipients" in page
    assert mail.outbox == []
    token = previewed.context["preview"]["token"]
    send = {**data, "token": token, "_send": "Send"}
    del send["_preview"]
    with django_capture_on_commit_callbacks(execute=True):
        first = organizer_client.post(url, send)
    with django_capture_on_commit_callbacks(execute=True):
        second = organizer_client.post(url, send)

    bulk = BulkMail.objects.get()
    assert (
        first["Location"]
        == second["Location"]
        == reverse("admin:plumbers_bulkmail_change", args=[bulk.pk])
    )
    assert len(mail.outbox) == 3
    outbox = organizer_client.get(first["Location"]).content.decode()
    assert "3 recipients: 3 sent, 0 queued, 0 failed." in outbox
    for person in waiting:
        assert person.email in outbox


def test_bulk_mail_admin_refuses_unknown_placeholder_and_keeps_the_text(edition, organizer_client):
    response = organizer_client.post(
        reverse("admin:plumbers_bulkmail_add"),
        {
            "segment": "registration.waitlisted",
            "subject": "Hi",
            "body": "Hello\n{{ user.password }}",
            "_preview": "Preview",
        },
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Body, line 2: unknown placeholder" in page
    assert "{{ user.password }}" in page
