import datetime as dt
import xml.etree.ElementTree as ET

from django.urls import reverse
from django.utils import timezone

from tests.conftest import get_counting_queries
from tests.factories import AnnouncementFactory

ATOM = "{http://www.w3.org/2005/Atom}"


def test_news_list_shows_published_and_hides_scheduled_and_drafts(client, conference):
    AnnouncementFactory(title="Waitlist is open")
    AnnouncementFactory(title="Future plans", published_at=timezone.now() + dt.timedelta(days=2))
    AnnouncementFactory(title="A draft", published_at=None)

    html = client.get(reverse("news_list")).content.decode()

    assert "Waitlist is open" in html
    assert "Future plans" not in html
    assert "A draft" not in html


def test_news_detail_of_scheduled_post_is_not_found(client, conference):
    post = AnnouncementFactory(published_at=timezone.now() + dt.timedelta(hours=1))
    assert client.get(post.get_absolute_url()).status_code == 404


def test_scheduled_post_appears_once_its_time_has_come(client, conference):
    post = AnnouncementFactory(title="Soon", published_at=timezone.now() + dt.timedelta(hours=1))
    post.published_at = timezone.now() - dt.timedelta(seconds=1)
    post.save()
    assert "Soon" in client.get(post.get_absolute_url()).content.decode()


def test_announcement_script_is_rendered_inert(client, conference):
    post = AnnouncementFactory(
        body='Hello <script>alert("x")</script> [click](javascript:alert(1)) '
        '<img src=x onerror="alert(2)"> **bold**'
    )
    html = client.get(post.get_absolute_url()).content.decode()
    article = html.split("<article>", 1)[1].split("</article>", 1)[0]
    assert "<script>alert" not in article
    assert 'href="javascript:' not in article  # the link is refused, its text shown inert
    assert "onerror" not in article
    assert "<strong>bold</strong>" in article


def test_atom_feed_parses_and_lists_published_posts_only(client, conference):
    AnnouncementFactory(title="CFP deadline extended")
    AnnouncementFactory(title="Not yet", published_at=timezone.now() + dt.timedelta(days=1))

    response = client.get(reverse("news_feed"))

    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    titles = [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]
    assert titles == ["CFP deadline extended"]


def test_atom_feed_escapes_script_in_body(client, conference):
    AnnouncementFactory(title="Hostile", body="<script>alert(1)</script>")
    root = ET.fromstring(client.get(reverse("news_feed")).content)
    summary = root.find(f"{ATOM}entry").find(f"{ATOM}summary").text or ""
    assert "<script>" not in summary


def test_news_list_query_count_is_the_same_for_one_and_many_posts(client, conference):
    from plumbers.pagecache import bump_content_version

    AnnouncementFactory()
    client.get(reverse("news_list"))  # warm the footer's sponsor wall cache
    bump_content_version()  # measure a page-cache miss
    one, _ = get_counting_queries(client, reverse("news_list"))
    AnnouncementFactory.create_batch(15)
    many, response = get_counting_queries(client, reverse("news_list"))
    assert response.content.decode().count("<h2><a href=") == 16
    assert one == many
