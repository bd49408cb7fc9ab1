"""The timetable editor without JavaScript (plain forms) and its JSON endpoint: organizers
only, refusals shown in place with nothing changed, garbage answered with a reason."""

import json

import pytest
from django.urls import reverse

from cfp.models import Proposal
from schedule.models import Item, Release
from tests.schedule.factories import ItemFactory, RoomFactory, confirmed_proposal, local

pytestmark = pytest.mark.django_db


def _url(conference, name="admin:schedule_item_editor"):
    return reverse(name, kwargs={"slug": conference.slug})


def _place_data(conference, key, room, start, end, day=0):
    return {
        "action": "place",
        "key": key,
        "room": room.pk,
        "day": (conference.starts_on.toordinal() + day)
        and conference.starts_on.fromordinal(conference.starts_on.toordinal() + day).isoformat(),
        "start": start,
        "end": end,
    }


def test_editor_shows_rooms_items_and_candidates(organizer_client, conference):
    room = RoomFactory(conference=conference, name="Main hall")
    lunch = ItemFactory(conference=conference, title="Lunch")
    lunch.room, lunch.starts_at, lunch.ends_at = (
        room,
        local(conference, 0, 12),
        local(conference, 0, 13),
    )
    lunch.save()
    confirmed_proposal(conference, title="Waiting talk", state=Proposal.State.ACCEPTED)

    response = organizer_client.get(_url(conference))

    text = response.content.decode()
    assert response.status_code == 200
    assert "Main hall" in text
    assert "12:00–13:00" in text and "Lunch" in text
    assert "Waiting talk" in text and "unconfirmed" in text
    assert "Publish version 1.0" in text


def test_editor_place_form_places_a_talk(organizer_client, conference):
    room = RoomFactory(conference=conference, name="Main hall")
    proposal = confirmed_proposal(conference, title="Rust in the kernel")

    response = organizer_client.post(
        _url(conference), _place_data(conference, f"proposal-{proposal.pk}", room, "10:00", "10:45")
    )

    assert response.status_code == 302
    item = Item.objects.get(proposal=proposal)
    assert (item.room, item.starts_at, item.ends_at) == (
        room,
        local(conference, 0, 10),
        local(conference, 0, 10, 45),
    )
    page = organizer_client.get(response["Location"]).content.decode()
    assert "“Rust in the kernel” is now in Main hall" in page


def test_editor_place_overlap_is_refused_in_place(organizer_client, conference):
    room = RoomFactory(conference=conference, name="Main hall")
    taken = ItemFactory(conference=conference, title="Keynote")
    taken.room, taken.starts_at, taken.ends_at = (
        room,
        local(conference, 0, 9),
        local(conference, 0, 10),
    )
    taken.save()
    lunch = ItemFactory(conference=conference, title="Lunch")

    response = organizer_client.post(
        _url(conference), _place_data(conference, f"item-{lunch.guid}", room, "09:30", "10:30")
    )

    text = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was changed: Main hall is taken then by “Keynote”" in text
    assert 'value="09:30"' in text  # what was typed is kept
    lunch.refresh_from_db()
    assert lunch.room is None


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        ("11:00", "10:00", "The end must be after the start"),
        ("25:00", "10:00", "check the fields"),
        ("", "", "check the fields"),
        ("10:03", "10:30", "steps of 5 minutes"),
    ],
)
def test_editor_place_bad_times_are_refused(organizer_client, conference, start, end, reason):
    room = RoomFactory(conference=conference)
    item = ItemFactory(conference=conference)

    response = organizer_client.post(
        _url(conference), _place_data(conference, f"item-{item.guid}", room, start, end)
    )

    assert response.status_code == 400
    assert reason in response.content.decode()
    item.refresh_from_db()
    assert item.room is None


def test_editor_place_day_outside_edition_is_refused(organizer_client, conference):
    room = RoomFactory(conference=conference)
    item = ItemFactory(conference=conference)
    data = _place_data(conference, f"item-{item.guid}", room, "10:00", "11:00")
    data["day"] = "1999-01-01"

    response = organizer_client.post(_url(conference), data)

    assert response.status_code == 400
    item.refresh_from_db()
    assert item.room is None


def test_editor_unknown_guid_and_action_are_refused(organizer_client, conference):
    room = RoomFactory(conference=conference)

    unknown = organizer_client.post(
        _url(conference),
        _place_data(
            conference, "item-00000000-0000-0000-0000-000000000000", room, "10:00", "11:00"
        ),
    )
    garbage = organizer_client.post(_url(conference), {"action": "explode"})

    assert unknown.status_code == 400
    assert "not on this edition" in unknown.content.decode()
    assert garbage.status_code == 400
    assert not Item.objects.exists()


def test_editor_unschedule_form(organizer_client, conference):
    room = RoomFactory(conference=conference)
    item = ItemFactory(
        conference=conference,
        room=room,
        starts_at=local(conference, 0, 9),
        ends_at=local(conference, 0, 10),
    )

    response = organizer_client.post(
        _url(conference), {"action": "unschedule", "key": f"item-{item.guid}"}
    )

    assert response.status_code == 302
    item.refresh_from_db()
    assert item.room is None


def test_editor_publish_refused_shows_reason_then_publishes_with_override(
    organizer_client, conference
):
    room = RoomFactory(conference=conference)
    proposal = confirmed_proposal(conference, title="Maybe talk", state=Proposal.State.ACCEPTED)
    organizer_client.post(
        _url(conference), _place_data(conference, f"proposal-{proposal.pk}", room, "10:00", "10:45")
    )

    refused = organizer_client.post(_url(conference), {"action": "publish", "comment": "First"})
    published = organizer_client.post(
        _url(conference), {"action": "publish", "comment": "First", "allow_unconfirmed": "on"}
    )

    assert refused.status_code == 400
    assert "“Maybe talk” is not yet confirmed by its speakers" in refused.content.decode()
    assert published.status_code == 302
    assert Release.objects.get().comment == "First"


def test_editor_shows_draft_changes_against_latest_release(organizer_client, conference):
    room, other = RoomFactory.create_batch(2, conference=conference)
    item = ItemFactory(conference=conference, title="Lunch")
    organizer_client.post(
        _url(conference), _place_data(conference, f"item-{item.guid}", room, "12:00", "13:00")
    )
    organizer_client.post(_url(conference), {"action": "publish"})
    organizer_client.post(
        _url(conference), _place_data(conference, f"item-{item.guid}", other, "12:30", "13:30")
    )

    text = organizer_client.get(_url(conference)).content.decode()

    assert "Changes since version 1.0 (1)" in text
    assert "<strong>moved</strong>: “Lunch”" in text


def test_editor_accept_clash_form(organizer_client, conference, user):
    from tests.microconferences.factories import MicroconferenceFactory

    room, other = RoomFactory.create_batch(2, conference=conference)
    proposal = confirmed_proposal(conference, submitter=user)
    mc = MicroconferenceFactory(conference=conference, leads=[user])
    organizer_client.post(
        _url(conference), _place_data(conference, f"mc-{mc.pk}", room, "10:00", "13:00")
    )
    organizer_client.post(
        _url(conference),
        _place_data(conference, f"proposal-{proposal.pk}", other, "11:00", "11:45"),
    )
    talk = Item.objects.get(proposal=proposal)

    empty = organizer_client.post(
        _url(conference), {"action": "accept_clash", "key": f"item-{talk.guid}", "reason": ""}
    )
    accepted = organizer_client.post(
        _url(conference),
        {"action": "accept_clash", "key": f"item-{talk.guid}", "reason": "Co-lead takes over"},
    )

    assert empty.status_code == 400
    assert accepted.status_code == 302
    talk.refresh_from_db()
    assert talk.clash_accepted_reason == "Co-lead takes over"


def _api(client, conference, payload, raw=None):
    return client.post(
        _url(conference, "admin:schedule_item_editor_api"),
        data=raw if raw is not None else json.dumps(payload),
        content_type="application/json",
    )


def test_api_places_and_unschedules(organizer_client, conference):
    room = RoomFactory(conference=conference)
    proposal = confirmed_proposal(conference)

    placed = _api(
        organizer_client,
        conference,
        {
            "action": "place",
            "key": f"proposal-{proposal.pk}",
            "room": room.pk,
            "starts_at": f"{conference.starts_on.isoformat()}T09:00",
            "ends_at": f"{conference.starts_on.isoformat()}T09:45",
        },
    )
    item = Item.objects.get(proposal=proposal)
    removed = _api(
        organizer_client, conference, {"action": "unschedule", "key": f"item-{item.guid}"}
    )

    assert placed.status_code == 200
    assert placed.json()["item"]["starts_at"].startswith(
        f"{conference.starts_on.isoformat()}T09:00"
    )
    assert removed.status_code == 200
    item.refresh_from_db()
    assert item.room is None


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[1, 2]",
        '"text"',
        '{"action": "place"}',
        '{"action": "place", "key": "item-zzz", "room": 1}',
        '{"action": "fly", "key": "x"}',
        '{"action": "place", "key": "KEY", "room": "ROOM", "starts_at": "yesterday", "ends_at": 5}',
        '{"action": "place", "key": "KEY", "room": "ROOM", '
        '"starts_at": "99999-01-01T00:00", "ends_at": "2022-01-01T00:00"}',
        '{"action": "place", "key": "KEY", "room": true, '
        '"starts_at": "2022-01-01T00:00", "ends_at": "2022-01-01T01:00"}',
        '{"action": "place", "key": "KEY", "room": 999999, '
        '"starts_at": "2022-01-01T00:00", "ends_at": "2022-01-01T01:00"}',
        '{"action": "unschedule", "key": "item-00000000-0000-0000-0000-000000000000"}',
        "\udcff",
    ],
)
def test_api_garbage_is_refused_with_reason(organizer_client, conference, raw):
    room = RoomFactory(conference=conference)
    item = ItemFactory(conference=conference)
    raw = raw.replace("KEY", f"item-{item.guid}").replace('"ROOM"', str(room.pk))

    response = _api(organizer_client, conference, None, raw=raw.encode("utf-8", "surrogateescape"))

    assert response.status_code == 400
    assert response.json()["error"]
    item.refresh_from_db()
    assert item.room is None


def test_api_overlap_is_refused_with_reason(organizer_client, conference):
    room = RoomFactory(conference=conference, name="Main hall")
    ItemFactory(
        conference=conference,
        title="Keynote",
        room=room,
        starts_at=local(conference, 0, 9),
        ends_at=local(conference, 0, 10),
    )
    item = ItemFactory(conference=conference)

    response = _api(
        organizer_client,
        conference,
        {
            "action": "place",
            "key": f"item-{item.guid}",
            "room": room.pk,
            "starts_at": local(conference, 0, 9, 30).isoformat(),
            "ends_at": local(conference, 0, 10, 30).isoformat(),
        },
    )

    assert response.status_code == 400
    assert "Main hall is taken then by “Keynote”" in response.json()["error"]


def test_editor_refuses_non_organizers(client, user, conference):
    user.is_staff = True
    user.save()
    client.force_login(user)

    page = client.get(_url(conference))
    api = _api(client, conference, {"action": "unschedule", "key": "x"})

    assert page.status_code == 403
    assert api.status_code == 403


def test_editor_unknown_conference_is_404(organizer_client):
    response = organizer_client.get(reverse("admin:schedule_item_editor", kwargs={"slug": "nope"}))

    assert response.status_code == 404


def _program(conference, size):
    """``size`` placed talks with a co-speaker, ``size`` unscheduled talks and MCs, clashes
    and a published release (so every part of the page has rows)."""
    from schedule import services
    from tests.factories import UserFactory
    from tests.microconferences.factories import MicroconferenceFactory

    rooms = RoomFactory.create_batch(2, conference=conference)
    speaker = UserFactory()
    for n in range(size):
        proposal = confirmed_proposal(conference, submitter=speaker, co_speakers=[UserFactory()])
        item = services.item_for_key(
            conference=conference, key=f"proposal-{proposal.pk}", actor=None
        )
        services.item_place(
            item=item,
            room=rooms[n % 2],
            starts_at=local(conference, 0, 9 + n // 2),
            ends_at=local(conference, 0, 10 + n // 2),
            actor=None,
        )
        confirmed_proposal(conference, state=Proposal.State.ACCEPTED, co_speakers=[UserFactory()])
        MicroconferenceFactory(conference=conference, leads=[UserFactory()])
        ItemFactory(conference=conference)


def test_editor_query_count_same_for_1_and_many_items(organizer_client, conference):
    from tests.conftest import get_counting_queries
    from tests.factories import ConferenceFactory

    other = ConferenceFactory()
    _program(conference, 1)
    _program(other, 10)

    organizer_client.get(_url(conference))  # both runs find the current edition read alike
    one, _ = get_counting_queries(organizer_client, _url(conference))
    many, response = get_counting_queries(organizer_client, _url(other))

    assert response.content.decode().count('class="tt-item ') == 10
    assert one == many


def test_admin_room_and_item_change_forms_are_audited(client, organizer, conference):
    from plumbers.audit import audit_trail
    from tests.test_admin_audit import post_change

    client.force_login(organizer)
    room = RoomFactory(conference=conference, name="Hall")
    item = ItemFactory(conference=conference, title="Lunch")

    post_change(client, f"/admin/schedule/room/{room.pk}/change/", name="Main hall")
    post_change(client, f"/admin/schedule/item/{item.pk}/change/", title="Long lunch")

    assert audit_trail(room).get(action="schedule.room_change").actor == organizer
    assert "Long lunch" in str(audit_trail(item).get(action="schedule.item_change").data)


def test_admin_item_add_without_title_is_a_form_error(organizer_client, conference):
    response = organizer_client.post(
        "/admin/schedule/item/add/", {"conference": conference.pk, "kind": "break", "title": ""}
    )

    assert response.status_code == 200
    assert "needs a title" in response.content.decode()
    assert not Item.objects.exists()
