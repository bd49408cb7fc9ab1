from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from plumbers.models import AuditLog
from plumbers.permissions import ORGANIZERS_GROUP, is_organizer
from tests.factories import AnnouncementFactory, UserFactory


def test_home_shows_current_edition_dates_place_and_latest_news(client, conference):
    AnnouncementFactory(title="Registration is open")
    html = client.get(reverse("home")).content.decode()
    assert conference.name in html
    assert conference.city in html
    assert f"{conference.ends_on:%B %Y}".split()[0] in html
    assert "Registration is open" in html


def test_home_without_any_edition_still_renders(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "No edition is current yet" in response.content.decode()


def test_base_layout_has_skip_link_and_main_navigation(client, conference):
    html = client.get(reverse("home")).content.decode()
    assert 'href="#main"' in html and 'id="main"' in html
    for label in ["Home", "Microconferences", "Call for proposals", "Register", "Sponsors", "News"]:
        assert f">{label}</a>" in html


def test_healthz_answers_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_profile_requires_login_and_comes_back(client, db):
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=/accounts/profile/" in response["Location"]


def test_profile_update_saves_and_audits(user_client, user):
    response = user_client.post(
        reverse("profile"), {"display_name": "  Grace   Hopper ", "affiliation": "Navy"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.display_name == "Grace Hopper"
    assert AuditLog.objects.filter(action="profile_update", object_id=str(user.pk)).exists()


def test_profile_blank_display_name_is_refused_with_message_and_keeps_input(user_client):
    response = user_client.post(
        reverse("profile"), {"display_name": "   ", "affiliation": "Kept Inc"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "This field is required" in html or "Please enter the name" in html
    assert 'value="Kept Inc"' in html


def test_organizers_group_exists_with_conference_permissions(db):
    group = Group.objects.get(name=ORGANIZERS_GROUP)
    perms = set(group.permissions.values_list("content_type__app_label", "codename"))
    assert ("plumbers", "add_announcement") in perms
    assert ("plumbers", "change_conference") in perms
    assert Permission.objects.filter(content_type__app_label="sponsors").count() > 0
    assert ("sponsors", "change_sponsor") in perms


def test_is_organizer_predicate_follows_group_membership(organizer, user):
    assert is_organizer(organizer)
    assert not is_organizer(user)


def test_organizer_can_open_admin_and_attendee_cannot(client, organizer, user):
    client.force_login(organizer)
    assert client.get("/admin/plumbers/announcement/").status_code == 200
    client.force_login(user)
    assert client.get("/admin/plumbers/announcement/").status_code == 302


def test_request_id_is_returned_on_every_response(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")
    assert response["X-Request-ID"] == "abc-123"
    assert len(client.get("/healthz")["X-Request-ID"]) == 32


def test_email_is_unique_case_insensitively(db):
    import pytest
    from django.db import IntegrityError

    UserFactory(email="Case@Example.org")
    with pytest.raises(IntegrityError):
        UserFactory(email="case@example.org")
