"""The session's user comes from the shared cache (plumbers/auth_backend.py); every change to
the person or their groups shows on their next request."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext

from plumbers.permissions import ORGANIZERS_GROUP
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _signed_in_as(client, email):
    """Log in through the login form, as a person does (the session names this backend)."""
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


def _header(client) -> str:
    return client.get("/news/").content.decode().split("<main")[0]


def test_a_signed_in_request_reads_no_user_row_once_cached(client, conference):
    person = UserFactory(display_name="Ada Lovelace")
    _signed_in_as(client, person.email)
    client.get("/news/")
    with CaptureQueriesContext(connection) as queries:
        header = _header(client)
    assert "Ada Lovelace" in header
    assert not [q for q in queries if '"plumbers_user"' in q["sql"].split("WHERE")[0]]
    assert not [q for q in queries if "auth_group" in q["sql"]]


def test_a_changed_password_logs_out_the_other_sessions(client, conference):
    person = UserFactory()
    _signed_in_as(client, person.email)
    assert "Log out" in _header(client)
    person.set_password("another-long-password")
    person.save()
    assert "Log out" not in _header(client)


def test_a_deactivated_person_is_signed_out_at_once(client, conference):
    person = UserFactory()
    _signed_in_as(client, person.email)
    assert "Log out" in _header(client)
    person.is_active = False
    person.save()
    assert "Log out" not in _header(client)


def test_a_new_name_shows_at_once(client, conference):
    person = UserFactory(display_name="Old Name")
    _signed_in_as(client, person.email)
    assert "Old Name" in _header(client)
    person.display_name = "New Name"
    person.save()
    assert "New Name" in _header(client)


@pytest.mark.parametrize("how", ["user.groups", "group.user_set", "clear", "delete"])
def test_leaving_the_organizers_shows_at_once(client, conference, how):
    group, _ = Group.objects.get_or_create(name=ORGANIZERS_GROUP)
    person = UserFactory(is_staff=True)
    person.groups.add(group)
    _signed_in_as(client, person.email)
    assert 'href="/admin/"' in _header(client)

    if how == "user.groups":
        person.groups.remove(group)
    elif how == "group.user_set":
        group.user_set.remove(person)
    elif how == "clear":
        group.user_set.clear()
    else:
        group.delete()
    assert 'href="/admin/"' not in _header(client)


def test_joining_the_organizers_shows_at_once(client, conference):
    person = UserFactory(is_staff=True)
    _signed_in_as(client, person.email)
    assert 'href="/admin/"' not in _header(client)
    Group.objects.get_or_create(name=ORGANIZERS_GROUP)[0].user_set.add(person)
    assert 'href="/admin/"' in _header(client)
