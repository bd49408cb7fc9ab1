"""LPC 2022's program on the demo's timeline (idempotent: an edition that already has a
release is left as it is).

Choices: four rooms over the three days; the seven microconferences as half-day blocks
(10:00–13:30 or 15:00–18:30) in three rooms, never two blocks of one lead at once; the
edition's accepted or confirmed refereed talks in the main hall, 45 minutes each; a keynote,
lunch breaks, an evening event and a closing session as plain items. Release 1 is
published (talks not yet confirmed by their speakers are published with the explicit
override); then the evening event moves half an hour later in the draft, which is not
published: the admin editor's changelog preview shows it as "moved".
"""

import datetime as dt

from cfp.models import ACCEPTED_STATES, Proposal
from microconferences.models import Microconference
from schedule import selectors, services
from schedule.models import Item, Release, Room

ROOMS = [
    ("Main hall", 400, "https://example.org/stream/main-hall"),
    ("Ballroom A", 180, "https://example.org/stream/ballroom-a"),
    ("Ballroom B", 180, "https://example.org/stream/ballroom-b"),
    ("Meeting room 1", 80, ""),
]
HALF_DAYS = [((10, 0), (13, 30)), ((15, 0), (18, 30))]


def _at(conference, day: int, hour: int, minute: int = 0) -> dt.datetime:
    date = conference.starts_on + dt.timedelta(days=day)
    return dt.datetime.combine(date, dt.time(hour, minute), tzinfo=conference.tzinfo)


def _plain(conference, organizer, kind, title, description=""):
    item = Item.objects.filter(conference=conference, title=title, proposal=None).first()
    return item or services.item_create(
        conference=conference, kind=kind, title=title, description=description, actor=organizer
    )


def load(ctx) -> None:
    conference = ctx.conference
    organizer = ctx.accounts["organizer"]
    if Release.objects.filter(conference=conference).exists():
        ctx.out(f"Program: {conference.slug} already has a release; left as it is.")
        return

    rooms = []
    for order, (name, capacity, stream) in enumerate(ROOMS):
        room = Room.objects.filter(conference=conference, name=name).first()
        rooms.append(
            room
            or services.room_create(
                conference=conference,
                name=name,
                capacity=capacity,
                order=order,
                stream_url=stream,
                actor=organizer,
            )
        )
    main, mc_rooms = rooms[0], rooms[1:]

    def place(item, room, day, start, end):
        services.item_place(
            item=item,
            room=room,
            starts_at=_at(conference, day, *start),
            ends_at=_at(conference, day, *end),
            actor=organizer,
        )

    # Plain items in the main hall.
    place(
        _plain(conference, organizer, Item.Kind.KEYNOTE, "Welcome and keynote"),
        main,
        0,
        (9, 0),
        (10, 0),
    )
    for day in range(3):
        place(
            _plain(conference, organizer, Item.Kind.BREAK, f"Lunch (day {day + 1})"),
            main,
            day,
            (13, 30),
            (15, 0),
        )
    social = _plain(
        conference,
        organizer,
        Item.Kind.SOCIAL,
        "Evening event",
        "Dinner and drinks for every attendee.",
    )
    place(social, main, 1, (19, 0), (22, 0))
    place(
        _plain(conference, organizer, Item.Kind.KEYNOTE, "Closing session"),
        main,
        2,
        (18, 0),
        (18, 30),
    )

    # The microconferences: half-day blocks, no lead in two blocks at once.
    slots = [(day, half, room) for day in range(3) for half in range(2) for room in mc_rooms]
    taken: dict[tuple[int, int], set[int]] = {}
    mcs = (
        Microconference.objects.filter(
            conference=conference, status=Microconference.Status.ACCEPTED
        )
        .prefetch_related("leads")
        .order_by("order", "title")
    )
    used = set()
    for mc in mcs:
        leads = {lead.pk for lead in mc.leads.all()}
        for slot in slots:
            day, half, room = slot
            if slot in used or leads & taken.get((day, half), set()):
                continue
            item = services.item_for_key(conference=conference, key=f"mc-{mc.pk}", actor=organizer)
            place(item, room, day, *HALF_DAYS[half])
            used.add(slot)
            taken.setdefault((day, half), set()).update(leads)
            break

    # The accepted (or confirmed) refereed talks, 45 minutes each in the main hall.
    talks = (
        Proposal.objects.filter(
            track__conference=conference,
            state__in=sorted(ACCEPTED_STATES),
        )
        .exclude(track__kind__in=selectors.NOT_TALK_TRACKS)
        .order_by("title")
    )
    free = [
        (day, h, m)
        for day in range(3)
        for h, m in [(10, 0), (10, 45), (11, 30), (12, 15), (15, 0), (15, 45), (16, 30), (17, 15)]
    ]
    for proposal, (day, hour, minute) in zip(talks, free, strict=False):
        item = services.item_for_key(
            conference=conference, key=f"proposal-{proposal.pk}", actor=organizer
        )
        start = _at(conference, day, hour, minute)
        services.item_place(
            item=item,
            room=main,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=45),
            actor=organizer,
        )

    release = services.release_publish(
        conference=conference,
        actor=organizer,
        comment="The first program: microconferences, keynote and breaks.",
        allow_unconfirmed=True,
    )
    # A later change, not yet published (the editor's changelog preview shows it).
    place(social, main, 1, (19, 30), (22, 30))
    ctx.out(
        f"Program: {len(rooms)} rooms, version {release.version} published with "
        f"{release.slots.count()} items; a draft change (evening event moved) not published."
    )
