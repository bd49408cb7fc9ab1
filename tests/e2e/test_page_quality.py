"""Every page the site serves, as each kind of person sees it, checked by the tools the web
uses: axe-core in Chromium (no violation of serious or critical impact) and the Nu HTML
Checker (no error).

The pages are not a hand-kept list: they come from the permission matrix
(tests/security/test_permission_matrix.py), which classifies every URL name of the URL conf
for every role. Each page a role may open (GET answers 200) is visited once as the first such
role, and pages open to everybody also once signed in (the header differs); the admin pages
are the matrix's admin targets as the organizer sees them. A new page joins these checks as
soon as it joins the matrix, which it must.

The Nu checker is the ``vnu-jar`` package from npm run with the machine's Java; `make test`
installs it into var/tools (or set VNU_JAR). Without it, or without Java, the HTML check
skips with its reason, and fails instead when E2E_REQUIRED=1 (CI), like the browser tests.
Moderate and minor axe findings are written to var/quality/axe-moderate.txt for the record.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.security.roles import ROLES, build_world
from tests.security.test_permission_matrix import ADMIN_TARGETS, EXPECTED, _admin_expected

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = Path(
    os.environ.get("VNU_JAR", ROOT / "var/tools/node_modules/vnu-jar/build/dist/vnu.jar")
)
REPORT_DIR = ROOT / "var" / "quality"
BLOCKING_IMPACTS = {"serious", "critical"}
# Pages that are not HTML documents (feeds, calendars, CSV, JSON): the checks are for pages.
HTML_TYPES = ("text/html",)


def _pages(world) -> list[tuple[str, str]]:
    """(role, path) pairs: each page once as the first role that may open it, pages open to
    everybody also as a signed-in attendee, and the admin as the organizer."""
    pages: list[tuple[str, str]] = []
    seen: set[tuple[str, str]] = set()

    def add(role: str, path: str) -> None:
        if (role, path) not in seen:
            seen.add((role, path))
            pages.append((role, path))

    for entry in EXPECTED.values():
        if entry.get is None:
            continue
        readers = [role for role in ROLES if entry.get[role] == 200]
        if not readers:
            continue
        path = entry.url(world)
        add(readers[0], path)
        if readers[0] == "anonymous" and "attendee" in readers:
            add("attendee", path)
    for target, url in ADMIN_TARGETS.items():
        if _admin_expected(target, "organizer") == 200:
            add("organizer", url(world))
    return pages


def _session_cookie(user, live_server_url: str) -> dict:
    """A signed-in session without typing the password on every page: the login form itself
    has its own browser tests."""
    client = Client()
    client.force_login(user)
    return {
        "name": settings.SESSION_COOKIE_NAME,
        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server_url,
    }


def _require(tool_ok: bool, reason: str) -> None:
    if tool_ok:
        return
    if os.environ.get("E2E_REQUIRED") == "1":
        pytest.fail(f"E2E_REQUIRED=1 but {reason}")
    pytest.skip(reason)


def _vnu_errors(files: dict[Path, str]) -> list[str]:
    """Run the Nu checker once over every saved page; its errors, each with the page."""
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    messages = json.loads(result.stderr or "{}").get("messages", [])
    errors = []
    for message in messages:
        if message.get("type") not in ("error", "non-document-error"):
            continue
        file = Path(message.get("url", "").removeprefix("file:"))
        where = files.get(file, str(file))
        line = message.get("lastLine", "?")
        errors.append(f"{where} line {line}: {message.get('message')}")
    return errors


@pytest.fixture
def quality_world(transactional_db, settings, tmp_path):  # noqa: ARG001 (db access)
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_world()


def test_every_page_passes_axe_and_the_nu_html_checker(
    chromium, live_server, quality_world, tmp_path, settings
):
    from axe_playwright_python.sync_playwright import Axe

    # The queued-mail admin reads task results through the production (database) backend.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    java_ok = shutil.which("java") is not None and VNU_JAR.exists()
    _require(java_ok, f"the Nu HTML checker needs java and {VNU_JAR} (make test installs it)")

    axe = Axe()
    blocking: list[str] = []
    moderate: list[str] = []
    saved: dict[Path, str] = {}
    contexts = {}
    try:
        for number, (role, path) in enumerate(_pages(quality_world)):
            context = contexts.get(role)
            if context is None:
                context = chromium.new_context(base_url=live_server.url)
                context.set_default_timeout(15_000)
                user = quality_world.user(role)
                if user is not None:
                    context.add_cookies([_session_cookie(user, live_server.url)])
                contexts[role] = context
            # Feeds, calendars and CSV files are downloads, not pages: ask first.
            probe = context.request.get(path, max_redirects=0)
            assert probe.status == 200, f"{path} as {role}: {probe.status}"
            if not probe.headers.get("content-type", "").startswith(HTML_TYPES):
                continue
            page = context.pages[0] if context.pages else context.new_page()
            response = page.goto(path)
            assert response is not None and response.status == 200, f"{path} as {role}"
            where = f"{path} as {role}"
            html = response.body()
            file = tmp_path / f"page-{number}.html"
            file.write_bytes(html)
            saved[file] = where
            for violation in axe.run(page).response["violations"]:
                nodes = [n["target"] for n in violation["nodes"]][:3]
                impact, rule = violation["impact"], violation["id"]
                line = f"{where}: [{impact}] {rule}: {violation['help']} {nodes}"
                (blocking if violation["impact"] in BLOCKING_IMPACTS else moderate).append(line)
    finally:
        for context in contexts.values():
            context.close()

    REPORT_DIR.mkdir(parents=True, exist_ok=True)
    (REPORT_DIR / "axe-moderate.txt").write_text("\n".join(moderate) + "\n")
    html_errors = _vnu_errors(saved)

    assert len(saved) > 40, "the page list came out too short to mean anything"
    assert not blocking, "axe-core, serious or critical:\n" + "\n".join(blocking)
    assert not html_errors, "Nu HTML checker errors:\n" + "\n".join(html_errors)
