"""Shared fragments (plumbers/fragments.py): what is the same for everybody is rendered once
per content version, signed in or not; what is personal never travels through it."""

import re

import pytest
from django.db import connection
from django.template import Context, Template, TemplateSyntaxError
from django.test.utils import CaptureQueriesContext

from microconferences.models import Topic
from plumbers.cache import ResilientRedisCache
from tests.factories import AnnouncementFactory, UserFactory
from tests.microconferences.factories import MicroconferenceFactory

pytestmark = pytest.mark.django_db


def _queries(client, url) -> tuple[int, str]:
    """Queries of one request, and its page without the (per-render) CSRF token."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), re.sub(
        r'name="csrfmiddlewaretoken" value="\w+"', "", response.content.decode()
    )


def test_signed_in_people_get_the_shared_parts_of_public_pages_without_rendering_them_again(
    client, conference, user
):
    MicroconferenceFactory(conference=conference, title="Tracing", slug="tracing")
    AnnouncementFactory(title="Doors open")
    client.force_login(user)
    for url in ("/", "/microconferences/", "/microconferences/tracing/", "/cfp/", "/sponsors/"):
        first, first_html = _queries(client, url)
        again, again_html = _queries(client, url)
        assert again < first, url
        assert again_html == first_html, url


def test_a_change_shows_on_the_next_request_for_everybody(client, conference, user):
    mc = MicroconferenceFactory(conference=conference, title="Tracing", slug="tracing")
    client.force_login(user)
    assert "Ring buffers" not in client.get(mc.get_absolute_url()).content.decode()
    Topic.objects.create(microconference=mc, title="Ring buffers", order=1)
    assert "Ring buffers" in client.get(mc.get_absolute_url()).content.decode()

    post = AnnouncementFactory(title="Old title")
    assert "Old title" in client.get("/").content.decode()
    post.title = "New title"
    post.save()
    html = client.get("/").content.decode()
    assert "New title" in html and "Old title" not in html


def test_what_is_personal_stays_out_of_the_shared_fragment(client, conference):
    lead, visitor = UserFactory(), UserFactory()
    mc = MicroconferenceFactory(conference=conference, slug="tracing", leads=[lead])
    Topic.objects.create(microconference=mc, title="Ring buffers", order=1)

    client.force_login(lead)
    lead_html = client.get(mc.get_absolute_url()).content.decode()  # renders the fragment
    client.force_login(visitor)
    visitor_html = client.get(mc.get_absolute_url()).content.decode()

    assert "Edit this microconference" in lead_html
    assert "Edit this microconference" not in visitor_html
    assert "Ring buffers" in visitor_html
    assert str(lead) not in visitor_html.split("<main")[0]  # the header is the visitor's own


def test_the_fragment_cache_can_be_turned_off(client, conference, user, settings):
    settings.PLUMBERS_FRAGMENT_CACHE = False
    MicroconferenceFactory(conference=conference, slug="tracing")
    client.force_login(user)
    client.get("/microconferences/tracing/")  # warms what is cached apart (the sponsor wall)
    first, _ = _queries(client, "/microconferences/tracing/")
    again, _ = _queries(client, "/microconferences/tracing/")
    assert again == first


def test_a_csrf_token_cannot_be_put_in_a_shared_fragment():
    with pytest.raises(TemplateSyntaxError, match="csrf_token"):
        Template('{% load plumbers_tags %}{% shared "form" %}{% csrf_token %}{% endshared %}')


def test_the_fragment_varies_on_what_it_names():
    template = Template('{% load plumbers_tags %}{% shared "greeting" n %}n={{ n }}{% endshared %}')
    assert template.render(Context({"n": 1})) == "n=1"
    assert template.render(Context({"n": 1, "ignored": "x"})) == "n=1"
    assert template.render(Context({"n": 2})) == "n=2"


def test_the_redis_cache_reuses_one_client_per_connection_pool():
    """Django made a redis.Redis (with ~80 response callbacks) for every cache call."""
    backend = ResilientRedisCache("redis://127.0.0.1:1/0", {})  # never connected here
    client = backend._cache.get_client()
    assert backend._cache.get_client(write=True) is client
    assert backend._cache.get_client("any-key") is client


def test_the_current_edition_is_read_once_per_content_version_and_never_shared(rf, conference):
    from plumbers.selectors import request_conference

    first = request_conference(rf.get("/"))
    with CaptureQueriesContext(connection) as queries:
        again = request_conference(rf.get("/"))
    assert len(queries) == 0 and again == first and again is not first

    conference.city = "Vienna"
    conference.save()  # content: the next request reads it again
    assert request_conference(rf.get("/")).city == "Vienna"


def test_a_flushed_cache_never_brings_back_an_earlier_content_version():
    from django.core.cache import cache

    from plumbers.pagecache import bump_content_version, content_version

    before = content_version()
    bump_content_version()
    cache.clear()
    assert content_version() > before + 1


def test_a_change_bumps_the_content_version_again_when_it_commits(
    django_capture_on_commit_callbacks,
):
    from django.db import transaction

    from plumbers.pagecache import content_version

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            AnnouncementFactory(title="One")
            AnnouncementFactory(title="Two")
            during = content_version()  # a request here may cache the old rows at this version
    assert len(callbacks) == 1  # once per transaction
    callbacks[0]()
    assert content_version() > during


def test_a_signup_is_not_a_change_of_content():
    from plumbers.models import User
    from plumbers.pagecache import content_version

    before = content_version()
    User.objects.create_user(email="new@example.org", password="a-long-enough-password")
    assert content_version() == before
