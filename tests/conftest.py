"""Shared fixtures and helpers: the one place for what more than one test folder needs.

Browser tests (tests/e2e) use Playwright with the system Chromium; they skip with a visible
reason when it is missing, and fail instead when E2E_REQUIRED=1 (CI). PostgreSQL-only tests
(marker ``postgres``) skip with a visible reason on SQLite, and fail instead when
POSTGRES_REQUIRED=1 (CI).

`make test` runs the suite in parallel (pytest-xdist, one worker per core). Each worker has
its own test database (pytest-django appends ``_gw0``, ``_gw1``… to the PostgreSQL name,
``DJANGO_TEST_DB_NAME`` included; SQLite is in memory, one per process), its own live server
on a free port, its own cache (local memory; with REDIS_URL its own Redis database) and its
own MEDIA_ROOT. The browser tests run one after the other on one worker (one Chromium).
"""

import os
import shutil
from urllib.parse import urlsplit, urlunsplit

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

# Tests log in hundreds of times; PBKDF2's production cost is not what they test.
FAST_PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

POSTGRES_SKIP_REASON = (
    "needs PostgreSQL (set DATABASE_URL=postgres://USER@HOST:PORT/DB to run it): "
    "real concurrent transactions, row locks or pg_dump"
)


# --------------------------------------------------------------------------- the run


def xdist_worker_index() -> int | None:
    """0, 1, … in an xdist worker ("gw0", "gw1", …); None in a serial run."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker.removeprefix("gw")) if worker.startswith("gw") else None


def _uses_postgres() -> bool:
    from django.conf import settings

    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_configure(config):
    """CI runs the suite once with POSTGRES_REQUIRED=1: the PostgreSQL-only tests (real
    concurrent transactions, pg_dump) must run there, not skip because of a wrong URL."""
    if os.environ.get("POSTGRES_REQUIRED") == "1" and not _uses_postgres():
        from django.conf import settings

        engine = settings.DATABASES["default"]["ENGINE"]
        raise pytest.UsageError(f"POSTGRES_REQUIRED=1 but the database engine is {engine}")

    # The live server listens on a free port (port 0) unless an address is given; a fixed
    # port given for a parallel run is shifted by the worker's number so workers never meet.
    index = xdist_worker_index()
    address = config.getoption("liveserver", None) or os.environ.get(
        "DJANGO_LIVE_TEST_SERVER_ADDRESS", ""
    )
    host, _, port = address.rpartition(":")
    if index and host and port.isdigit() and port != "0":
        config.option.liveserver = f"{host}:{int(port) + index}"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests skip on SQLite with the reason in the summary (``-rs``); browser
    tests form one xdist group, so one worker runs them all with one Chromium while the
    other workers share out the rest (``--dist loadgroup``)."""
    skip_postgres = pytest.mark.skip(reason=POSTGRES_SKIP_REASON)
    postgres = _uses_postgres()
    for item in items:
        if item.get_closest_marker("postgres") and not postgres:
            item.add_marker(skip_postgres)
        if item.get_closest_marker("e2e") or "chromium" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("browser"))


@pytest.fixture(scope="session", autouse=True)
def _worker_media_root(tmp_path_factory):
    """Files written by tests (sponsor logos, the demo's) go to this run's own folder, one per
    xdist worker, never var/media. Tests that look at the files use ``media_root``."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture(scope="session", autouse=True)
def _worker_cache():
    """With REDIS_URL, each xdist worker uses its own Redis database (the number in the URL
    plus the worker's): ``cache.clear()`` empties a whole database, so workers sharing one
    would empty each other's page caches and rate limits mid-test."""
    from django.conf import settings
    from django.test import override_settings

    index = xdist_worker_index()
    cache = settings.CACHES["default"]
    if not index or not str(cache.get("LOCATION", "")).startswith(("redis://", "rediss://")):
        yield
        return
    parts = urlsplit(cache["LOCATION"])
    database = int(parts.path.strip("/") or 0) + index
    location = urlunsplit(parts._replace(path=f"/{database}"))
    with override_settings(CACHES={"default": {**cache, "LOCATION": location}}):
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = FAST_PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def _isolated_cache():
    """Each test starts with an empty cache (page caches, rate limits)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def media_root(settings, tmp_path):
    """An empty MEDIA_ROOT of this test's own (uploaded logos and their renditions)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --------------------------------------------------------------------------- people


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


@pytest.fixture
def reviewer(db):
    """A person to put on a track's reviewers (``TrackFactory(reviewers=[reviewer])``)."""
    return UserFactory(display_name="Rhea Reviewer")


@pytest.fixture
def user_client(client, user):
    """The test client, logged in as ``user``."""
    client.force_login(user)
    return client


@pytest.fixture
def organizer_client(client, organizer):
    """The test client, logged in as ``organizer``."""
    client.force_login(organizer)
    return client


def get_counting_queries(client, url: str):
    """(number of queries, response) of one GET of ``url``, which must answer 200. Warming
    shared caches or bumping the page cache before it is the caller's choice."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), response


# --------------------------------------------------------------------------- the browser


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


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
