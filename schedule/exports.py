"""The program in the formats other software reads: frab/c3voc ``schedule.xml`` and
``schedule.json`` (Giggity, EventFahrplan, the c3voc video tracker, info-beamer...) and
iCalendar (every calendar app).

Builders are pure functions of a release's slots: ``build_xml``, ``build_json``,
``build_ics``. ``export_body`` serves them from the cache, keyed by the release (a new
release is a new key, so nothing needs invalidating) and by the site's base address.

What the standards demand (``../shared/standards``): every event has a UUID ``guid`` that
stays across releases (the item's), an integer ``id`` (the item's), a slug
``<acronym>-<id>-<title>``, its room, type, track, start, duration and persons; the
conference names its IANA time zone; rooms have a UUID (derived from the room's address).
"""

import datetime as dt
import json
from dataclasses import dataclass
from xml.etree import ElementTree as ET

import icalendar
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from plumbers.models import Conference
from schedule import public
from schedule.models import PublishedSlot, Release

GENERATOR = "plumbers"
GENERATOR_VERSION = "0.1.0"
# Bump when the output of a builder changes, so cached bodies of the old shape are not served.
FORMAT_REVISION = 1
TIMESLOT_DURATION = "00:05"
CONTENT_TYPES = {
    "xml": "application/xml; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "ics": "text/calendar; charset=utf-8",
}
EXPORT_CACHE_SECONDS = 7 * 24 * 3600


@dataclass
class ExportContext:
    conference: Conference
    release: Release
    slots: list[PublishedSlot]
    base_url: str  # "https://host" without a trailing slash
    sequences: dict

    @property
    def tz(self):
        return self.conference.tzinfo

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    def item_url(self, slot: PublishedSlot) -> str:
        return self.url(slot.url)  # set by schedule.public

    def speaker_url(self, person) -> str:
        return self.url(person.public_url)

    @property
    def acronym(self) -> str:
        """``[a-z0-9_]{4,}``: what both schemas accept as an acronym and as a slug's head."""
        value = slugify(self.conference.slug).replace("-", "_")
        return value if len(value) >= 4 else f"conf_{value}"

    def local(self, moment: dt.datetime) -> dt.datetime:
        return timezone.localtime(moment, self.tz)

    def slug(self, slot: PublishedSlot) -> str:
        title = slugify(slot.title)[:50].strip("-_") or "item"
        return f"{self.acronym}-{slot.item_id}-{title}"

    def days(self) -> list[tuple[int, dt.date, dt.datetime, dt.datetime, list]]:
        """``(index, date, start, end, slots)`` for every day of the edition: the day runs
        from its first slot's start to its last slot's end (midnight to midnight when it
        has none)."""
        by_day: dict[dt.date, list] = {}
        for slot in self.slots:
            by_day.setdefault(self.local(slot.starts_at).date(), []).append(slot)
        out = []
        for index, date in enumerate(public.conference_days(self.conference, self.slots), 1):
            mine = by_day.get(date, [])
            if mine:
                start = self.local(min(s.starts_at for s in mine))
                end = self.local(max(s.ends_at for s in mine))
            else:
                start = dt.datetime.combine(date, dt.time(0), self.tz)
                end = start + dt.timedelta(days=1)
            out.append((index, date, start, end, mine))
        return out

    def rooms(self) -> list:
        return public.rooms_of(self.slots)


def duration(slot: PublishedSlot) -> str:
    minutes = int((slot.ends_at - slot.starts_at).total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


# ------------------------------------------------------------------------------------ XML


def build_xml(ctx: ExportContext) -> bytes:
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name=GENERATOR, version=GENERATOR_VERSION)
    ET.SubElement(root, "url").text = ctx.url(reverse("schedule:export_xml"))
    ET.SubElement(root, "version").text = ctx.release.version
    conf = ET.SubElement(root, "conference")
    days = ctx.days()
    for tag, text in (
        ("title", ctx.conference.name),
        ("acronym", ctx.acronym),
        ("start", ctx.conference.starts_on.isoformat()),
        ("end", ctx.conference.ends_on.isoformat()),
        ("days", str(len(days))),
        ("timeslot_duration", TIMESLOT_DURATION),
        ("base_url", f"{ctx.base_url}/"),
        ("url", ctx.url(reverse("schedule:program"))),
        ("time_zone_name", ctx.conference.timezone),
    ):
        ET.SubElement(conf, tag).text = text
    tracks = {}
    for slot in ctx.slots:
        if slot.track_slug:
            tracks.setdefault(slot.track_slug, slot.track_name)
    for slug, name in tracks.items():
        ET.SubElement(conf, "track", name=name, slug=slug).text = name
    rooms = ctx.rooms()
    for index, date, start, end, mine in days:
        day = ET.SubElement(
            root, "day", index=str(index), date=date.isoformat(), start=_iso(start), end=_iso(end)
        )
        for room in rooms:
            in_room = [s for s in mine if s.room_id == room.pk]
            if not in_room:
                continue
            room_el = ET.SubElement(day, "room", name=room.name, guid=public.room_guid(room, ""))
            for slot in in_room:
                _xml_event(ctx, room_el, slot)
    ET.indent(root)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8")


def _xml_event(ctx: ExportContext, parent, slot: PublishedSlot) -> None:
    event = ET.SubElement(parent, "event", guid=str(slot.guid), id=str(slot.item_id))
    start = ctx.local(slot.starts_at)
    for tag, text in (
        ("room", slot.room.name),
        ("title", slot.title),
        ("subtitle", ""),
        ("type", slot.kind),
        ("date", _iso(start)),
        ("start", start.strftime("%H:%M")),
        ("duration", duration(slot)),
        ("abstract", public.abstract_text(slot.item)),
        ("slug", ctx.slug(slot)),
        ("track", slot.track_name),
        ("language", "en"),
    ):
        ET.SubElement(event, tag).text = text
    persons = ET.SubElement(event, "persons")
    for person in slot.people:
        ET.SubElement(
            persons,
            "person",
            id=str(person.pk),
            guid=public.person_guid(person, ctx.base_url),
        ).text = str(person)
    ET.SubElement(event, "links")
    ET.SubElement(event, "url").text = ctx.item_url(slot)


# ----------------------------------------------------------------------------------- JSON


def build_json(ctx: ExportContext) -> bytes:
    rooms = ctx.rooms()
    tracks = {}
    for slot in ctx.slots:
        if slot.track_slug:
            tracks.setdefault(slot.track_slug, slot.track_name)
    days = []
    for index, date, start, end, mine in ctx.days():
        by_room: dict[str, list] = {}
        for room in rooms:
            in_room = [_json_event(ctx, s) for s in mine if s.room_id == room.pk]
            if in_room:
                by_room[room.name] = in_room
        days.append(
            {
                "index": index,
                "date": date.isoformat(),
                "day_start": _iso(start),
                "day_end": _iso(end),
                "rooms": by_room,
            }
        )
    document = {
        "$schema": "https://c3voc.de/schedule/schema.json",
        "generator": {"name": GENERATOR, "version": GENERATOR_VERSION},
        "schedule": {
            "version": ctx.release.version,
            "base_url": f"{ctx.base_url}/",
            "conference": {
                "acronym": ctx.acronym,
                "title": ctx.conference.name,
                "start": ctx.conference.starts_on.isoformat(),
                "end": ctx.conference.ends_on.isoformat(),
                "daysCount": len(days),
                "timeslot_duration": TIMESLOT_DURATION,
                "time_zone_name": ctx.conference.timezone,
                "url": ctx.url(reverse("schedule:program")),
                "tracks": [{"name": name, "slug": slug} for slug, name in tracks.items()],
                "rooms": [
                    {
                        "name": room.name,
                        "guid": public.room_guid(room, ""),
                        "capacity": room.capacity,
                        **({"url": room.stream_url} if room.stream_url else {}),
                    }
                    for room in rooms
                ],
                "days": days,
            },
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")


def _json_event(ctx: ExportContext, slot: PublishedSlot) -> dict:
    start = ctx.local(slot.starts_at)
    return {
        "guid": str(slot.guid),
        "id": slot.item_id,
        "date": _iso(start),
        "start": start.strftime("%H:%M"),
        "end": _iso(ctx.local(slot.ends_at)),
        "duration": duration(slot),
        "room": slot.room.name,
        "slug": ctx.slug(slot),
        "url": ctx.item_url(slot),
        "title": slot.title,
        "subtitle": None,
        "track": slot.track_name or None,
        "type": slot.kind,
        "language": "en",
        "abstract": public.abstract_text(slot.item),
        "description": None,
        "persons": [
            {
                "name": str(person),
                "guid": public.person_guid(person, ctx.base_url),
                "url": ctx.speaker_url(person),
            }
            for person in slot.people
        ],
        "links": [],
        "attachments": [],
    }


# ------------------------------------------------------------------------------ iCalendar


def calendar(ctx: ExportContext, *, name: str) -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//Plumbers//{ctx.conference.name} program//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", ctx.conference.timezone)
    return cal


def ics_event(ctx: ExportContext, slot: PublishedSlot) -> icalendar.Event:
    """One VEVENT: UID from the item's GUID (stable across releases), SEQUENCE the number of
    releases that changed it, times in the edition's zone (its VTIMEZONE is added)."""
    event = icalendar.Event()
    event.add("uid", f"{slot.guid}@plumbers")
    event.add("sequence", ctx.sequences.get(slot.guid, 0))
    event.add("dtstamp", ctx.release.published_at.astimezone(dt.UTC))
    event.add("dtstart", ctx.local(slot.starts_at))
    event.add("dtend", ctx.local(slot.ends_at))
    event.add("summary", slot.title)
    event.add("location", slot.room.name)
    event.add("url", ctx.item_url(slot))
    categories = [slot.kind_label]
    if slot.track_name:
        categories.append(slot.track_name)
    event.add("categories", categories)
    lines = []
    if slot.people:
        role = "Leads" if slot.people_role == "Lead" else "Speakers"
        lines.append(f"{role}: " + ", ".join(str(p) for p in slot.people))
    if slot.track_name:
        lines.append(f"Track: {slot.track_name}")
    lines.append(ctx.item_url(slot))
    event.add("description", "\n".join(lines))
    return event


def build_ics(ctx: ExportContext, *, slots=None, name: str | None = None) -> bytes:
    cal = calendar(ctx, name=name or f"{ctx.conference.name} program")
    chosen = ctx.slots if slots is None else slots
    for slot in chosen:
        cal.add_component(ics_event(ctx, slot))
    _add_timezone(ctx, cal, chosen)
    return cal.to_ical()


def _add_timezone(ctx: ExportContext, cal: icalendar.Calendar, slots) -> None:
    moments = [s.starts_at for s in slots] or [
        dt.datetime.combine(ctx.conference.starts_on, dt.time(0), dt.UTC)
    ]
    first = min(moments).date() - dt.timedelta(days=366)
    last = max(moments).date() + dt.timedelta(days=366)
    if not slots:
        cal.add_component(
            icalendar.Timezone.from_tzid(ctx.conference.timezone, first_date=first, last_date=last)
        )
        return
    cal.add_missing_timezones(first_date=first, last_date=last)


# --------------------------------------------------------------------------------- serving

BUILDERS = {"xml": build_xml, "json": build_json, "ics": build_ics}


def export_context(conference: Conference, release: Release, base_url: str) -> ExportContext:
    return ExportContext(
        conference=conference,
        release=release,
        slots=public.published_slots(release),
        base_url=base_url.rstrip("/"),
        sequences=public.item_sequences(conference, release),
    )


def cache_key(release: Release, fmt: str, base_url: str) -> str:
    return f"schedule-export:{FORMAT_REVISION}:{release.pk}:{fmt}:{base_url.rstrip('/')}"


def export_body(conference: Conference, release: Release, fmt: str, base_url: str) -> bytes:
    """The export ``fmt`` of ``release``, from the cache when another request built it."""
    key = cache_key(release, fmt, base_url)
    body = cache.get(key)
    if body is None:
        body = BUILDERS[fmt](export_context(conference, release, base_url))
        cache.set(key, body, EXPORT_CACHE_SECONDS)
    return body
