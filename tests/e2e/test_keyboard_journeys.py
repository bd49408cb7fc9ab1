"""The main journeys with the keyboard alone (Tab, Shift+Tab, Enter, Space, typing): sign up,
register, join the waitlist, accept an offer, submit a proposal, review. At every stop the
focused element must show a visible focus indicator (an outline or a focus ring, read from
its computed style)."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from cfp.models import Proposal, Review
from registration import services
from registration.models import Registration
from tests.cfp.factories import ProposalFactory, TrackFactory
from tests.conftest import PASSWORD
from tests.factories import UserFactory, register_many
from tests.registration.factories import AttendanceKindFactory, VirtualKindFactory

pytestmark = pytest.mark.e2e

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  const ring = style.boxShadow && style.boxShadow !== "none";
  const label = el.labels && el.labels.length ? el.labels[0].innerText.trim() : "";
  const name = (el.getAttribute("aria-label") || el.innerText || el.value || "").trim();
  const box = el.getBoundingClientRect();
  return {tag: el.tagName, type: el.type || "", name: name.slice(0, 120), label: label,
          visible: outline || ring, onScreen: box.width > 0 && box.height > 0};
}"""


def tab_to(page, *, name=None, label=None, tag=None, limit=150):
    """Press Tab until the focused element matches; it must show where the focus is."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = page.evaluate(FOCUSED)
        if info is None:
            continue
        if tag and info["tag"] != tag:
            continue
        if name is not None and info["name"] != name:
            continue
        if label is not None and not info["label"].startswith(label):
            continue
        assert info["visible"], f"no visible focus indicator on {info}"
        assert info["onScreen"], f"focused element is not on screen: {info}"
        return info
    raise AssertionError(f"Tab never reached name={name!r} label={label!r} tag={tag!r}")


def activate(page, **match):
    """Tab to a link or button and press Enter: it goes to the next page."""
    tab_to(page, **match)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_into(page, text, **match):
    tab_to(page, **match)
    page.keyboard.type(text)


def keyboard_log_in(page, email, password=PASSWORD):
    page.goto("/")
    activate(page, name="Log in", tag="A")
    type_into(page, email, label="Email")
    type_into(page, password, label="Password")
    activate(page, name="Sign In", tag="BUTTON")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


@pytest.fixture
def kind(conference):
    VirtualKindFactory(conference=conference)
    kind = AttendanceKindFactory(conference=conference, capacity=1)
    register_many(kind, 1)
    return kind


def test_keyboard_sign_up_join_the_waitlist_and_register_virtually(page, kind):
    page.goto("/")
    activate(page, name="Sign up", tag="A")
    type_into(page, "kay@example.org", label="Email")
    type_into(page, "a-long-unusual-passphrase", label="Password:")
    type_into(page, "a-long-unusual-passphrase", label="Password (again)")
    type_into(page, "Kay Keyboard", label="Display name")
    activate(page, name="Sign Up", tag="BUTTON")
    page.get_by_role("heading", name="Verify Your Email Address").wait_for()
    link = re.search(r"https?://\S+(/accounts/confirm-email/\S+/)", mail.outbox[-1].body)
    page.goto(link.group(1))  # the link in the mail
    activate(page, name="Confirm", tag="BUTTON")
    expect(page.locator(".account-nav")).to_contain_text("Kay Keyboard")

    activate(page, name="Register", tag="A")
    type_into(page, "My first Plumbers: I work on io_uring.", label="Why do you want to attend?")
    activate(page, name="Join the waitlist", tag="BUTTON")
    in_person = page.get_by_role("region", name="In person")
    expect(in_person).to_contain_text("You are on the waitlist: #1 of 1")

    activate(page, name="Register", tag="BUTTON")  # the virtual place, meanwhile
    expect(page.get_by_role("region", name="Virtual")).to_contain_text("You have a place")
    statuses = set(
        Registration.objects.filter(user__email="kay@example.org").values_list("status", flat=True)
    )
    assert statuses == {"waitlisted", "confirmed"}


def test_keyboard_accept_an_offer_from_the_hub(page, kind, organizer):
    person = UserFactory(display_name="Olly Offered")
    services.registration_create(user=person, kind=kind, reason="Please.")
    services.attendance_kind_set_capacity(kind=kind, capacity=2, actor=organizer)
    services.waitlist_offer_next(kind=kind, count=1, actor=organizer)
    keyboard_log_in(page, person.email)

    activate(page, name="My conference", tag="A")
    expect(page.get_by_role("region", name="My registration")).to_contain_text(
        "A place is offered to you"
    )
    activate(page, name="Accept the offer", tag="BUTTON")

    expect(page.get_by_role("status")).to_contain_text("your registration is confirmed")
    assert Registration.objects.get(user=person, kind=kind).status == "confirmed"


def test_keyboard_submit_a_proposal_then_review_one(page, conference):
    reviewer = UserFactory(display_name="Rita Reviewer")
    track = TrackFactory(
        conference=conference, name="Refereed presentations", slug="refereed", reviewers=[reviewer]
    )
    ProposalFactory(track=track, title="Faster futexes")
    speaker = UserFactory(display_name="Sam Speaker")

    keyboard_log_in(page, speaker.email)
    activate(page, name="Call for proposals", tag="A")
    activate(page, name="Submit to Refereed presentations", tag="A")
    type_into(page, "Pipes all the way down", label="Title")
    type_into(page, "How **pipes** really work.", label="Abstract")
    activate(page, name="Submit proposal", tag="BUTTON")
    expect(page.get_by_text("“Pipes all the way down” was submitted.")).to_be_visible()
    assert Proposal.objects.filter(submitter=speaker, title="Pipes all the way down").exists()
    activate(page, name="Log out", tag="BUTTON")

    keyboard_log_in(page, reviewer.email)
    activate(page, name="Review", tag="A")
    activate(page, name="Next unreviewed", tag="A")
    page.get_by_role("heading", name=re.compile("Faster futexes|Pipes all the way down")).wait_for()
    tab_to(page, label="Score")
    page.keyboard.press("Home")  # +2 — strong accept
    tab_to(page, label="Confidence")
    page.keyboard.press("Home")  # 3 — expert
    type_into(page, "Clear and useful.", label="Comment for the committee")
    activate(page, name="Submit my review", tag="BUTTON")

    expect(page.get_by_text("Your review was saved.")).to_be_visible()
    review = Review.objects.get(reviewer=reviewer)
    assert (review.score, review.confidence, review.comment) == (2, 3, "Clear and useful.")
