"""Reads of the draft program and of releases, for the editor, the services and the public
pages (the public pages themselves read through ``schedule.public``).

- ``latest_release`` / ``previous_release``: the releases of an edition.
- ``changelog(release)``: what a release changed against the one before it; ``draft_changes``
  the same for the draft against the latest release (the editor's preview).
- ``clashes``: a speaker or microconference lead in two overlapping placed items (draft).
- ``candidates``: what the editor can place: unscheduled items, plus accepted or confirmed
  talks and accepted microconferences that have no item yet (created when first placed).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch

from cfp.models import ACCEPTED_STATES, Proposal
from microconferences.models import Microconference
from plumbers.fragments import local_value
from plumbers.models import Conference
from schedule.models import Item, PublishedSlot, Release, Room

# Proposals of these tracks are not talks of their own: microconference proposals become the
# microconference, topics are discussed inside its block.
NOT_TALK_TRACKS = ("mc_proposals", "microconference")


def proposal_item_kind(proposal: Proposal) -> str:
    return Item.Kind.BOF if proposal.track.kind == "bof" else Item.Kind.TALK


# ------------------------------------------------------------------------------ releases


def latest_release(conference: Conference) -> Release | None:
    return (
        Release.objects.filter(conference=conference)
        .select_related("published_by")
        .order_by("-number")
        .first()
    )


def published_release(conference: Conference, *, request=None) -> Release | None:
    """The latest release, as pages show it: kept by the process per content version, which
    publishing bumps (schedule.signals), and read once per request."""
    if request is not None and hasattr(request, "_schedule_release"):
        return request._schedule_release
    release = local_value(
        f"schedule.latest-release:{conference.pk}",
        lambda: latest_release(conference),
        request=request,
    )
    if request is not None:
        request._schedule_release = release
    return release


def previous_release(release: Release) -> Release | None:
    return (
        Release.objects.filter(conference_id=release.conference_id, number__lt=release.number)
        .order_by("-number")
        .first()
    )


def releases(conference: Conference):
    return (
        Release.objects.filter(conference=conference)
        .select_related("published_by")
        .order_by("-number")
    )


def release_slots(release: Release | None):
    if release is None:
        return PublishedSlot.objects.none()
    return release.slots.select_related("room", "item").order_by("starts_at", "room__order")


@dataclass
class Change:
    """One difference between two versions of the program, for one item."""

    kind: str  # "added", "removed", "moved" or "retitled"
    item: Item
    before: PublishedSlot | None
    after: PublishedSlot | None

    LABELS = {"added": "added", "removed": "removed", "moved": "moved", "retitled": "retitled"}

    @property
    def label(self) -> str:
        return self.LABELS[self.kind]

    @property
    def title(self) -> str:
        return (self.after or self.before).title


def _diff(before: list[PublishedSlot], after: list[PublishedSlot]) -> list[Change]:
    old = {slot.guid: slot for slot in before}
    new = {slot.guid: slot for slot in after}
    changes: list[Change] = []
    for guid, slot in new.items():
        prior = old.get(guid)
        if prior is None:
            changes.append(Change("added", slot.item, None, slot))
            continue
        if (prior.room_id, prior.starts_at, prior.ends_at) != (
            slot.room_id,
            slot.starts_at,
            slot.ends_at,
        ):
            changes.append(Change("moved", slot.item, prior, slot))
        if prior.title != slot.title:
            changes.append(Change("retitled", slot.item, prior, slot))
    for guid, slot in old.items():
        if guid not in new:
            changes.append(Change("removed", slot.item, slot, None))
    order = {"added": 0, "moved": 1, "retitled": 2, "removed": 3}
    changes.sort(key=lambda c: (order[c.kind], (c.after or c.before).starts_at, c.title))
    return changes


def changelog(release: Release) -> list[Change]:
    """What ``release`` changed against the release before it (everything is "added" in the
    first one)."""
    prior = previous_release(release)
    return _diff(list(release_slots(prior)), list(release_slots(release)))


def draft_slots(conference: Conference) -> list[PublishedSlot]:
    """The placed draft items as the slots a release would publish now (unsaved)."""
    items = (
        Item.objects.filter(conference=conference)
        .placed()
        .select_related("room", "proposal", "microconference")
        .order_by("starts_at", "room__order")
    )
    return [PublishedSlot.of(item) for item in items]


def draft_changes(conference: Conference) -> list[Change]:
    """What publishing now would change against the latest release."""
    return _diff(list(release_slots(latest_release(conference))), draft_slots(conference))


# ------------------------------------------------------------------------------- clashes


@dataclass
class Clash:
    """``person`` is in both ``first`` and ``second`` at overlapping times."""

    person: object
    first: Item
    second: Item

    @property
    def accepted(self) -> bool:
        return bool(self.first.clash_accepted_reason or self.second.clash_accepted_reason)

    @property
    def reason(self) -> str:
        return self.first.clash_accepted_reason or self.second.clash_accepted_reason

    def involves(self, item: Item) -> bool:
        return item.pk in (self.first.pk, self.second.pk)


def placed_items(conference: Conference):
    return (
        Item.objects.filter(conference=conference)
        .placed()
        .with_people()
        .order_by("starts_at", "room__order", "id")
    )


def clashes(conference: Conference, items: list[Item] | None = None) -> list[Clash]:
    """Every (person, item, item) where a speaker (submitter or co-speaker) or an MC lead is
    in two overlapping placed items of the draft. ``items``: the placed items when the
    caller has them already (with ``with_people``)."""
    items = list(placed_items(conference)) if items is None else items
    by_person: dict[int, list[Item]] = defaultdict(list)
    people = {}
    for item in items:
        for person in item.people:
            by_person[person.pk].append(item)
            people[person.pk] = person
    found: list[Clash] = []
    for pk, mine in by_person.items():
        mine.sort(key=lambda i: (i.starts_at, i.pk))
        for index, first in enumerate(mine):
            for second in mine[index + 1 :]:
                if second.starts_at >= first.ends_at:
                    break
                found.append(Clash(people[pk], first, second))
    found.sort(key=lambda c: (c.first.starts_at, c.first.pk, c.second.pk, str(c.person)))
    return found


# ---------------------------------------------------------------------------- the editor


def rooms(conference: Conference):
    return Room.objects.filter(conference=conference).order_by("order", "name")


def days(conference: Conference) -> list[dt.date]:
    count = (conference.ends_on - conference.starts_on).days + 1
    return [conference.starts_on + dt.timedelta(days=n) for n in range(count)]


@dataclass
class Candidate:
    """A line of the editor's unscheduled list: an item, or a talk / microconference that
    gets its item when first placed. ``key`` addresses it in forms and the JSON endpoint."""

    key: str
    title: str
    kind: str
    track: str = ""
    unconfirmed: bool = False
    item: Item | None = None
    people: list = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return Item.Kind(self.kind).label


def item_key(item: Item) -> str:
    return f"item-{item.guid}"


def candidates(conference: Conference) -> list[Candidate]:
    """Unscheduled items and the accepted/confirmed talks and accepted microconferences of
    ``conference`` that have no item yet, talks first."""
    found: list[Candidate] = []
    for item in Item.objects.filter(conference=conference).unscheduled().with_people():
        track = item.proposal.track.name if item.proposal_id else ""
        found.append(
            Candidate(
                key=item_key(item),
                title=item.display_title,
                kind=item.kind,
                track=track,
                unconfirmed=item.is_unconfirmed,
                item=item,
                people=item.people,
            )
        )
    proposals = (
        Proposal.objects.filter(
            track__conference=conference,
            state__in=sorted(ACCEPTED_STATES),
            schedule_item__isnull=True,
        )
        .exclude(track__kind__in=NOT_TALK_TRACKS)
        .select_related("track", "submitter")
        .prefetch_related("co_speakers")
        .order_by("track__order", "title")
    )
    for proposal in proposals:
        found.append(
            Candidate(
                key=f"proposal-{proposal.pk}",
                title=proposal.title,
                kind=proposal_item_kind(proposal),
                track=proposal.track.name,
                unconfirmed=proposal.state == Proposal.State.ACCEPTED,
                people=[proposal.submitter, *proposal.co_speakers.all()],
            )
        )
    mcs = (
        Microconference.objects.filter(
            conference=conference,
            status=Microconference.Status.ACCEPTED,
            schedule_item__isnull=True,
        )
        .prefetch_related(Prefetch("leads"))
        .order_by("order", "title")
    )
    for mc in mcs:
        found.append(
            Candidate(
                key=f"mc-{mc.pk}",
                title=mc.title,
                kind=Item.Kind.MICROCONFERENCE,
                people=list(mc.leads.all()),
            )
        )
    return found


def unconfirmed_items(items: list[Item]) -> list[Item]:
    return [item for item in items if item.is_unconfirmed]


def unschedulable_items(items: list[Item]) -> list[Item]:
    """Placed items whose talk is no longer accepted or confirmed (declined, withdrawn...)
    or whose microconference is no longer accepted: they cannot be published."""
    return [
        item
        for item in items
        if (item.proposal_id and not item.proposal.is_accepted)
        or (
            item.microconference_id
            and item.microconference.status != Microconference.Status.ACCEPTED
        )
    ]
