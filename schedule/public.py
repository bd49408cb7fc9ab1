"""Reads of the published program for the attendees' side: the program page, item pages,
speakers, stars and the exports.

Everything here reads the latest release only (``schedule.selectors.latest_release``): the
draft timetable never reaches a public page. A page costs a fixed number of queries however
many slots there are: the slots with their room, item, talk, track, submitter and
microconference in one query, the co-speakers and the leads in one prefetch query each.
"""

import datetime as dt
import functools
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from plumbers.models import Conference, User
from schedule.models import Item, PublishedSlot, Release, Star

# --------------------------------------------------------------------------- the slots


def _people_prefetches(prefix: str = "item__") -> list[Prefetch]:
    people = User.objects.order_by("display_name", "pk")
    return [
        Prefetch(f"{prefix}proposal__co_speakers", queryset=people),
        Prefetch(f"{prefix}microconference__leads", queryset=people),
    ]


def _slots_queryset(release: Release):
    return (
        release.slots.select_related(
            "room",
            "item__proposal__track",
            "item__proposal__submitter",
            "item__microconference",
        )
        .prefetch_related(*_people_prefetches())
        .order_by("starts_at", "room__order", "room__name", "id")
    )


def clean_slug(text: str, *, fallback: str = "item") -> str:
    """A slug every schedule reader accepts: lowercase ASCII letters, digits and hyphens,
    starting with a letter and ending with a letter or digit."""
    value = slugify(text).replace("_", "-").strip("-")[:60].strip("-")
    if not value or not value[0].isalpha():
        value = f"{fallback}-{value}".strip("-")
    return value


_PROBE = uuid.UUID(int=0)


@functools.cache
def _url_formats() -> dict[str, str]:
    """The addresses of an item and a speaker as format strings, reversed once: a program
    page links hundreds of slots and people, and reverse() is the costliest part of that."""
    return {
        "item": reverse("schedule:item", kwargs={"key": _PROBE}).replace(str(_PROBE), "{}"),
        "star": reverse("schedule:star", kwargs={"key": _PROBE}).replace(str(_PROBE), "{}"),
        "speaker": reverse("speakers:detail", kwargs={"pk": 987654321}).replace("987654321", "{}"),
    }


def _annotate(slot: PublishedSlot) -> PublishedSlot:
    """Add what pages and exports show: ``people`` (each with its ``public_url``),
    ``track_name``/``track_slug`` (the CFP track of a talk, the microconference of a block,
    none for plain items), ``url`` and ``star_url``."""
    item = slot.item
    urls = _url_formats()
    slot.url = urls["item"].format(slot.guid)
    slot.star_url = urls["star"].format(slot.guid)
    slot.people = item.people
    for person in slot.people:
        person.public_url = urls["speaker"].format(person.pk)
    slot.people_role = "Lead" if item.microconference_id else "Speaker"
    proposal, mc = item.proposal if item.proposal_id else None, item.microconference
    slot.track_slug, slot.track_name = track_of(
        proposal.track.slug if proposal else None,
        proposal.track.name if proposal else None,
        mc.slug if mc else None,
        mc.title if mc else None,
    )
    slot.kind_label = Item.Kind(slot.kind).label if slot.kind in Item.Kind.values else slot.kind
    return slot


def track_of(track_slug, track_name, mc_slug, mc_title) -> tuple[str, str]:
    """``(slug, name)`` of what the program calls an item's track: the CFP track of a talk,
    the microconference of a block; ``("", "")`` for plain items."""
    if track_slug is not None:
        return clean_slug(track_slug, fallback="track"), track_name
    if mc_slug is not None:
        return clean_slug(f"mc-{mc_slug}"), f"{mc_title} microconference"
    return "", ""


@dataclass(frozen=True)
class SlotOutline:
    """What the program page's tabs and filters need of every slot (no people, no text)."""

    starts_at: dt.datetime
    kind: str
    track_slug: str
    track_name: str


def slot_outlines(release: Release | None) -> list[SlotOutline]:
    """Every slot of ``release`` in outline. One query, no model instances."""
    if release is None:
        return []
    rows = release.slots.values_list(
        "starts_at",
        "kind",
        "item__proposal__track__slug",
        "item__proposal__track__name",
        "item__microconference__slug",
        "item__microconference__title",
    )
    return [
        SlotOutline(starts_at, kind, *track_of(t_slug, t_name, mc_slug, mc_title))
        for starts_at, kind, t_slug, t_name, mc_slug, mc_title in rows
    ]


def published_slots(
    release: Release | None, *, day: dt.date | None = None, tz=None
) -> list[PublishedSlot]:
    """Every slot of ``release`` (starting on ``day`` in zone ``tz`` when given) in time
    order, annotated (see ``_annotate``). Three queries."""
    if release is None:
        return []
    slots = _slots_queryset(release)
    if day is not None:
        start = dt.datetime.combine(day, dt.time(0), tz)
        slots = slots.filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=1))
    return [_annotate(slot) for slot in slots]


def published_slot(release: Release | None, guid) -> PublishedSlot | None:
    """The slot of the item ``guid`` in ``release``; None when that release does not have
    it (unknown, draft only, or removed)."""
    if release is None:
        return None
    try:
        guid = uuid.UUID(str(guid))
    except ValueError:
        return None
    slot = _slots_queryset(release).filter(guid=guid).first()
    return _annotate(slot) if slot else None


def abstract_html(item: Item) -> str:
    """The item's sanitized description: the talk's abstract, the microconference's
    description; plain items' text is escaped by the template (``None`` here)."""
    if item.proposal_id:
        return item.proposal.abstract_html
    if item.microconference_id:
        return item.microconference.description_html
    return ""


def abstract_text(item: Item) -> str:
    """The Markdown source (exports carry text, not HTML)."""
    if item.proposal_id:
        return item.proposal.abstract
    if item.microconference_id:
        return item.microconference.description or item.microconference.summary
    return item.description


# ------------------------------------------------------------------------------- filters


@dataclass
class Filters:
    """The program page's filters, validated against what the release contains. A value
    that names nothing is dropped and said so in ``ignored``."""

    day: dt.date | None = None
    track: str = ""
    kind: str = ""
    ignored: list[str] = field(default_factory=list)

    def query(self, **override) -> str:
        from urllib.parse import urlencode

        values = {
            "day": self.day.isoformat() if self.day else "",
            "track": self.track,
            "kind": self.kind,
        }
        values.update(override)
        return urlencode({key: value for key, value in values.items() if value})


class ProgramFilter:
    """Parses ``day``, ``track`` and ``kind`` from a query dict against a release's slots
    (``PublishedSlot`` or ``SlotOutline``)."""

    def __init__(self, slots: list, tz):
        self.tz = tz
        self.days = sorted({timezone.localtime(s.starts_at, tz).date() for s in slots})
        tracks: dict[str, str] = {}
        for slot in slots:
            if slot.track_slug:
                tracks.setdefault(slot.track_slug, slot.track_name)
        self.tracks = sorted(tracks.items(), key=lambda pair: pair[1].lower())
        present = {slot.kind for slot in slots}
        self.kinds = [(value, label) for value, label in Item.Kind.choices if value in present]

    def parse(self, params, *, today: dt.date | None = None) -> Filters:
        filters = Filters()
        raw_day = (params.get("day") or "").strip()
        if raw_day:
            try:
                day = dt.date.fromisoformat(raw_day[:10]) if len(raw_day) == 10 else None
            except ValueError:
                day = None
            if day in self.days:
                filters.day = day
            else:
                filters.ignored.append(f"There is no program on the day “{raw_day[:40]}”.")
        if filters.day is None and self.days:
            filters.day = today if today in self.days else self.days[0]
        raw_track = (params.get("track") or "").strip()
        if raw_track:
            if raw_track in dict(self.tracks):
                filters.track = raw_track
            else:
                filters.ignored.append(f"There is no track “{raw_track[:40]}”.")
        raw_kind = (params.get("kind") or "").strip()
        if raw_kind:
            if raw_kind in dict(self.kinds):
                filters.kind = raw_kind
            else:
                filters.ignored.append(f"There is no kind of item “{raw_kind[:40]}”.")
        return filters

    def apply(self, slots: list[PublishedSlot], filters: Filters) -> list[PublishedSlot]:
        return [
            slot
            for slot in slots
            if (not filters.track or slot.track_slug == filters.track)
            and (not filters.kind or slot.kind == filters.kind)
        ]


# ------------------------------------------------------------------------------ the grid


@dataclass
class Cell:
    slot: PublishedSlot | None = None
    rowspan: int = 1


@dataclass
class Row:
    starts_at: dt.datetime
    ends_at: dt.datetime
    cells: list[Cell | None]  # None: covered by a cell of an earlier row (rowspan)
    is_now: bool = False


@dataclass
class Day:
    date: dt.date
    rooms: list
    slots: list[PublishedSlot]
    rows: list[Row]
    groups: list[tuple[dt.datetime, list[PublishedSlot]]] = field(default_factory=list)
    is_today: bool = False


def build_day(date: dt.date, slots: list[PublishedSlot], rooms: list, tz, now: dt.datetime) -> Day:
    """The grid of one day: rows cut at every start and end of the day's slots, rooms as
    columns, each slot one cell spanning its rows (``rowspan``), so the grid needs no inline
    style. Slots of one room never overlap in a release (the editor refuses it)."""
    mine = [s for s in slots if timezone.localtime(s.starts_at, tz).date() == date]
    cuts = sorted({s.starts_at for s in mine} | {s.ends_at for s in mine})
    index = {moment: n for n, moment in enumerate(cuts)}
    column = {room.pk: n for n, room in enumerate(rooms)}
    rows = [
        Row(cuts[n], cuts[n + 1], [Cell() for _ in rooms], cuts[n] <= now < cuts[n + 1])
        for n in range(len(cuts) - 1)
    ]
    for slot in mine:
        first, last = index[slot.starts_at], index[slot.ends_at]
        col = column[slot.room_id]
        if rows[first].cells[col] is None or rows[first].cells[col].slot is not None:
            continue  # an overlap a release should not hold: show the first only
        rows[first].cells[col] = Cell(slot, last - first)
        for n in range(first + 1, last):
            rows[n].cells[col] = None
    # Rows where nothing starts and every room is covered or empty are kept: they carry
    # the time labels of the grid.
    groups: dict[dt.datetime, list[PublishedSlot]] = {}
    for slot in mine:
        slot.is_now = slot.starts_at <= now < slot.ends_at
        groups.setdefault(slot.starts_at, []).append(slot)
    return Day(
        date=date,
        rooms=rooms,
        slots=mine,
        rows=rows,
        groups=list(groups.items()),
        is_today=timezone.localtime(now, tz).date() == date,
    )


def rooms_of(slots: list[PublishedSlot]) -> list:
    """The rooms that hold published slots, in the rooms' order."""
    seen = {}
    for slot in slots:
        seen.setdefault(slot.room_id, slot.room)
    return sorted(seen.values(), key=lambda room: (room.order, room.name, room.pk))


# ------------------------------------------------------------------------------ speakers


def speakers(release: Release | None) -> list[User]:
    """The speakers and microconference leads of the items in ``release``, by name. One
    query."""
    if release is None:
        return []
    ids = _speaker_ids(release)
    return list(User.objects.filter(pk__in=ids).order_by("display_name", "pk"))


def _speaker_ids(release: Release) -> set[int]:
    ids: set[int] = set()
    rows = PublishedSlot.objects.filter(release=release).values_list(
        "item__proposal__submitter_id",
        "item__proposal__co_speakers__id",
        "item__microconference__leads__id",
    )
    for row in rows:
        ids.update(pk for pk in row if pk is not None)
    return ids


def speaker(release: Release | None, pk: int) -> User | None:
    """A speaker of ``release`` (None for anybody else: they have no public page)."""
    if release is None:
        return None
    if pk not in _speaker_ids(release):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def slots_of_person(slots: list[PublishedSlot], person: User) -> list[PublishedSlot]:
    return [slot for slot in slots if any(p.pk == person.pk for p in slot.people)]


def person_guid(person: User, base_url: str) -> str:
    """A stable UUID for a person in exports, from their public page's address (never from
    their email address, which the site does not publish)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base_url.rstrip('/')}/speakers/{person.pk}/"))


def room_guid(room, base_url: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{base_url.rstrip('/')}/rooms/{room.pk}"))


# --------------------------------------------------------------------------------- stars


def starred_item_ids(user) -> set[int]:
    """The ids of the items ``user`` starred (empty for anonymous visitors). One query."""
    if not getattr(user, "is_authenticated", False):
        return set()
    return set(Star.objects.filter(user=user).values_list("item_id", flat=True))


@dataclass
class MyEntry:
    star: Star
    slot: PublishedSlot | None  # None: no longer on the published program
    clashes: list[PublishedSlot] = field(default_factory=list)


def my_program(user, release: Release | None) -> list[MyEntry]:
    """The user's starred items with their published slot, in time order (items no longer
    published last), each with the other starred slots it overlaps."""
    stars = list(
        Star.objects.filter(user=user)
        .select_related("item__proposal", "item__microconference")
        .order_by("created_at", "pk")
    )
    by_item: dict[int, PublishedSlot] = {}
    if release is not None and stars:
        for slot in _slots_queryset(release).filter(item_id__in=[s.item_id for s in stars]):
            by_item[slot.item_id] = _annotate(slot)
    entries = [MyEntry(star, by_item.get(star.item_id)) for star in stars]
    placed = sorted((e for e in entries if e.slot), key=lambda e: (e.slot.starts_at, e.slot.pk))
    for n, entry in enumerate(placed):
        for other in placed[n + 1 :]:
            if other.slot.starts_at >= entry.slot.ends_at:
                break
            entry.clashes.append(other.slot)
            other.clashes.append(entry.slot)
    gone = [e for e in entries if e.slot is None]
    return placed + gone


# ------------------------------------------------------------------------ the exports' data


def item_sequences(conference: Conference, release: Release) -> dict[uuid.UUID, int]:
    """For every item of ``release``: in how many releases (up to this one) its time, room
    or title changed from the release before. The iCalendar SEQUENCE: calendar apps move an
    event whose SEQUENCE went up. One query."""
    rows = (
        PublishedSlot.objects.filter(
            release__conference=conference, release__number__lte=release.number
        )
        .order_by("release__number")
        .values_list("guid", "starts_at", "ends_at", "room_id", "title")
    )
    last: dict[uuid.UUID, tuple] = {}
    changes: dict[uuid.UUID, int] = defaultdict(int)
    for guid, starts_at, ends_at, room_id, title in rows:
        state = (starts_at, ends_at, room_id, title)
        if guid in last and last[guid] != state:
            changes[guid] += 1
        last[guid] = state
    return dict(changes)


def conference_days(conference: Conference, slots: list[PublishedSlot]) -> list[dt.date]:
    """The edition's days, plus any day a slot falls on outside them."""
    tz = conference.tzinfo
    days = {
        conference.starts_on + dt.timedelta(days=n)
        for n in range((conference.ends_on - conference.starts_on).days + 1)
    }
    days |= {timezone.localtime(slot.starts_at, tz).date() for slot in slots}
    return sorted(days)
