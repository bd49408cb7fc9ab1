"""Factories for the program: rooms, items (plain, talks, microconference blocks) and a helper
to place an item at a local wall time of its edition."""

import datetime as dt

import factory
from django.utils import timezone

from cfp.models import Proposal
from schedule.models import Item, Room
from tests.cfp.factories import ProposalFactory, TrackFactory
from tests.factories import ConferenceFactory


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    conference = factory.SubFactory(ConferenceFactory)
    name = factory.Sequence(lambda n: f"Room {n}")
    capacity = 100
    order = factory.Sequence(lambda n: n)


class ItemFactory(factory.django.DjangoModelFactory):
    """An unscheduled plain item (a break)."""

    class Meta:
        model = Item

    conference = factory.SubFactory(ConferenceFactory)
    kind = Item.Kind.BREAK
    title = factory.Sequence(lambda n: f"Coffee break {n}")


def confirmed_proposal(conference, *, state=Proposal.State.CONFIRMED, **kwargs) -> Proposal:
    """A refereed talk of ``conference`` that its speakers confirmed (or ``state``)."""
    track = kwargs.pop("track", None) or TrackFactory(conference=conference)
    return ProposalFactory(track=track, state=state, decided_at=timezone.now(), **kwargs)


def local(conference, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """Day ``day`` (0 = first) of ``conference`` at ``hour:minute`` in its time zone."""
    date = conference.starts_on + dt.timedelta(days=day)
    return dt.datetime.combine(date, dt.time(hour, minute), tzinfo=conference.tzinfo)
