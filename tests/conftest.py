"""Shared fixtures. Browser tests (tests/e2e) use Playwright with the system Chromium; they
skip with a visible reason when it is missing, and fail instead when E2E_REQUIRED=1 (CI)."""

import os
import shutil

import pytest

from tests.factories import PASSWORD, ConferenceFactory, UserFactory

# Playwright's sync API runs an event loop in the test thread; the ORM calls our tests make
# next to it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_configure(config):
    """CI runs the suite once with POSTGRES_REQUIRED=1: the PostgreSQL-only tests (real
    concurrent transactions, pg_dump) must run there, not skip because of a wrong URL."""
    if os.environ.get("POSTGRES_REQUIRED") == "1":
        from django.conf import settings

        engine = settings.DATABASES["default"]["ENGINE"]
        if not engine.endswith("postgresql"):
            raise pytest.UsageError(f"POSTGRES_REQUIRED=1 but the database engine is {engine}")


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def conference(db):
    return ConferenceFactory(is_current=True)


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def organizer(db):
    from django.contrib.auth.models import Group

    from plumbers.permissions import ORGANIZERS_GROUP

    person = UserFactory(is_staff=True, display_name="Olga Organizer")
    person.groups.add(Group.objects.get_or_create(name=ORGANIZERS_GROUP)[0])
    return person


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests log in hundreds of times; PBKDF2's production cost is not what they test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Each test starts with an empty cache (page caches, rate limits)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def chromium():
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        if os.environ.get("E2E_REQUIRED") == "1":
            pytest.fail(f"E2E_REQUIRED=1 but no Chromium at {CHROMIUM}")
        pytest.skip(f"Chromium not installed at {CHROMIUM}: browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url)
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()


def log_in(page, email: str, password: str = PASSWORD) -> None:
    """Log in through the real form, as a person would."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()
