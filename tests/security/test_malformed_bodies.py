"""POSTs with malformed bodies never answer 500, at known and unknown URLs alike.

The CSRF check runs here as in production (the test client skips it by default), with a CSRF
cookie but no token, which makes the check read the body. The error views must not read it
(plumbers/errors.py), and views that do must answer 400, not 500.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

BODIES = [
    ("multipart/form-data", b"--x\r\ngarbage"),
    ("multipart/form-data; boundary=", b"--\r\n\r\n"),
    ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data\r\n\r\n\xff"),
    ("application/x-www-form-urlencoded; charset=no-such-charset", b"a=%ff%fe&b"),
    ("application/x-www-form-urlencoded", b"a=" + b"%00" * 50),
    ("application/json", b"{"),
]
SAMPLES = {
    "int": "1",
    "slug": "x",
    "str": "x",
    "path": "x",
    "uuid": "0" * 8 + "-0000-0000-0000-" + "0" * 12,
}


def _paths(patterns=None, prefix="") -> list[str]:
    """Every URL of the site, converters filled with sample values."""
    found = []
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(entry.pattern)
        if not isinstance(entry.pattern.regex, re.Pattern) or route.startswith("^"):
            route = entry.pattern.regex.pattern.lstrip("^").rstrip("$").replace("\\Z", "")
            route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route).replace("\\", "")
        route = re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES.get(m.group(1) or "str", "x"), route)
        if isinstance(entry, URLResolver):
            found += _paths(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            found.append("/" + prefix + route)
    return sorted(set(found))


def _client(settings) -> Client:
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.cookies["csrftoken"] = "a" * 32
    return client


def test_malformed_bodies_url_walk_reaches_every_app():
    paths = _paths()

    assert {"/cfp/", "/register/", "/sponsors/", "/microconferences/", "/news/"} <= set(paths)
    assert any(p.startswith("/admin/") for p in paths)


@pytest.mark.parametrize(("content_type", "body"), BODIES, ids=[b[0] for b in BODIES])
def test_malformed_bodies_never_answer_500(settings, organizer, content_type, body):
    anonymous, signed_in = _client(settings), _client(settings)
    signed_in.force_login(organizer)
    failures = []

    for path in [*_paths(), "/no-such-page/", "/cfp/no/such/thing/"]:
        for client in (anonymous, signed_in):
            response = client.generic("POST", path, body, content_type=content_type)
            if response.status_code >= 500:
                failures.append(f"{path}: {response.status_code}")

    assert failures == []


@pytest.mark.parametrize(
    "path", ["/cfp/invitations/%00/", "/news/%00/", "/news/?page=%00", "/x%00"]
)
def test_nul_in_the_address_is_a_bad_request(client, db, path):
    client.raise_request_exception = False

    response = client.get(path)

    assert response.status_code == 400
    assert "could not be handled" in response.content.decode()
