"""Every link in a mail starts with PLUMBERS_SITE_URL; production refuses a non-https one."""

import pytest
from django.core import mail
from django.core.checks import run_checks

from cfp import services as cfp_services
from plumbers.mail import site_url
from tests.cfp.factories import TrackFactory
from tests.factories import UserFactory
from tests.plumbers.test_settings import _manage

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789abcdef",
    "DJANGO_ALLOWED_HOSTS": "plumbers.example.org",
}


def test_site_url_builds_links_from_the_setting(settings):
    settings.PLUMBERS_SITE_URL = "https://lpc.example.org"

    assert site_url("/register/") == "https://lpc.example.org/register/"


def test_site_url_proposal_receipt_link_is_absolute(
    settings, db, django_capture_on_commit_callbacks
):
    settings.PLUMBERS_SITE_URL = "https://lpc.example.org"
    track = TrackFactory()

    with django_capture_on_commit_callbacks(execute=True):
        cfp_services.proposal_submit(
            track=track, submitter=UserFactory(), title="A talk", abstract="About it."
        )

    assert "https://lpc.example.org/cfp/proposals/" in mail.outbox[0].body
    assert "(/cfp/proposals/)" not in mail.outbox[0].body
    assert mail.outbox[0].extra_headers["Message-ID"].endswith("@lpc.example.org>")


@pytest.mark.parametrize("value", ["", "http://lpc.example.org", "lpc.example.org"])
def test_site_url_check_refuses_non_https_in_production(settings, value):
    settings.DEBUG = False
    settings.PLUMBERS_SITE_URL = value

    errors = [e for e in run_checks(include_deployment_checks=True) if e.id == "plumbers.E001"]

    assert len(errors) == 1


def test_site_url_check_accepts_https_in_production(settings):
    settings.DEBUG = False
    settings.PLUMBERS_SITE_URL = "https://lpc.example.org"

    assert not [e for e in run_checks(include_deployment_checks=True) if e.id == "plumbers.E001"]


def test_site_url_check_deploy_fails_without_https_and_passes_with_it():
    refused = _manage(
        "check",
        "--deploy",
        env_extra={**PRODUCTION, "PLUMBERS_SITE_URL": "http://plumbers.example.org"},
    )
    accepted = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={**PRODUCTION, "PLUMBERS_SITE_URL": "https://plumbers.example.org"},
    )

    assert refused.returncode != 0
    assert "plumbers.E001" in refused.stderr + refused.stdout
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr


def test_site_url_development_default_is_local():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.PLUMBERS_SITE_URL)",
        env_extra={},
        drop=("DJANGO_DEBUG", "DJANGO_SECRET_KEY", "PLUMBERS_SITE_URL"),
    )

    assert "http://127.0.0.1:8000" in result.stdout.splitlines()
