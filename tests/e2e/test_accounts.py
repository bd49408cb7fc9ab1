"""A new person signs up, gets the verification mail, confirms, logs in, logs out."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_signup_verify_login_logout_in_browser(page, conference):
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password:", exact=True).fill("a-long-unusual-passphrase")
    page.get_by_label("Password (again)").fill("a-long-unusual-passphrase")
    page.get_by_label("Display name").fill("Ada Lovelace")
    page.get_by_label("Affiliation").fill("Analytical Engines")
    page.get_by_role("button", name="Sign Up").click()
    page.get_by_role("heading", name="Verify Your Email Address").wait_for()

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.org"]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", message.body).group(0)
    path = link.split("/accounts/", 1)[1]

    page.goto("/accounts/" + path)
    page.get_by_role("button", name="Confirm").click()
    # Confirming logs the person in; their display name is shown, never their email.
    expect(page.locator(".account-nav").get_by_text("Ada Lovelace")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()

    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password").fill("a-long-unusual-passphrase")
    page.get_by_role("button", name="Sign In").click()
    expect(page.locator(".account-nav").get_by_text("Ada Lovelace")).to_be_visible()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Sign up")).to_be_visible()
