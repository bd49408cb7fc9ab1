"""The program grid is shared between people (plumbers.fragments); each person's star
buttons and "in your program" marks are filled in per request (schedule.program_marks)."""

import re

import pytest
from django.urls import reverse

from schedule.models import Star
from tests.factories import UserFactory
from tests.schedule.factories import RoomFactory
from tests.schedule.factories_public import local, place, publish, talk_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def program(conference):
    room = RoomFactory(conference=conference, name="Main hall", order=0)
    first = place(
        talk_item(conference, title="Pipes <fast> & | fun"), room, local(conference, 0, 9)
    )
    second = place(talk_item(conference, title="Second talk"), room, local(conference, 0, 10))
    publish(conference)
    return first, second


def _page(client) -> str:
    return client.get("/schedule/").content.decode()


def test_each_person_sees_their_own_stars_on_the_shared_grid(client, program):
    first, second = program
    ada, bob = UserFactory(), UserFactory()
    Star.objects.create(user=ada, item=first)

    client.force_login(ada)
    ada_page = _page(client)  # renders the shared grid
    client.force_login(bob)
    bob_page = _page(client)

    assert 'aria-label="Unstar Pipes &lt;fast&gt; &amp; | fun"' in ada_page
    assert 'aria-label="Star Second talk"' in ada_page
    assert ada_page.count('class="starred-mark"') == 2  # the grid cell and the list entry
    assert 'aria-label="Star Pipes &lt;fast&gt; &amp; | fun"' in bob_page
    assert "Unstar" not in bob_page and "starred-mark" not in bob_page
    assert "<!--star" not in ada_page + bob_page  # every marker filled in


def test_the_star_buttons_post_with_the_persons_own_token_and_work(program):
    from django.test import Client

    first, _ = program
    ada = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(ada)
    page = _page(client)
    form = re.search(
        r'<form method="post" action="([^"]+)"[^>]*>\s*<input type="hidden" '
        r'name="csrfmiddlewaretoken" value="(\w+)">\s*<input type="hidden" name="next" '
        r'value="([^"]*)">\s*<button type="submit" name="action" value="star"[^>]*'
        r'aria-label="Star Pipes',
        page,
    )
    assert form, "the first talk's star button"
    url, token, next_url = form.groups()
    assert url == reverse("schedule:star", kwargs={"key": first.guid})
    assert next_url == "/schedule/"
    response = client.post(url, {"csrfmiddlewaretoken": token, "action": "star", "next": next_url})
    assert response.status_code == 302
    assert Star.objects.filter(user=ada, item=first).exists()
    assert 'aria-label="Unstar Pipes' in _page(client)


def test_anonymous_visitors_get_no_buttons_and_no_markers(client, program):
    page = _page(client)
    assert "Pipes &lt;fast&gt;" in page
    assert "star-form" not in page and "<!--" not in page


def test_made_up_filters_are_answered_but_never_fill_the_shared_cache(client, program, settings):
    from django.core.cache import caches

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.PLUMBERS_PAGE_CACHE = False  # measure the fragments, not the page cache
    store = caches["default"]
    store.clear()
    for n in range(5):
        page = client.get(f"/schedule/?track=nothing-{n}").content.decode()
        assert f"There is no track “nothing-{n}”." in page
    bodies = [key for key in store._cache if "schedule.program.body" in key]
    assert bodies == []

    client.get("/schedule/")
    assert len([key for key in store._cache if "schedule.program.body" in key]) == 1
