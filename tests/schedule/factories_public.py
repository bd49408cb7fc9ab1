"""Published programs for the attendees' side tests: items placed in rooms and a release of
them, written as rows (what ``schedule.services.release_publish`` stores), so these tests
depend only on the published data, not on the editor."""

import datetime as dt

from django.utils import timezone

from schedule.models import Item, PublishedSlot, Release, Room
from tests.cfp.factories import ProposalFactory, TrackFactory
from tests.factories import UserFactory
from tests.microconferences.factories import MicroconferenceFactory
from tests.schedule.factories import RoomFactory, local

__all__ = ["local", "publish", "talk_item", "mc_item", "plain_item", "place", "big_program"]


def place(item: Item, room: Room, starts_at: dt.datetime, minutes: int = 45) -> Item:
    item.room, item.starts_at = room, starts_at
    item.ends_at = starts_at + dt.timedelta(minutes=minutes)
    item.save()
    return item


def talk_item(conference, *, title=None, speakers=(), track=None, **proposal) -> Item:
    """A confirmed talk's item (unplaced)."""
    track = track or TrackFactory(conference=conference)
    speakers = list(speakers) or [UserFactory()]
    kwargs = {"title": title} if title else {}
    prop = ProposalFactory(
        track=track,
        submitter=speakers[0],
        co_speakers=speakers[1:],
        state="confirmed",
        decided_at=timezone.now(),
        **kwargs,
        **proposal,
    )
    return Item.objects.create(conference=conference, kind=Item.Kind.TALK, proposal=prop)


def mc_item(conference, *, leads=(), **mc) -> Item:
    microconference = MicroconferenceFactory(conference=conference, leads=list(leads), **mc)
    return Item.objects.create(
        conference=conference, kind=Item.Kind.MICROCONFERENCE, microconference=microconference
    )


def plain_item(conference, title="Coffee break", kind=Item.Kind.BREAK) -> Item:
    return Item.objects.create(conference=conference, kind=kind, title=title)


def publish(conference, *, comment="", when=None) -> Release:
    """A release of every placed item as it stands (the next number)."""
    last = Release.objects.filter(conference=conference).order_by("-number").first()
    number = (last.number if last else 0) + 1
    release = Release.objects.create(
        conference=conference,
        number=number,
        version=f"{number}.0",
        comment=comment,
        published_at=when or timezone.now(),
    )
    items = Item.objects.filter(conference=conference, room__isnull=False).select_related(
        "proposal", "microconference"
    )
    PublishedSlot.objects.bulk_create(PublishedSlot.of(item, release) for item in items)
    return release


def big_program(conference, *, rooms=12, days=3, slots=400) -> Release:
    """``slots`` items over ``rooms`` rooms and ``days`` days (talks with two speakers,
    microconference blocks with leads, breaks), published as one release."""
    room_list = [
        RoomFactory(conference=conference, name=f"Room {n + 1}", order=n) for n in range(rooms)
    ]
    tracks = [TrackFactory(conference=conference) for _ in range(4)]
    per_room_day = -(-slots // (rooms * days))
    made = 0
    for day in range(days):
        for room in room_list:
            for n in range(per_room_day):
                if made >= slots:
                    break
                start = local(conference, day, 8) + dt.timedelta(minutes=35 * n)
                if made % 20 == 19:
                    item = plain_item(conference, title=f"Break {made}")
                elif made % 25 == 0:
                    item = mc_item(conference, leads=[UserFactory(), UserFactory()])
                else:
                    item = talk_item(
                        conference,
                        title=f"Talk {made}",
                        speakers=[UserFactory(), UserFactory()],
                        track=tracks[made % len(tracks)],
                    )
                place(item, room, start, minutes=30)
                made += 1
    return publish(conference)
