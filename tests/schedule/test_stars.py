"""Stars, "my program" and the private calendar feed."""

import datetime as dt

import icalendar
import pytest
from django.urls import reverse

from plumbers.models import AuditLog
from schedule.models import CalendarToken, Item, Star
from tests.conftest import get_counting_queries
from tests.factories import UserFactory
from tests.schedule.factories import RoomFactory
from tests.schedule.factories_public import local, place, plain_item, publish, talk_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(conference):
    hall = RoomFactory(conference=conference, name="Main hall", order=0)
    side = RoomFactory(conference=conference, name="Side room", order=1)
    first = place(talk_item(conference, title="First talk"), hall, local(conference, 0, 9))
    clash = place(talk_item(conference, title="Clashing talk"), side, local(conference, 0, 9, 30))
    later = place(talk_item(conference, title="Later talk"), hall, local(conference, 1, 9))
    publish(conference)
    return {"first": first, "clash": clash, "later": later, "hall": hall}


def star(client, item, action="star", **extra):
    return client.post(
        reverse("schedule:star", kwargs={"key": item.guid}), {"action": action, **extra}
    )


def test_star_and_unstar_own_item(user_client, user, published):
    response = star(user_client, published["first"])
    assert response.status_code == 302
    assert Star.objects.filter(user=user, item=published["first"]).exists()
    star(user_client, published["first"])  # twice is harmless
    assert Star.objects.filter(user=user).count() == 1
    star(user_client, published["first"], "unstar")
    assert not Star.objects.filter(user=user).exists()


def test_star_needs_login(client, published):
    response = star(client, published["first"])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Star.objects.exists()


def test_star_get_not_allowed(user_client, published):
    url = reverse("schedule:star", kwargs={"key": published["first"].guid})
    assert user_client.get(url).status_code == 405


def test_star_unpublished_item_refused_with_message(user_client, user, conference, published):
    draft = place(plain_item(conference, "Draft"), published["hall"], local(conference, 2, 9))
    response = star(user_client, draft)
    assert not Star.objects.filter(user=user).exists()
    assert response.status_code == 302
    page = user_client.get(response["Location"], follow=True).content.decode()
    assert "Only items of the published program can be starred." in page


@pytest.mark.parametrize("action", ["", "delete", "x" * 10_000, "star\x00"])
def test_star_bad_action_changes_nothing(user_client, user, published, action):
    star(user_client, published["first"], action)
    assert not Star.objects.filter(user=user).exists()


def test_star_unknown_item_404(user_client):
    response = user_client.post(
        "/schedule/00000000-0000-0000-0000-000000000000/star/", {"action": "star"}
    )
    assert response.status_code == 404


def test_unstar_cannot_touch_someone_elses_star(client, published):
    owner, other = UserFactory(), UserFactory()
    Star.objects.create(user=owner, item=published["first"])
    client.force_login(other)
    star(client, published["first"], "unstar")
    assert Star.objects.filter(user=owner, item=published["first"]).exists()


def test_star_next_must_be_local(user_client, published):
    response = star(user_client, published["first"], next="https://evil.example/")
    assert response["Location"] == f"/schedule/{published['first'].guid}/"
    response = star(user_client, published["first"], "unstar", next="/schedule/mine/")
    assert response["Location"] == "/schedule/mine/"


def test_mine_lists_starred_with_clashes(user_client, user, published):
    for key in ("first", "clash", "later"):
        Star.objects.create(user=user, item=published[key])
    page = user_client.get("/schedule/mine/").content.decode()
    assert page.index("First talk") < page.index("Later talk")
    assert "2 of your starred items overlap another one" in page
    assert page.count('class="has-clash"') == 2


def test_mine_shows_unpublished_star_as_gone(user_client, user, conference, published):
    Star.objects.create(user=user, item=published["later"])
    Item.objects.filter(pk=published["later"].pk).update(room=None, starts_at=None, ends_at=None)
    publish(conference)
    page = user_client.get("/schedule/mine/").content.decode()
    assert "Later talk" in page and "no longer on the published program" in page


def test_mine_queries_fixed(user_client, user, conference, published):
    Star.objects.create(user=user, item=published["first"])
    user_client.get("/schedule/mine/")  # warm the session cache
    few, _ = get_counting_queries(user_client, "/schedule/mine/")
    for n in range(30):
        item = place(
            talk_item(conference, speakers=[UserFactory(), UserFactory()]),
            published["hall"],
            local(conference, 2, 0) + dt.timedelta(minutes=46 * n),
        )
        Star.objects.create(user=user, item=item)
    publish(conference)
    user_client.get("/schedule/mine/")
    many, _ = get_counting_queries(user_client, "/schedule/mine/")
    assert few == many


def test_mine_needs_login(client, published):
    response = client.get("/schedule/mine/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# ------------------------------------------------------------------------ the feed


def feed_url_of(user):
    return reverse("schedule:my_feed", kwargs={"token": CalendarToken.objects.get(user=user).token})


def test_feed_create_shows_url_and_lists_starred(user_client, user, published):
    Star.objects.create(user=user, item=published["later"])
    user_client.post(reverse("schedule:feed_regenerate"))
    token = CalendarToken.objects.get(user=user)
    assert len(token.token) >= 40
    page = user_client.get("/schedule/mine/").content.decode()
    assert f"http://testserver/schedule/mine/{token.token}.ics" in page
    from django.test import Client

    response = Client().get(feed_url_of(user))  # calendar apps do not log in
    assert response.status_code == 200
    cal = icalendar.Calendar.from_ical(response.content)
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["Later talk"]
    assert str(cal.walk("VEVENT")[0]["UID"]) == f"{published['later'].guid}@plumbers"
    assert cal.walk("VTIMEZONE")
    assert AuditLog.objects.filter(action="calendar_feed_create").exists()


def test_feed_regenerate_kills_old_address(user_client, user, published):
    user_client.post(reverse("schedule:feed_regenerate"))
    old = feed_url_of(user)
    user_client.post(reverse("schedule:feed_regenerate"))
    new = feed_url_of(user)
    assert old != new
    assert user_client.get(old).status_code == 404
    assert user_client.get(new).status_code == 200


def test_feed_revoke_404s(user_client, user, published):
    user_client.post(reverse("schedule:feed_regenerate"))
    url = feed_url_of(user)
    user_client.post(reverse("schedule:feed_revoke"))
    assert not CalendarToken.objects.filter(user=user).exists()
    assert user_client.get(url).status_code == 404
    assert AuditLog.objects.filter(action="calendar_feed_revoke").exists()
    response = user_client.post(reverse("schedule:feed_revoke"), follow=True)
    assert "You had no calendar feed address." in response.content.decode()


@pytest.mark.parametrize(
    "token", ["x", "0" * 43, "../../etc/passwd", "%00", "A" * 5000, "' OR 1=1 --"]
)
def test_feed_unknown_token_404(client, published, token):
    # a NUL in the address is refused before the view (400), like everywhere on the site
    assert client.get(f"/schedule/mine/{token}.ics").status_code == (400 if token == "%00" else 404)


def test_feed_of_deactivated_user_404(client, published):
    owner = UserFactory()
    token = CalendarToken.objects.create(user=owner, token="a" * 43)
    owner.is_active = False
    owner.save()
    assert client.get(f"/schedule/mine/{token.token}.ics").status_code == 404


def test_feed_buttons_need_post_and_login(user_client):
    from django.test import Client

    assert Client().post(reverse("schedule:feed_regenerate")).status_code == 302
    assert not CalendarToken.objects.exists()
    assert user_client.get(reverse("schedule:feed_regenerate")).status_code == 405
    assert user_client.get(reverse("schedule:feed_revoke")).status_code == 405


def test_profile_page_offers_the_feed(user_client, user, published):
    page = user_client.get("/accounts/profile/").content.decode()
    assert "Create my calendar feed" in page
    response = user_client.post(reverse("schedule:feed_regenerate"), {"next": "/accounts/profile/"})
    assert response["Location"] == "/accounts/profile/"
    page = user_client.get("/accounts/profile/").content.decode()
    assert CalendarToken.objects.get(user=user).token in page
    assert "Make a new address" in page and "Turn the feed off" in page


def test_program_star_buttons_for_logged_in(user_client, user, published):
    Star.objects.create(user=user, item=published["first"])
    page = user_client.get("/schedule/").content.decode()
    assert "Unstar First talk" in page and "Star Clashing talk" in page


def test_personal_hub_lists_starred_items(user_client, user, published):
    Star.objects.create(user=user, item=published["first"])
    Star.objects.create(user=user, item=published["clash"])
    page = user_client.get("/me/").content.decode()
    assert "My program" in page
    assert "First talk" in page and "Clashing talk" in page and "Clash" in page
    assert "Later talk" not in page


def test_personal_hub_without_stars_invites_to_star(user_client, published):
    page = user_client.get("/me/").content.decode()
    assert "Nothing starred yet" in page
