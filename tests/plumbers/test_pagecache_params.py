"""The page cache keys on the query parameters a page reads, and ignores the rest, so a
random parameter per request cannot force a fresh render (a cheap way to load the server)."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.factories import AnnouncementFactory


def test_pagecache_ignores_parameters_the_page_does_not_read(client, conference):
    AnnouncementFactory(title="First post")
    client.get(reverse("home"))

    with CaptureQueriesContext(connection) as busted:
        response = client.get(reverse("home"), {"x": "8f1c2a", "utm_source": "a"})

    assert len(busted) == 0
    assert "First post" in response.content.decode()


def test_pagecache_keeps_pages_of_a_parameter_the_page_reads(client, conference):
    start = timezone.now() - dt.timedelta(days=1)
    for n in range(25):
        AnnouncementFactory(title=f"Post {n:02d}", published_at=start - dt.timedelta(hours=n))

    first = client.get(reverse("news_list"), {"page": "1"}).content.decode()
    second = client.get(reverse("news_list"), {"page": "2", "x": "1"}).content.decode()
    with CaptureQueriesContext(connection) as again:
        second_again = client.get(reverse("news_list"), {"x": "2", "page": "2"}).content.decode()

    assert "Post 00" in first and "Post 24" not in first
    assert "Post 24" in second and "Post 00" not in second
    assert second_again == second
    assert len(again) == 0
