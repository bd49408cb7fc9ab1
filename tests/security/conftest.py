"""Fixtures of the security tests.

``security_world`` builds the roles and their objects (tests/security/roles.py) once per test
module, inside a transaction that is rolled back when the module ends. Each test still runs
in its own savepoint (the ordinary ``db`` fixture), so what one test posts never reaches the
next. Use it only from tests with ``db`` (not ``transactional_db``: a flush would fight the
outer transaction).
"""

import pytest
from django.db import transaction
from django.test import override_settings

from tests.conftest import FAST_PASSWORD_HASHERS
from tests.security.roles import build_world


@pytest.fixture(scope="module")
def security_world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("security-media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media), PASSWORD_HASHERS=FAST_PASSWORD_HASHERS),
        transaction.atomic(),
    ):
        world = build_world()
        yield world
        transaction.set_rollback(True)


@pytest.fixture
def world(security_world, db):
    """The module's world inside this test's savepoint."""
    return security_world
