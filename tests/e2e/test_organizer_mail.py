"""An organizer owns the mail: edits the "offered" text and finds it in the mail log after
making an offer; writes a bulk mail to the waitlisted, checks the count and the preview,
sends it, sees every recipient sent once in the outbox, and a second click sends nothing."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from plumbers.models import BulkMailRecipient, SentMail
from registration.models import Registration
from tests.conftest import log_in
from tests.factories import UserFactory
from tests.registration.factories import AttendanceKindFactory, RegistrationFactory

pytestmark = pytest.mark.e2e


@pytest.fixture
def waitlist(conference):
    kind = AttendanceKindFactory(conference=conference, capacity=1)
    RegistrationFactory(kind=kind, user=UserFactory(display_name="Early Bird"))
    waiting = []
    for n, name in enumerate(["Wanda Waiting", "Walt Waiting", "Wren Waiting"]):
        person = UserFactory(display_name=name, email=f"waiting{n}@example.org")
        RegistrationFactory(
            kind=kind,
            user=person,
            status=Registration.Status.WAITLISTED,
            reason="I maintain a subsystem.",
            joined_at=timezone.now(),
            confirmed_at=None,
        )
        waiting.append(person)
    kind.capacity = 2
    kind.save()
    return kind, waiting


def test_organizer_edits_offered_mail_and_finds_it_in_the_log(page, organizer, waitlist):
    kind, waiting = waitlist
    log_in(page, organizer.email)

    page.goto("/admin/plumbers/mailtemplate/")
    page.get_by_role("link", name="Edit Place offered").click()
    expect(page.get_by_text("registration.offer_expires_at").first).to_be_visible()
    page.get_by_label("Subject").fill("{{ user }}, your seat at {{ conference.name }}")
    page.get_by_label("Body").fill(
        "Dear {{ user }},\n\nA seat is yours until "
        "{{ registration.offer_expires_at|plain_time:conference.timezone }}.\n"
        "Answer here: {{ register_url }}\n"
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("Ada Lovelace, your seat at")).to_be_visible()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("“Place offered” saved for")).to_be_visible()

    page.goto(reverse("admin:registration_attendancekind_offer_next", args=[kind.pk]))
    page.get_by_label("Number of places to offer").fill("1")
    page.get_by_role("button", name="Offer places").click()
    page.get_by_text("offered 1 place").first.wait_for()

    first = waiting[0]
    page.goto("/admin/plumbers/sentmail/")
    page.get_by_role("searchbox").fill(first.email)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=re.compile(r"your seat at")).first.click()
    body = page.locator(".field-body").inner_text()
    assert "Dear Wanda Waiting," in body
    assert "A seat is yours until" in body
    assert "(Dublin time, UTC" in body
    assert "Answer here: http://" in body
    assert SentMail.objects.get(template="registration.offered").recipients == first.email


def test_organizer_sends_bulk_mail_to_the_waitlisted_once(page, organizer, waitlist):
    _kind, waiting = waitlist
    log_in(page, organizer.email)

    page.goto("/admin/plumbers/bulkmail/add/")
    page.get_by_label("Send to").select_option(label="On the in-person waitlist")
    page.get_by_label("Subject").fill("News for {{ user }}")
    page.get_by_label("Body").fill("Hello {{ user }}, the waitlist is moving.")
    page.get_by_role("button", name="Preview").click()

    assert page.locator(".mail-recipient-count").inner_text() == "3 recipients."
    assert page.locator(".mail-preview-subject").inner_text().startswith("News for W")
    assert "the waitlist is moving." in page.locator(".mail-preview-body").inner_text()
    confirmation = page.content()
    page.get_by_role("button", name="Send to 3 recipients").click()
    page.get_by_text("The mail is queued for 3 people.").wait_for()

    counts = page.locator(".outbox-counts").inner_text()
    assert counts == "3 recipients: 3 sent, 0 queued, 0 failed."
    rows = page.locator("table.outbox tbody tr")
    assert rows.count() == 3
    for person in waiting:
        assert "Sent" in rows.filter(has_text=person.email).inner_text()

    # The confirmation page again (as the browser's Back shows it) and a second click.
    _show_again(page, "/admin/plumbers/bulkmail/add/?again", confirmation)
    page.get_by_role("button", name="Send to 3 recipients").click()
    page.get_by_text("This mail was sent already: nobody gets it twice.").wait_for()
    assert page.locator(".outbox-counts").inner_text() == counts
    assert BulkMailRecipient.objects.count() == 3
    assert sorted(m.to[0] for m in mail.outbox if m.subject.startswith("News")) == sorted(
        p.email for p in waiting
    )


def _show_again(page, path, html):
    """Show a page the browser saw before, as its history would (no new request for it)."""

    def handle(route):
        if route.request.method == "GET":
            route.fulfill(body=html, content_type="text/html; charset=utf-8")
        else:
            route.continue_()

    page.route(f"**{path}", handle)
    page.goto(path)
