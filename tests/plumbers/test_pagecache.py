from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import AnnouncementFactory


def test_anonymous_home_is_served_from_cache_without_queries(client, conference):
    AnnouncementFactory(title="First post")
    client.get(reverse("home"))
    with CaptureQueriesContext(connection) as second:
        response = client.get(reverse("home"))
    assert len(second) == 0
    assert "First post" in response.content.decode()


def test_saving_content_invalidates_cached_pages(client, conference):
    post = AnnouncementFactory(title="Old title")
    assert "Old title" in client.get(reverse("news_list")).content.decode()
    post.title = "New title"
    post.save()
    html = client.get(reverse("news_list")).content.decode()
    assert "New title" in html and "Old title" not in html


def test_logged_in_pages_are_not_cached_and_show_the_user(client, conference, user):
    client.get(reverse("home"))
    client.force_login(user)
    html = client.get(reverse("home")).content.decode()
    assert str(user) in html


def test_cached_response_varies_on_cookie(client, conference):
    response = client.get(reverse("home"))
    assert "Cookie" in response["Vary"]


def test_ping_answers_without_the_database(client, db):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/ping")
    assert response.content == b"ok" and len(queries) == 0
