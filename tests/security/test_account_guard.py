"""Nobody changes what authenticates an account with permissions beyond their own.

An organizer holds every permission of the ``account`` app; before this guard they could add
a verified address to a superuser in the email-address admin, reset its password through
it, and log in as the superuser. Each admin model that touches how an account logs in is
tried here, page by page and action by action, against an account that outranks the actor.
"""

import pytest
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from plumbers.admin import AccountGuardMixin
from plumbers.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# Models whose rows decide who can log in as whom (allauth's social accounts are not
# installed; if they were, they would belong here).
AUTHENTICATING = {("plumbers", "user"), ("account", "emailaddress")}


@pytest.fixture
def superuser(db):
    return UserFactory(is_superuser=True, is_staff=True, email="root@example.org")


@pytest.fixture
def powerful(db):
    """Staff, not superuser, but holding a permission organizers do not have."""
    person = UserFactory(is_staff=True, email="powerful@example.org")
    person.user_permissions.add(Permission.objects.get(codename="change_group"))
    return person


@pytest.fixture(params=["superuser", "powerful"])
def target(request):
    return request.getfixturevalue(request.param)


def test_account_guard_covers_every_authenticating_admin():
    registered = {
        (model._meta.app_label, model._meta.model_name): model_admin
        for model, model_admin in admin.site._registry.items()
    }
    touching = {key for key in registered if key in AUTHENTICATING or key[0] == "socialaccount"}

    assert touching == AUTHENTICATING
    assert all(isinstance(registered[key], AccountGuardMixin) for key in touching)


def test_account_guard_refuses_a_new_address_for_an_outranking_account(organizer_client, target):
    response = organizer_client.post(
        reverse("admin:account_emailaddress_add"),
        {"user": target.pk, "email": "mine@attacker.example", "verified": "on", "primary": "on"},
    )

    assert response.status_code == 200
    assert "permissions beyond yours" in response.content.decode()
    assert not EmailAddress.objects.filter(email="mine@attacker.example").exists()


def test_account_guard_hides_and_locks_an_outranking_accounts_address(organizer_client, target):
    address = EmailAddress.objects.get(user=target)
    change_url = reverse("admin:account_emailaddress_change", args=[address.pk])

    listing = organizer_client.get(reverse("admin:account_emailaddress_changelist"))
    changed = organizer_client.post(
        change_url, {"user": target.pk, "email": "mine@attacker.example", "verified": "on"}
    )
    deleted = organizer_client.post(
        reverse("admin:account_emailaddress_delete", args=[address.pk]), {"post": "yes"}
    )

    assert target.email not in listing.content.decode()
    assert changed.status_code in (302, 403)  # 302: "not found", back to the list
    assert deleted.status_code in (302, 403)
    address.refresh_from_db()
    assert address.email == target.email


def test_account_guard_make_verified_skips_an_outranking_account(organizer_client, target):
    address = EmailAddress.objects.create(user=target, email="second@example.org")

    organizer_client.post(
        reverse("admin:account_emailaddress_changelist"),
        {"action": "make_verified", "_selected_action": [address.pk]},
    )

    address.refresh_from_db()
    assert not address.verified


def test_account_guard_refuses_password_and_account_changes(organizer_client, target):
    password = organizer_client.post(
        reverse("admin:auth_user_password_change", args=[target.pk]),
        {
            "password1": "taken-over-123456",
            "password2": "taken-over-123456",
            "usable_password": "true",
        },
    )
    changed = organizer_client.post(
        reverse("admin:plumbers_user_change", args=[target.pk]),
        {"email": "mine@attacker.example", "display_name": "x", "is_active": "on"},
    )

    target.refresh_from_db()
    assert password.status_code in (403, 404)  # 404: not even listed
    assert changed.status_code in (302, 403)
    assert target.check_password(PASSWORD)
    assert target.email != "mine@attacker.example"


def test_account_guard_offers_no_group_beyond_the_actors_permissions(organizer_client, organizer):
    strong = Group.objects.create(name="Account admins")
    strong.permissions.add(Permission.objects.get(codename="change_group"))
    form = {
        "email": organizer.email,
        "display_name": organizer.display_name,
        "is_active": "on",
        "is_staff": "on",
        "groups": [str(strong.pk), *[str(g.pk) for g in organizer.groups.all()]],
        "date_joined_0": organizer.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": organizer.date_joined.strftime("%H:%M:%S"),
    }

    response = organizer_client.post(
        reverse("admin:plumbers_user_change", args=[organizer.pk]), form
    )

    assert response.status_code == 200  # the form again, with the refused choice marked
    assert "Select a valid choice" in response.content.decode()
    assert not organizer.groups.filter(pk=strong.pk).exists()


def test_account_guard_leaves_equal_accounts_manageable(organizer_client):
    attendee = UserFactory(email="attendee@example.org")
    address = EmailAddress.objects.get(user=attendee)

    response = organizer_client.post(
        reverse("admin:account_emailaddress_change", args=[address.pk]),
        {"user": attendee.pk, "email": "attendee@new.example", "verified": "on", "primary": "on"},
    )

    assert response.status_code == 302
    address.refresh_from_db()
    assert address.email == "attendee@new.example"


def test_account_guard_lets_a_superuser_change_anyone(client, superuser, powerful):
    client.force_login(superuser)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[powerful.pk]),
        {
            "password1": "a-new-pass-123456",
            "password2": "a-new-pass-123456",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(pk=powerful.pk).check_password("a-new-pass-123456")
