"""State changes of the program. The editor (views and JSON endpoint), the admin and the demo
all go through here.

Decisions taken here:

* Placing (or moving, or resizing) an item locks its target room's row (PostgreSQL:
  ``SELECT ... FOR UPDATE``; SQLite: the IMMEDIATE transaction already holds the write lock)
  and checks for overlap before writing; the exclusion constraint on PostgreSQL is the last
  guard and its refusal becomes the same readable error.
* Times go in steps of 5 minutes, inside the edition's days in its time zone; an item ends
  on the day it starts (midnight at the latest).
* A talk is placed only while its proposal is accepted or confirmed; a microconference only
  while accepted. Items for talks and microconferences are created when first placed.
* A speaker clash is accepted per item, with a reason (audited); moving an item clears the
  acceptance of the clashes it is part of, since they are no longer the clashes accepted.
* Publishing refuses when nothing changed since the latest release, while clashes are
  unresolved, while a placed talk is not yet confirmed by its speakers (unless
  ``allow_unconfirmed``), or while a placed item can no longer be scheduled (a declined
  talk). It numbers releases 1, 2, ... under a lock on the edition, and mails the speakers
  and leads of every added, moved or removed item after commit.
"""

import datetime as dt
import uuid

from django.db import IntegrityError, transaction
from django.urls import reverse

from cfp.models import Proposal
from microconferences.models import Microconference
from plumbers.audit import audit_changes, audit_delete, audit_record
from plumbers.mail import mail_on_commit, site_url
from plumbers.models import Conference, User
from plumbers.timefmt import format_time
from schedule import selectors
from schedule.models import Item, PublishedSlot, Release, Room

STEP_MINUTES = 5


class ScheduleError(Exception):
    """A change of the program that cannot be made, with a reason a person can read."""


def _actor(actor: User | None) -> User | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def describe_placement(item: Item) -> str:
    if not item.is_placed:
        return "unscheduled"
    tz = item.conference.timezone
    end = format_time(item.ends_at, tz, "H:i").split(" (")[0]
    return f"{item.room.name}, {format_time(item.starts_at, tz)} to {end}"


# --------------------------------------------------------------------------------- rooms


ROOM_FIELDS = ["name", "capacity", "order", "stream_url"]


def room_create(
    *,
    conference: Conference,
    name: str,
    actor: User | None,
    capacity: int | None = None,
    order: int = 0,
    stream_url: str = "",
) -> Room:
    name = (name or "").strip()
    if not name:
        raise ScheduleError("A room needs a name.")
    with transaction.atomic():
        if Room.objects.filter(conference=conference, name=name).exists():
            raise ScheduleError(f"{conference} already has a room named “{name}”.")
        room = Room.objects.create(
            conference=conference,
            name=name,
            capacity=capacity,
            order=order,
            stream_url=stream_url,
        )
        audit_changes(
            obj=room, before=None, fields=ROOM_FIELDS, action="schedule.room_create", actor=actor
        )
    return room


def room_save(*, room: Room, actor: User | None) -> Room:
    """Save a room edited in the admin (new or changed), audited."""
    with transaction.atomic():
        before = Room.objects.filter(pk=room.pk).first() if room.pk else None
        if before is not None and before.conference_id != room.conference_id:
            if before.items.exists() or before.published_slots.exists():
                raise ScheduleError("A room with items cannot move to another edition.")
        room.save()
        audit_changes(
            obj=room,
            before=before,
            fields=["conference_id", *ROOM_FIELDS],
            action="schedule.room_change" if before else "schedule.room_create",
            actor=actor,
        )
    return room


def room_delete(*, room: Room, actor: User | None) -> None:
    with transaction.atomic():
        if room.items.exists() or room.published_slots.exists():
            raise ScheduleError(f"“{room}” holds items or published slots; unschedule them first.")
        audit_delete(obj=room, action="schedule.room_delete", actor=actor)


# --------------------------------------------------------------------------------- items


def _check_proposal(proposal: Proposal, conference: Conference) -> None:
    if proposal.track.conference_id != conference.pk:
        raise ScheduleError(f"“{proposal.title}” belongs to another edition.")
    if not proposal.is_accepted:
        raise ScheduleError(
            f"“{proposal.title}” is {proposal.get_state_display().lower()}: only accepted or "
            "confirmed talks go on the program."
        )
    if proposal.track.kind in selectors.NOT_TALK_TRACKS:
        raise ScheduleError(
            f"“{proposal.title}” is a microconference proposal or topic, not a talk of its own."
        )


def _check_microconference(mc: Microconference, conference: Conference) -> None:
    if mc.conference_id != conference.pk:
        raise ScheduleError(f"“{mc.title}” belongs to another edition.")
    if mc.status != Microconference.Status.ACCEPTED:
        raise ScheduleError(f"“{mc.title}” is not an accepted microconference.")


def item_create(
    *,
    conference: Conference,
    kind: str,
    actor: User | None,
    title: str = "",
    description: str = "",
    proposal: Proposal | None = None,
    microconference: Microconference | None = None,
) -> Item:
    """A new unscheduled item: a talk (``proposal``), a microconference's block
    (``microconference``) or a plain item with a ``title``."""
    title = (title or "").strip()
    if kind not in Item.Kind.values:
        raise ScheduleError("Choose what kind of item this is.")
    if proposal is not None and microconference is not None:
        raise ScheduleError("An item holds a talk or a microconference, not both.")
    if proposal is not None:
        _check_proposal(proposal, conference)
    elif microconference is not None:
        _check_microconference(microconference, conference)
        kind = Item.Kind.MICROCONFERENCE
    elif not title:
        raise ScheduleError("A break, social event or other plain item needs a title.")
    with transaction.atomic():
        source = proposal or microconference
        if (
            source is not None
            and Item.objects.filter(
                **{"proposal" if proposal else "microconference": source}
            ).exists()
        ):
            raise ScheduleError(f"“{source.title}” is already on the program.")
        item = Item.objects.create(
            conference=conference,
            kind=kind,
            title=title,
            description=description,
            proposal=proposal,
            microconference=microconference,
        )
        audit_record(
            obj=item,
            action="schedule.item_create",
            actor=_actor(actor),
            to_state="unscheduled",
            data={"guid": str(item.guid), "kind": kind},
        )
    return item


ITEM_FIELDS = ["kind", "title", "description"]


def item_save(*, item: Item, actor: User | None) -> Item:
    """Save an item's own fields edited in the admin (title, description, kind)."""
    if not item.proposal_id and not item.microconference_id and not item.title.strip():
        raise ScheduleError("A plain item needs a title.")
    with transaction.atomic():
        before = Item.objects.filter(pk=item.pk).first() if item.pk else None
        # Only the item's own fields: its placement changes through item_place alone.
        item.save(update_fields=ITEM_FIELDS if before else None)
        audit_changes(
            obj=item,
            before=before,
            fields=ITEM_FIELDS,
            action="schedule.item_change" if before else "schedule.item_create",
            actor=actor,
        )
    return item


def item_delete(*, item: Item, actor: User | None) -> None:
    with transaction.atomic():
        if item.published_slots.exists():
            raise ScheduleError(
                f"“{item}” is in a published release: unschedule it and publish instead."
            )
        audit_delete(
            obj=item, action="schedule.item_delete", actor=actor, from_state=str(item.guid)
        )


def item_for_key(*, conference: Conference, key: str, actor: User | None) -> Item:
    """The item a line of the editor's unscheduled list stands for: ``item-<guid>``, or
    ``proposal-<id>`` / ``mc-<id>`` (their item is created now, once)."""
    kind, _, ident = (key or "").partition("-")
    try:
        if kind == "item":
            return Item.objects.select_related("conference", "room").get(
                conference=conference, guid=uuid.UUID(ident)
            )
        if kind == "proposal":
            proposal = Proposal.objects.select_related("track").get(
                pk=int(ident), track__conference=conference
            )
            existing = Item.objects.filter(proposal=proposal).first()
            return existing or item_create(
                conference=conference,
                kind=selectors.proposal_item_kind(proposal),
                proposal=proposal,
                actor=actor,
            )
        if kind == "mc":
            mc = Microconference.objects.get(pk=int(ident), conference=conference)
            existing = Item.objects.filter(microconference=mc).first()
            return existing or item_create(
                conference=conference,
                kind=Item.Kind.MICROCONFERENCE,
                microconference=mc,
                actor=actor,
            )
    except (ValueError, OverflowError, Item.DoesNotExist, Proposal.DoesNotExist):
        pass
    except Microconference.DoesNotExist:
        pass
    raise ScheduleError("That item is not on this edition's program (it may have been removed).")


def _check_times(item: Item, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    conference = item.conference
    if starts_at is None or ends_at is None:
        raise ScheduleError("Give a start and an end time.")
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise ScheduleError("Times must say their time zone.")
    if ends_at <= starts_at:
        raise ScheduleError("The end must be after the start.")
    for value in (starts_at, ends_at):
        if value.second or value.microsecond or value.minute % STEP_MINUTES:
            raise ScheduleError(f"Times go in steps of {STEP_MINUTES} minutes.")
    tz = conference.tzinfo
    local_start = starts_at.astimezone(tz)
    day = local_start.date()
    if not conference.starts_on <= day <= conference.ends_on:
        raise ScheduleError(
            f"The conference runs from {conference.starts_on:%-d %B} to "
            f"{conference.ends_on:%-d %B %Y}; this time is outside its days."
        )
    next_midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    if ends_at > next_midnight:
        raise ScheduleError("An item ends on the day it starts (midnight at the latest).")


def _check_source(item: Item) -> None:
    if item.proposal_id:
        _check_proposal(item.proposal, item.conference)
    elif item.microconference_id:
        _check_microconference(item.microconference, item.conference)


def _overlapping(item: Item, room: Room, starts_at, ends_at):
    return (
        Item.objects.filter(room=room, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(pk=item.pk)
        .select_related("proposal", "microconference")
    )


def _clear_clash_acceptances(item: Item) -> None:
    """Moving ``item`` ends the clashes that were accepted for it and its partners."""
    partners = {
        other.pk
        for clash in selectors.clashes(item.conference)
        if clash.involves(item)
        for other in (clash.first, clash.second)
    }
    partners.add(item.pk)
    Item.objects.filter(pk__in=partners).exclude(clash_accepted_reason="").update(
        clash_accepted_reason=""
    )


def item_place(
    *,
    item: Item,
    room: Room,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    actor: User | None,
) -> Item:
    """Put ``item`` in ``room`` from ``starts_at`` to ``ends_at`` (place, move or resize).
    Refused, with nothing changed, when the room is taken then, the times are outside the
    edition's days or not in order, or the talk can no longer be scheduled."""
    if room.conference_id != item.conference_id:
        raise ScheduleError("That room belongs to another edition.")
    _check_times(item, starts_at, ends_at)
    with transaction.atomic():
        # One writer per room at a time: the overlap check and the write below see the same
        # room. (A no-op on SQLite, whose IMMEDIATE transaction already holds the lock.)
        room = Room.objects.select_for_update(of=("self",)).get(pk=room.pk)
        item = (
            Item.objects.select_for_update(of=("self",))
            .select_related("conference", "room", "proposal__track", "microconference")
            .get(pk=item.pk)
        )
        _check_source(item)
        before = describe_placement(item)
        if (item.room_id, item.starts_at, item.ends_at) == (room.pk, starts_at, ends_at):
            return item
        taken = _overlapping(item, room, starts_at, ends_at).first()
        if taken is not None:
            raise ScheduleError(
                f"{room.name} is taken then by “{taken.display_title}” "
                f"({describe_placement(taken).split(', ', 1)[1]})."
            )
        _clear_clash_acceptances(item)  # the clashes of the old place
        item.room, item.starts_at, item.ends_at = room, starts_at, ends_at
        item.clash_accepted_reason = ""
        try:
            with transaction.atomic():
                item.save(update_fields=["room", "starts_at", "ends_at", "clash_accepted_reason"])
        except IntegrityError as error:  # the exclusion constraint (PostgreSQL)
            raise ScheduleError(f"{room.name} is already taken at that time.") from error
        _clear_clash_acceptances(item)  # and of the new one
        audit_record(
            obj=item,
            action="schedule.item_place",
            actor=_actor(actor),
            from_state=before,
            to_state=describe_placement(item),
            data={"guid": str(item.guid)},
        )
    return item


def item_unschedule(*, item: Item, actor: User | None) -> Item:
    with transaction.atomic():
        item = (
            Item.objects.select_for_update(of=("self",))
            .select_related("conference", "room", "proposal", "microconference")
            .get(pk=item.pk)
        )
        if not item.is_placed:
            return item
        before = describe_placement(item)
        _clear_clash_acceptances(item)
        item.room = item.starts_at = item.ends_at = None
        item.clash_accepted_reason = ""
        item.save(update_fields=["room", "starts_at", "ends_at", "clash_accepted_reason"])
        audit_record(
            obj=item,
            action="schedule.item_unschedule",
            actor=_actor(actor),
            from_state=before,
            to_state="unscheduled",
            data={"guid": str(item.guid)},
        )
    return item


def clash_accept(*, item: Item, reason: str, actor: User | None) -> Item:
    """Accept the speaker clashes ``item`` is part of, for ``reason`` (e.g. "the lead hands
    over the session for that talk")."""
    reason = (reason or "").strip()
    if not reason:
        raise ScheduleError("Say why this clash is acceptable.")
    with transaction.atomic():
        item = Item.objects.select_for_update(of=("self",)).get(pk=item.pk)
        if not any(c.involves(item) for c in selectors.clashes(item.conference)):
            raise ScheduleError(f"“{item}” has no speaker clash to accept.")
        previous = item.clash_accepted_reason
        item.clash_accepted_reason = reason
        item.save(update_fields=["clash_accepted_reason"])
        audit_record(
            obj=item,
            action="schedule.clash_accept",
            actor=_actor(actor),
            from_state=previous,
            to_state="clash accepted",
            reason=reason,
        )
    return item


# ------------------------------------------------------------------------------ releases


def _refusals(conference: Conference, items: list[Item], allow_unconfirmed: bool) -> list[str]:
    problems = []
    for clash in selectors.clashes(conference, items):
        if not clash.accepted:
            problems.append(
                f"{clash.person} is in “{clash.first}” and “{clash.second}” at the same time."
            )
    for item in selectors.unschedulable_items(items):
        problems.append(f"“{item}” can no longer be scheduled: unschedule it.")
    if not allow_unconfirmed:
        for item in selectors.unconfirmed_items(items):
            problems.append(f"“{item}” is not yet confirmed by its speakers.")
    return problems


def release_publish(
    *,
    conference: Conference,
    actor: User | None,
    comment: str = "",
    allow_unconfirmed: bool = False,
) -> Release:
    """Publish the draft as the edition's next numbered release."""
    with transaction.atomic():
        # One publisher at a time per edition.
        Conference.objects.select_for_update(of=("self",)).get(pk=conference.pk)
        items = list(selectors.placed_items(conference))
        problems = _refusals(conference, items, allow_unconfirmed)
        if problems:
            raise ScheduleError("Not published: " + " ".join(problems))
        if not items:
            raise ScheduleError("Not published: nothing is placed on the timetable yet.")
        last = selectors.latest_release(conference)
        if last is not None and not selectors.draft_changes(conference):
            raise ScheduleError(f"Not published: nothing changed since version {last.version}.")
        number = (last.number if last else 0) + 1
        release = Release.objects.create(
            conference=conference,
            number=number,
            version=f"{number}.0",
            published_by=_actor(actor),
            comment=(comment or "").strip(),
        )
        PublishedSlot.objects.bulk_create(PublishedSlot.of(item, release) for item in items)
        changes = selectors.changelog(release)
        unconfirmed = selectors.unconfirmed_items(items)
        audit_record(
            obj=release,
            action="schedule.release_publish",
            actor=_actor(actor),
            to_state=f"version {release.version}",
            reason=release.comment,
            data={
                "slots": len(items),
                "changes": {
                    kind: sum(1 for c in changes if c.kind == kind)
                    for kind in ("added", "moved", "retitled", "removed")
                },
                "unconfirmed_published": [str(i.guid) for i in unconfirmed],
            },
        )
        _mail_changed(release, changes)
    return release


def _item_url(item: Item) -> str:
    return site_url(reverse("schedule:item", kwargs={"key": item.guid}))


def _mail_changed(release: Release, changes: list[selectors.Change]) -> None:
    """Mail the speakers and leads of every item the release added, moved or removed."""
    by_item: dict[int, list[selectors.Change]] = {}
    for change in changes:
        if change.kind in ("added", "moved", "removed"):
            by_item.setdefault(change.item.pk, []).append(change)
    if not by_item:
        return
    items = Item.objects.filter(pk__in=by_item).with_people()
    for item in items:
        for change in by_item[item.pk]:
            for person in item.people:
                mail_on_commit(
                    template="schedule/changed",
                    to=person.email,
                    context={
                        "person": person,
                        "item": item,
                        "change": change,
                        "release": release,
                        "conference": release.conference,
                        "url": _item_url(item),
                        "program_url": site_url(reverse("schedule:program")),
                    },
                )
