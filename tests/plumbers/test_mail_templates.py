"""Organizers' own mail text: validated (unknown placeholder, syntax error, forbidden tag,
each with its line), previewed for a sample recipient, mailed as a test, used by every mail
of its kind, and inert HTML in the mail's HTML part."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from plumbers.mail import mail_on_commit, render_kind
from plumbers.mail_kinds import mail_kinds
from plumbers.mail_templates import (
    default_texts,
    mail_template_restore_default,
    mail_template_save,
    render_sample,
    validate_texts,
)
from plumbers.models import AuditLog, MailTemplate, SentMail
from registration import services as registration_services
from tests.factories import ConferenceFactory, UserFactory
from tests.registration.factories import AttendanceKindFactory, VirtualKindFactory

OFFERED = "registration.offered"


def _offered_kind():
    return mail_kinds()[OFFERED]


@pytest.mark.parametrize("key", sorted(mail_kinds()))
def test_mail_templates_every_default_text_validates_and_previews(key):
    kind = mail_kinds()[key]
    subject, body = default_texts(kind)

    validate_texts(kind, subject=subject, body=body)
    rendered_subject, rendered_body = render_sample(kind, subject=subject, body=body)

    assert rendered_subject.strip()
    assert "{{" not in rendered_body and "{%" not in rendered_body


def test_mail_templates_cover_every_transactional_mail_of_the_issue():
    assert {
        "registration.confirmed",
        "registration.virtual_confirmed",
        "registration.waitlisted",
        "registration.offered",
        "registration.expired",
        "registration.cancelled",
        "cfp.proposal_received",
        "cfp.proposal_accepted",
        "cfp.proposal_rejected",
        "schedule.changed",
    } <= set(mail_kinds())


def test_mail_templates_unknown_placeholder_is_refused_with_its_line():
    body = "Hello {{ user }},\n\nYour password: {{ user.password }}\n"

    with pytest.raises(ValidationError) as refused:
        validate_texts(_offered_kind(), subject="Hi", body=body)

    assert "Body, line 3: unknown placeholder “{{ user.password }}”." in refused.value.messages


def test_mail_templates_unknown_placeholder_in_condition_or_filter_argument_is_refused():
    body = "{% if secret %}x{% endif %}\n{{ user|default:other }}"

    with pytest.raises(ValidationError) as refused:
        validate_texts(_offered_kind(), subject="Hi", body=body)

    text = " ".join(refused.value.messages)
    assert "line 1: unknown placeholder “{{ secret }}”" in text
    assert "line 2: unknown placeholder “{{ other }}”" in text


def test_mail_templates_syntax_error_is_refused_with_its_line():
    body = "Hello {{ user }},\n\n{% if user %}never closed\n"

    with pytest.raises(ValidationError) as refused:
        validate_texts(_offered_kind(), subject="Hi", body=body)

    assert any(m.startswith("Body, line 3:") for m in refused.value.messages)


def test_mail_templates_include_and_foreign_libraries_are_refused():
    body = '{% include "base.html" %}\n{% load humanize %}'

    with pytest.raises(ValidationError) as refused:
        validate_texts(_offered_kind(), subject="Hi", body=body)

    text = " ".join(refused.value.messages)
    assert "line 1: the tag “include” cannot be used" in text
    assert "line 2: the library “humanize” cannot be loaded" in text


def test_mail_templates_loop_variables_are_known_inside_the_loop():
    kind = mail_kinds()["cfp.proposal_accepted"]
    body = "{% for person in co_speakers %}{{ forloop.counter }}. {{ person }}{% endfor %}"

    subject, rendered = render_sample(kind, subject="{{ proposal.title }}", body=body)

    assert rendered == "1. Grace Hopper"


@pytest.fixture
def offer(db, organizer):
    conference = ConferenceFactory(is_current=True)
    kind = AttendanceKindFactory(conference=conference, capacity=1)
    registration_services.registration_create(user=UserFactory(), kind=kind)
    waiting = UserFactory(display_name="Wanda Waiting")
    registration_services.registration_create(user=waiting, kind=kind, reason="I maintain it.")
    return conference, kind, waiting


def test_mail_templates_override_is_used_for_the_edition_only(
    offer, organizer, django_capture_on_commit_callbacks
):
    conference, kind, waiting = offer
    mail_template_save(
        conference=conference,
        key=OFFERED,
        subject="A seat for {{ user }}",
        body="Dear {{ user }}, take it here: {{ register_url }}",
        actor=organizer,
    )
    reg = waiting.registrations.get()
    first = reg.pk

    with django_capture_on_commit_callbacks(execute=True):
        registration_services.registration_cancel(
            registration=kind.registrations.exclude(pk=first).get(), actor=organizer
        )
        registration_services.waitlist_offer_next(kind=kind, count=1, actor=organizer)

    offered = [m for m in mail.outbox if m.to == [waiting.email]][-1]
    assert offered.subject == "A seat for Wanda Waiting"
    assert offered.body.startswith("Dear Wanda Waiting, take it here: http://")
    logged = SentMail.objects.get(template=OFFERED)
    assert logged.body == offered.body
    other = ConferenceFactory()
    other_context = {"user": waiting, "conference": other, "kind": kind, "registration": reg}
    assert render_kind("registration/offered", other_context).subject.startswith(other.name)


def test_mail_templates_save_and_restore_are_audited(offer, organizer):
    conference, _kind, _ = offer

    mail_template_save(
        conference=conference, key=OFFERED, subject="S", body="B {{ user }}", actor=organizer
    )
    restored = mail_template_restore_default(conference=conference, key=OFFERED, actor=organizer)

    assert restored
    assert not MailTemplate.objects.exists()
    actions = list(AuditLog.objects.order_by("at", "id").values_list("action", flat=True))
    assert actions[-2:] == ["mail_template_save", "mail_template_restore_default"]


def test_mail_templates_virtual_confirmation_has_no_venue(db, django_capture_on_commit_callbacks):
    conference = ConferenceFactory(venue="Clayton Hotel")
    virtual = VirtualKindFactory(conference=conference)
    person = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        registration_services.registration_create(user=person, kind=virtual)

    sent = mail.outbox[-1]
    assert "virtual registration" in sent.subject
    assert "Clayton Hotel" not in sent.body
    assert "See you there" not in sent.body
    assert SentMail.objects.get().template == "registration.virtual_confirmed"


def test_mail_templates_html_in_placeholders_is_inert_in_the_html_part(
    db, django_capture_on_commit_callbacks
):
    conference = ConferenceFactory()
    person = UserFactory(display_name='<script>alert("x")</script><b>Eve</b>')

    with django_capture_on_commit_callbacks(execute=True):
        mail_on_commit(
            template="registration/cancelled",
            to=person.email,
            context={"user": person, "conference": conference, "kind": {"name": "In person"}},
        )

    html, mimetype = mail.outbox[0].alternatives[0]
    assert mimetype == "text/html"
    assert "<script" not in html and "<b>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;Eve&lt;/b&gt;" in html
    assert '<script>alert("x")</script>' in mail.outbox[0].body  # the text part is text


# --------------------------------------------------------------------------- the editor


def _edit_url(conference, key=OFFERED):
    return reverse("admin:plumbers_mailtemplate_edit", args=[conference.pk, key])


def test_mail_template_editor_lists_placeholders_and_default(organizer_client, db):
    conference = ConferenceFactory(is_current=True)

    page = organizer_client.get(_edit_url(conference)).content.decode()

    assert "registration.offer_expires_at" in page
    assert "Placeholders" in page
    assert "a place at" in page  # the default text in the editor


def test_mail_template_editor_refuses_unknown_placeholder_with_line(organizer_client, db):
    conference = ConferenceFactory(is_current=True)
    body = "Hello {{ user }}\n{{ user.password }}"

    response = organizer_client.post(
        _edit_url(conference), {"subject": "Hi", "body": body, "_save": "Save"}
    )

    assert response.status_code == 400
    assert "Body, line 2: unknown placeholder" in response.content.decode()
    assert "{{ user.password }}" in response.content.decode()  # what was typed is kept
    assert not MailTemplate.objects.exists()


def test_mail_template_editor_preview_renders_the_sample(organizer_client, db):
    conference = ConferenceFactory(is_current=True)

    response = organizer_client.post(
        _edit_url(conference),
        {
            "subject": "For {{ user }}",
            "body": "Until {{ registration.offer_expires_at|plain_time:conference.timezone }}",
            "_preview": "Preview",
        },
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "For Ada Lovelace" in page
    assert "1 August 2022, 13:00 (Dublin time, UTC+1)" in page
    assert not MailTemplate.objects.exists()


def test_mail_template_editor_sends_a_test_to_the_organizer(organizer_client, organizer, db):
    conference = ConferenceFactory(is_current=True)

    organizer_client.post(
        _edit_url(conference),
        {"subject": "For {{ user }}", "body": "Hi {{ user }}", "_test": "Send me a test"},
    )

    assert [m.to for m in mail.outbox] == [[organizer.email]]
    assert mail.outbox[0].subject == "[Test] For Ada Lovelace"
    assert not MailTemplate.objects.exists()


def test_mail_template_editor_saves_for_the_edition(organizer_client, db):
    conference = ConferenceFactory(is_current=True)

    response = organizer_client.post(
        _edit_url(conference), {"subject": "Seat", "body": "Hi {{ user }}", "_save": "Save"}
    )

    assert response.status_code == 302
    saved = MailTemplate.objects.get()
    assert (saved.conference, saved.key, saved.body) == (conference, OFFERED, "Hi {{ user }}")
    listing = organizer_client.get(reverse("admin:plumbers_mailtemplate_changelist"))
    assert "This edition's own" in listing.content.decode()
