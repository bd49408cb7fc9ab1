"""The database holds the program's invariants on its own (services aside)."""

import pytest
from django.db import IntegrityError, transaction

from schedule.models import Item
from tests.microconferences.factories import MicroconferenceFactory
from tests.schedule.factories import ItemFactory, RoomFactory, confirmed_proposal, local

pytestmark = pytest.mark.django_db


def _refused(**fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Item.objects.create(**fields)


def test_item_plain_without_title_is_refused(conference):
    _refused(conference=conference, kind=Item.Kind.BREAK, title="")


def test_item_with_talk_and_microconference_is_refused(conference):
    _refused(
        conference=conference,
        kind=Item.Kind.TALK,
        proposal=confirmed_proposal(conference),
        microconference=MicroconferenceFactory(conference=conference),
    )


def test_item_partial_placement_is_refused(conference):
    room = RoomFactory(conference=conference)
    _refused(conference=conference, title="Lunch", room=room, starts_at=local(conference, 0, 12))


def test_item_ending_before_start_is_refused(conference):
    room = RoomFactory(conference=conference)
    _refused(
        conference=conference,
        title="Lunch",
        room=room,
        starts_at=local(conference, 0, 12),
        ends_at=local(conference, 0, 11),
    )


def test_item_guid_is_unique_and_kept(conference):
    item = ItemFactory(conference=conference)
    guid = item.guid
    item.title = "Renamed"
    item.save()
    item.refresh_from_db()

    assert item.guid == guid
    assert ItemFactory(conference=conference).guid != guid


def test_item_display_title_follows_its_talk(conference):
    proposal = confirmed_proposal(conference, title="Rust in the kernel")
    item = Item.objects.create(conference=conference, kind=Item.Kind.TALK, proposal=proposal)

    assert item.display_title == "Rust in the kernel"


@pytest.mark.postgres
def test_item_overlap_in_room_is_refused_by_the_database(conference):
    """The exclusion constraint, without the service: the last guard on PostgreSQL."""
    room = RoomFactory(conference=conference)
    ItemFactory(
        conference=conference,
        room=room,
        starts_at=local(conference, 0, 9),
        ends_at=local(conference, 0, 10),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ItemFactory(
            conference=conference,
            room=room,
            starts_at=local(conference, 0, 9, 30),
            ends_at=local(conference, 0, 10, 30),
        )
    # Touching ends are not an overlap, and another room is free.
    ItemFactory(
        conference=conference,
        room=room,
        starts_at=local(conference, 0, 10),
        ends_at=local(conference, 0, 11),
    )
    ItemFactory(
        conference=conference,
        room=RoomFactory(conference=conference),
        starts_at=local(conference, 0, 9),
        ends_at=local(conference, 0, 10),
    )
    assert Item.objects.filter(room__isnull=False).count() == 3
