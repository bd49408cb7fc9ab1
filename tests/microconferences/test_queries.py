"""The public pages cost the same number of queries with 1 MC as with 50 MCs / 1,000 topics."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from microconferences.models import Topic, TopicGroup
from plumbers.models import User
from plumbers.pagecache import bump_content_version
from tests.microconferences.factories import MicroconferenceFactory

pytestmark = pytest.mark.django_db


def make_mcs(conference, *, mcs: int, topics_per_mc: int, prefix: str = "mc"):
    """MCs with two leads, two headings each, topics spread over the headings and none."""
    made = []
    people = User.objects.bulk_create(
        [
            User(
                email=f"{prefix}-lead{n}@example.org",
                display_name=f"Lead {prefix} {n}",
                password="!",
            )
            for n in range(2 * mcs)
        ]
    )
    for i in range(mcs):
        mc = MicroconferenceFactory(
            conference=conference, slug=f"{prefix}-{i}", leads=people[2 * i : 2 * i + 2]
        )
        groups = TopicGroup.objects.bulk_create(
            [TopicGroup(microconference=mc, title=f"H{g}", order=g) for g in (1, 2)]
        )
        Topic.objects.bulk_create(
            [
                Topic(
                    microconference=mc,
                    group=[None, *groups][t % 3],
                    title=f"Topic {i}.{t}",
                    order=t,
                )
                for t in range(topics_per_mc)
            ]
        )
        made.append(mc)
    return made


def count_queries(client, url) -> tuple[int, str]:
    """Queries of one request, after a first request has warmed the shared caches (the
    footer's sponsor wall is cached), so that only this app's queries can differ."""
    client.get(url)
    bump_content_version()  # measure a miss of the public page cache, not a hit
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_list_page_queries_do_not_grow_with_mcs_and_topics(client, conference):
    make_mcs(conference, mcs=1, topics_per_mc=3)
    few, _ = count_queries(client, "/microconferences/")
    Topic.objects.all().delete()
    TopicGroup.objects.all().delete()
    conference.microconferences.all().delete()

    make_mcs(conference, mcs=50, topics_per_mc=20, prefix="big")
    many, html = count_queries(client, "/microconferences/")

    assert html.count('class="card mc-card"') == 50
    assert html.count("20 topics") == 50
    assert "Led by Lead big 98 and Lead big 99" in html
    assert few == many


def test_detail_page_queries_do_not_grow_with_topics(client, conference):
    (small,) = make_mcs(conference, mcs=1, topics_per_mc=3)
    few, _ = count_queries(client, small.get_absolute_url())

    big = make_mcs(conference, mcs=50, topics_per_mc=20, prefix="big")[-1]
    Topic.objects.bulk_create(
        [Topic(microconference=big, title=f"Extra {n}", order=1000 + n) for n in range(980)]
    )
    assert Topic.objects.filter(microconference=big).count() == 1000
    many, html = count_queries(client, big.get_absolute_url())

    assert "Extra 979" in html and "Topic 49.19" in html
    assert few == many
