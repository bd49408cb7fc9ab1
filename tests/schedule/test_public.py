"""The public program pages read the latest release only."""

import datetime as dt

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from schedule.models import Item
from tests.conftest import get_counting_queries
from tests.factories import UserFactory
from tests.microconferences.factories import TopicFactory, TopicGroupFactory
from tests.schedule.factories import RoomFactory
from tests.schedule.factories_public import (
    big_program,
    local,
    mc_item,
    place,
    plain_item,
    publish,
    talk_item,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def rooms(conference):
    return [
        RoomFactory(conference=conference, name="Main hall", order=0),
        RoomFactory(conference=conference, name="Room B", order=1),
    ]


def text(response) -> str:
    return response.content.decode()


def test_program_unpublished_says_so(client, conference, rooms):
    place(talk_item(conference, title="Draft only talk"), rooms[0], local(conference, 0, 9))
    response = client.get("/schedule/")
    assert response.status_code == 200
    assert "The program has not been published yet" in text(response)
    assert "Draft only talk" not in text(response)


def test_program_without_any_edition_says_unpublished(client, db):
    response = client.get("/schedule/")
    assert "The program has not been published yet" in text(response)


def test_program_shows_latest_release_not_the_draft(client, conference, rooms):
    talk = place(talk_item(conference, title="Published talk"), rooms[0], local(conference, 0, 9))
    publish(conference)
    talk.proposal.title = "Renamed in the draft"
    talk.proposal.save()
    place(talk_item(conference, title="Placed after publishing"), rooms[1], local(conference, 0, 9))
    page = text(client.get("/schedule/"))
    assert "Published talk" in page
    assert "Placed after publishing" not in page
    assert "Renamed in the draft" not in page


def test_program_grid_has_rooms_as_columns_and_list_by_time(client, conference, rooms):
    place(talk_item(conference, title="Talk in the hall"), rooms[0], local(conference, 0, 9))
    place(plain_item(conference, "Lunch"), rooms[1], local(conference, 0, 12), 60)
    publish(conference)
    page = text(client.get("/schedule/"))
    assert '<th scope="col">Main hall</th>' in page
    assert '<th scope="col">Room B</th>' in page
    assert 'class="program-list"' in page
    assert "Times are in Dublin time, UTC" in page
    assert reverse("schedule:export_xml") in page
    assert reverse("schedule:changelog") in page


def test_program_long_slot_spans_rows(client, conference, rooms):
    place(plain_item(conference, "Long block"), rooms[0], local(conference, 0, 9), 120)
    place(talk_item(conference), rooms[1], local(conference, 0, 9))
    place(talk_item(conference), rooms[1], local(conference, 0, 10))
    publish(conference)
    page = text(client.get("/schedule/"))
    # cut at 9:00, 9:45, 10:00, 10:45 and 11:00: the two-hour block spans four rows
    assert 'rowspan="4"' in page


def test_program_day_tabs_choose_the_day(client, conference, rooms):
    place(talk_item(conference, title="Monday talk"), rooms[0], local(conference, 0, 9))
    place(talk_item(conference, title="Tuesday talk"), rooms[0], local(conference, 1, 9))
    publish(conference)
    first = text(client.get("/schedule/"))
    assert "Monday talk" in first and "Tuesday talk" not in first
    second_day = (conference.starts_on + dt.timedelta(days=1)).isoformat()
    assert f"?day={second_day}" in first
    second = text(client.get(f"/schedule/?day={second_day}"))
    assert "Tuesday talk" in second and "Monday talk" not in second


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("day=2001-01-01", "There is no program on the day “2001-01-01”"),
        ("day=not-a-date", "There is no program on the day “not-a-date”"),
        ("day=" + "9" * 120, "There is no program on the day"),
        ("track=nope", "There is no track “nope”"),
        ("kind=<script>", "There is no kind of item “&lt;script&gt;”"),
        ("kind=%E2%80%AEevil", "There is no kind of item"),
        ("track=a&track=b", "There is no track “"),
    ],
)
def test_program_bad_filter_is_ignored_with_message(client, conference, rooms, query, message):
    place(talk_item(conference, title="Still shown"), rooms[0], local(conference, 0, 9))
    publish(conference)
    response = client.get(f"/schedule/?{query}")
    assert response.status_code == 200
    assert message in text(response)
    assert "Still shown" in text(response)


def test_program_control_characters_in_filter_refused_not_crashing(client, conference, rooms):
    place(talk_item(conference), rooms[0], local(conference, 0, 9))
    publish(conference)
    response = client.get("/schedule/?kind=%00&day=%ff")
    assert response.status_code in (200, 400)


def test_program_filters_by_track_and_kind(client, conference, rooms):
    talk = place(talk_item(conference, title="Kernel talk"), rooms[0], local(conference, 0, 9))
    place(talk_item(conference, title="Other track talk"), rooms[1], local(conference, 0, 9))
    place(plain_item(conference, "Coffee"), rooms[0], local(conference, 0, 10))
    publish(conference)
    slug = talk.proposal.track.slug
    by_track = text(client.get(f"/schedule/?track={slug}"))
    assert "Kernel talk" in by_track and "Other track talk" not in by_track
    assert "Coffee" not in by_track
    by_kind = text(client.get("/schedule/?kind=break"))
    assert "Coffee" in by_kind and "Kernel talk" not in by_kind


def test_program_marks_now_while_the_event_runs(client, rooms, conference):
    conference.starts_on = timezone.localdate(timezone.now(), conference.tzinfo)
    conference.ends_on = conference.starts_on + dt.timedelta(days=2)
    conference.save()
    now = timezone.now()
    running = talk_item(conference, title="Running now")
    running.room, running.starts_at, running.ends_at = (
        rooms[0],
        now - dt.timedelta(minutes=10),
        now + dt.timedelta(minutes=20),
    )
    running.save()
    publish(conference)
    page = text(client.get("/schedule/"))
    assert "The conference is on now." in page
    assert '<strong class="now-marker">Now</strong>' in page


def test_program_queries_do_not_grow_with_slots(client, conference, rooms, settings):
    settings.PLUMBERS_PAGE_CACHE = False
    place(
        talk_item(conference, speakers=[UserFactory(), UserFactory()]),
        rooms[0],
        local(conference, 0, 9),
    )
    place(mc_item(conference, leads=[UserFactory()]), rooms[1], local(conference, 0, 9), 240)
    publish(conference)
    client.get("/schedule/")  # warm the cached current edition
    few, _ = get_counting_queries(client, "/schedule/")
    Item.objects.all().update(room=None, starts_at=None, ends_at=None)
    big_program(conference)
    client.get("/schedule/")
    many, response = get_counting_queries(client, "/schedule/")
    assert "Talk 1" in text(response)
    assert few == many
    assert many <= 6


def test_program_queries_fixed_for_logged_in(client, conference, rooms, settings, user):
    settings.PLUMBERS_PAGE_CACHE = False
    client.force_login(user)
    place(talk_item(conference), rooms[0], local(conference, 0, 9))
    place(mc_item(conference, leads=[UserFactory()]), rooms[1], local(conference, 0, 9), 240)
    publish(conference)
    client.get("/schedule/")
    few, _ = get_counting_queries(client, "/schedule/")
    Item.objects.all().update(room=None, starts_at=None, ends_at=None)
    big_program(conference, slots=120)
    client.get("/schedule/")
    many, _ = get_counting_queries(client, "/schedule/")
    assert few == many


def test_item_page_shows_abstract_speakers_room_and_calendar_link(client, conference, rooms):
    alice = UserFactory(display_name="Alice Speaker")
    bob = UserFactory(display_name="Bob Cospeaker")
    talk = place(
        talk_item(conference, title="io_uring all the things", speakers=[alice, bob]),
        rooms[0],
        local(conference, 0, 9),
    )
    talk.proposal.abstract = "Zero **copy**. <script>alert(1)</script>"
    talk.proposal.save()
    publish(conference)
    page = text(client.get(f"/schedule/{talk.guid}/"))
    assert "io_uring all the things" in page
    assert "<strong>copy</strong>" in page and "<script>alert" not in page
    assert f'href="/speakers/{alice.pk}/"' in page and "Bob Cospeaker" in page
    assert "Main hall" in page
    assert f"/schedule/{talk.guid}/calendar.ics" in page
    assert "(Dublin time, UTC" in page


def test_item_page_of_mc_lists_topics_and_leads(client, conference, rooms):
    lead = UserFactory(display_name="Lena Lead")
    block = place(
        mc_item(conference, leads=[lead], title="VFIO MC"), rooms[0], local(conference, 0, 9), 210
    )
    mc = block.microconference
    group = TopicGroupFactory(microconference=mc, title="IOMMU", order=1)
    TopicFactory(microconference=mc, group=group, title="Nested translation", order=1)
    TopicFactory(microconference=mc, title="Live migration", order=1)
    publish(conference)
    page = text(client.get(f"/schedule/{block.guid}/"))
    assert "VFIO MC" in page and "Lena Lead" in page
    assert "IOMMU" in page and "Nested translation" in page and "Live migration" in page
    assert page.index("Lead") < page.index("Lena Lead")


@pytest.mark.parametrize("guid", ["00000000-0000-0000-0000-000000000000", "not-a-guid", "1"])
def test_item_page_unknown_guid_404(client, conference, rooms, guid):
    place(talk_item(conference), rooms[0], local(conference, 0, 9))
    publish(conference)
    assert client.get(f"/schedule/{guid}/").status_code == 404


def test_item_page_unpublished_item_404(client, conference, rooms):
    place(talk_item(conference), rooms[0], local(conference, 0, 9))
    publish(conference)
    draft = place(talk_item(conference), rooms[1], local(conference, 0, 9))
    assert client.get(f"/schedule/{draft.guid}/").status_code == 404
    assert client.get(f"/schedule/{draft.guid}/calendar.ics").status_code == 404


def test_item_removed_in_later_release_404(client, conference, rooms):
    talk = place(talk_item(conference), rooms[0], local(conference, 0, 9))
    publish(conference)
    assert client.get(f"/schedule/{talk.guid}/").status_code == 200
    Item.objects.filter(pk=talk.pk).update(room=None, starts_at=None, ends_at=None)
    place(plain_item(conference), rooms[0], local(conference, 0, 12))
    publish(conference)
    cache.clear()
    assert client.get(f"/schedule/{talk.guid}/").status_code == 404


def test_changelog_lists_releases_with_changes(client, conference, rooms):
    moved = place(talk_item(conference, title="Moving talk"), rooms[0], local(conference, 0, 9))
    place(plain_item(conference, "Coffee"), rooms[1], local(conference, 0, 10))
    publish(conference, comment="First cut")
    place(moved, rooms[1], local(conference, 0, 11))
    publish(conference)
    page = text(client.get("/schedule/changelog/"))
    assert "Version 2.0" in page and "Version 1.0" in page and "First cut" in page
    assert page.index("Version 2.0") < page.index("Version 1.0")
    second = page[page.index("Version 2.0") : page.index("Version 1.0")]
    assert "Moved:" in second and "Moving talk" in second and "Room B" in second
    first = page[page.index("Version 1.0") :]
    assert "Added:" in first and "Coffee" in first


def test_changelog_unpublished_says_so(client, conference):
    assert "The program has not been published yet" in text(client.get("/schedule/changelog/"))


def test_new_release_shows_on_cached_program_at_once(
    client, conference, rooms, settings, django_capture_on_commit_callbacks
):
    settings.PLUMBERS_PAGE_CACHE = True
    place(plain_item(conference, "First coffee"), rooms[0], local(conference, 0, 9))
    publish(conference)
    assert "First coffee" in text(client.get("/schedule/"))
    # Only schedule rows change (nothing another app's signal would notice): the release's
    # own signal empties the page cache once the release is committed.
    place(plain_item(conference, "Second coffee"), rooms[1], local(conference, 0, 9))
    with django_capture_on_commit_callbacks(execute=True):
        publish(conference)
    assert "Second coffee" in text(client.get("/schedule/"))


def test_draft_change_keeps_cached_program(client, conference, rooms, settings):
    settings.PLUMBERS_PAGE_CACHE = True
    place(plain_item(conference, "First coffee"), rooms[0], local(conference, 0, 9))
    publish(conference)
    assert "First coffee" in text(client.get("/schedule/"))
    Item.objects.filter(title="First coffee").update(title="Renamed draft")
    assert "Renamed draft" not in text(client.get("/schedule/"))


def test_microconference_page_shows_its_block_once_published(client, conference, rooms):
    block = mc_item(conference, title="Tracing MC")
    mc_url = block.microconference.get_absolute_url()
    assert "On the program" not in text(client.get(mc_url))
    place(block, rooms[0], local(conference, 1, 14), 210)
    assert "On the program" not in text(client.get(mc_url))  # draft only
    publish(conference)
    cache.clear()
    page = text(client.get(mc_url))
    assert "On the program" in page and "Main hall" in page and "14:00" in page
    assert f"/schedule/{block.guid}/" in page
