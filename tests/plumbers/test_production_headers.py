"""Production settings (DJANGO_DEBUG=0) send the security headers and secure cookies. Run in
a subprocess: the settings module reads the environment once, at import."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
from django.conf import settings
from django.test import Client
response = Client().get('/ping', secure=True, HTTP_HOST='plumbers.example.org')
insecure = Client().get('/ping', HTTP_HOST='plumbers.example.org')
print(json.dumps({
    'headers': dict(response.headers),
    'insecure_status': insecure.status_code,
    'insecure_location': insecure.headers.get('Location', ''),
    'session_secure': settings.SESSION_COOKIE_SECURE,
    'csrf_secure': settings.CSRF_COOKIE_SECURE,
    'session_httponly': settings.SESSION_COOKIE_HTTPONLY,
    'rate_limits': settings.ACCOUNT_RATE_LIMITS_ENABLED,
}))
"""


def test_production_sends_security_headers_and_secure_cookies():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="a-production-secret-key-that-is-long-and-random-0123456789abcdef",
        DJANGO_ALLOWED_HOSTS="plumbers.example.org",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROBE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])
    headers = {k.lower(): v for k, v in probe["headers"].items()}

    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["x-content-type-options"] == "nosniff"
    assert probe["insecure_status"] == 301
    assert probe["insecure_location"].startswith("https://")
    assert probe["session_secure"] and probe["csrf_secure"] and probe["session_httponly"]
    assert probe["rate_limits"] is True
