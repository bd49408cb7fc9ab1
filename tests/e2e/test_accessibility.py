"""Every public page: images have alt text, every form control has a label, and the page can
be used from the keyboard (the first Tab reaches the skip link, which moves to the content)."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.conftest import log_in

pytestmark = pytest.mark.e2e

PUBLIC_PAGES = [
    "/",
    "/news/",
    "/news/cfp-deadline-extended-refereed/",
    "/microconferences/",
    "/microconferences/vfio-iommu-pci/",
    "/cfp/",
    "/sponsors/",
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
]
SIGNED_IN_PAGES = ["/register/", "/cfp/proposals/", "/accounts/profile/", "/cfp/review/"]

UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(el => el.type !== 'hidden' && el.type !== 'submit' && el.type !== 'button')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label')
                && !el.getAttribute('aria-labelledby'))
  .map(el => el.outerHTML.slice(0, 120))"""
NO_ALT = """() => [...document.querySelectorAll('img')]
  .filter(img => !img.hasAttribute('alt')).map(img => img.outerHTML.slice(0, 120))"""
UNNAMED_BUTTONS = """() => [...document.querySelectorAll('button, a[href]')]
  .filter(el => !(el.innerText || '').trim() && !el.getAttribute('aria-label')
                && !el.querySelector('img[alt]:not([alt=""])'))
  .map(el => el.outerHTML.slice(0, 120))"""


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


def _check_page(page, path):
    response = page.goto(path)
    assert response.status < 400, path
    assert page.evaluate(UNLABELLED) == [], path
    assert page.evaluate(NO_ALT) == [], path
    assert page.evaluate(UNNAMED_BUTTONS) == [], path
    assert page.locator("h1").count() >= 1, path


def test_public_pages_have_labels_alt_text_and_named_controls(page, demo):
    for path in PUBLIC_PAGES:
        _check_page(page, path)


def test_signed_in_pages_have_labels_alt_text_and_named_controls(page, demo):
    log_in(page, "reviewer@example.org", "plumbers-reviewer")
    for path in SIGNED_IN_PAGES:
        _check_page(page, path)


def test_keyboard_skip_link_leads_to_the_main_content(page, demo):
    page.goto("/microconferences/")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    expect(page.get_by_role("link", name="Skip to main content")).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    # The next Tab lands inside the content, not back in the navigation.
    page.keyboard.press("Tab")
    inside = page.evaluate("() => document.getElementById('main').contains(document.activeElement)")
    assert inside


def test_keyboard_alone_registers_for_a_virtual_place(page, demo):
    log_in(page, "reviewer@example.org", "plumbers-reviewer")
    page.goto("/register/")
    virtual = page.locator("section", has=page.get_by_role("heading", name="Virtual"))
    virtual.get_by_role("button", name="Register").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_text("Virtual: your registration is confirmed.")).to_be_visible()
