"""Placing items: overlap, the edition's days, the order of times, the talk's state, clashes,
all refused with a reason and nothing changed; every change audited."""

import datetime as dt
import threading

import pytest
from django.db import connection

from cfp.models import Proposal
from plumbers.audit import audit_trail
from schedule import selectors, services
from schedule.models import Item
from schedule.services import ScheduleError
from tests.factories import ConferenceFactory, UserFactory
from tests.microconferences.factories import MicroconferenceFactory
from tests.schedule.factories import ItemFactory, RoomFactory, confirmed_proposal, local

pytestmark = pytest.mark.django_db


def _place(item, room, start, end, actor=None):
    return services.item_place(item=item, room=room, starts_at=start, ends_at=end, actor=actor)


def test_item_place_puts_item_in_room_and_audits(conference, organizer):
    room = RoomFactory(conference=conference, name="Main hall")
    item = ItemFactory(conference=conference, title="Lunch")

    _place(item, room, local(conference, 0, 12), local(conference, 0, 13), organizer)

    item.refresh_from_db()
    assert (item.room, item.starts_at) == (room, local(conference, 0, 12))
    entry = audit_trail(item).get(action="schedule.item_place")
    assert entry.actor == organizer
    assert entry.from_state == "unscheduled"
    assert entry.to_state.startswith("Main hall")


def test_item_place_overlap_in_room_is_refused_with_the_other_item(conference):
    room = RoomFactory(conference=conference, name="Main hall")
    first = ItemFactory(conference=conference, title="Keynote")
    _place(first, room, local(conference, 0, 9), local(conference, 0, 10))
    second = ItemFactory(conference=conference, title="Lunch")

    with pytest.raises(ScheduleError, match="Main hall is taken then by “Keynote”"):
        _place(second, room, local(conference, 0, 9, 45), local(conference, 0, 10, 30))

    second.refresh_from_db()
    assert second.room is None
    assert not audit_trail(second).filter(action="schedule.item_place").exists()


def test_item_place_back_to_back_and_other_room_are_allowed(conference):
    room, other = RoomFactory.create_batch(2, conference=conference)
    _place(
        ItemFactory(conference=conference), room, local(conference, 0, 9), local(conference, 0, 10)
    )

    _place(
        ItemFactory(conference=conference), room, local(conference, 0, 10), local(conference, 0, 11)
    )
    _place(
        ItemFactory(conference=conference), other, local(conference, 0, 9), local(conference, 0, 10)
    )

    assert Item.objects.placed().count() == 3


def test_item_place_move_within_own_slot_is_not_an_overlap(conference):
    room = RoomFactory(conference=conference)
    item = ItemFactory(conference=conference)
    _place(item, room, local(conference, 0, 9), local(conference, 0, 10))

    _place(item, room, local(conference, 0, 9, 30), local(conference, 0, 10, 30))

    item.refresh_from_db()
    assert item.starts_at == local(conference, 0, 9, 30)


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        ((0, 10), (0, 9), "end must be after the start"),
        ((0, 10), (0, 10), "end must be after the start"),
        ((-1, 10), (-1, 11), "outside its days"),
        ((3, 10), (3, 11), "outside its days"),
        ((0, 10, 7), (0, 11), "steps of 5 minutes"),
    ],
)
def test_item_place_bad_times_are_refused(conference, start, end, reason):
    room = RoomFactory(conference=conference)
    item = ItemFactory(conference=conference)

    with pytest.raises(ScheduleError, match=reason):
        _place(item, room, local(conference, *start), local(conference, *end))

    item.refresh_from_db()
    assert item.room is None


def test_item_place_past_midnight_is_refused(conference):
    room = RoomFactory(conference=conference)
    item = ItemFactory(conference=conference)

    with pytest.raises(ScheduleError, match="ends on the day it starts"):
        _place(item, room, local(conference, 0, 22), local(conference, 1, 1))


def test_item_place_room_of_other_edition_is_refused(conference):
    item = ItemFactory(conference=conference)

    with pytest.raises(ScheduleError, match="another edition"):
        _place(item, RoomFactory(), local(conference, 0, 9), local(conference, 0, 10))


@pytest.mark.parametrize("state", [Proposal.State.DECLINED, Proposal.State.WITHDRAWN])
def test_item_place_talk_not_accepted_is_refused(conference, state):
    proposal = confirmed_proposal(conference)
    item = services.item_create(
        conference=conference, kind=Item.Kind.TALK, proposal=proposal, actor=None
    )
    Proposal.objects.filter(pk=proposal.pk).update(state=state)

    with pytest.raises(ScheduleError, match="only accepted or confirmed"):
        _place(
            Item.objects.get(pk=item.pk),
            RoomFactory(conference=conference),
            local(conference, 0, 9),
            local(conference, 0, 10),
        )


def test_item_create_submitted_proposal_is_refused(conference):
    proposal = confirmed_proposal(conference, state=Proposal.State.SUBMITTED)

    with pytest.raises(ScheduleError, match="only accepted or confirmed"):
        services.item_create(
            conference=conference, kind=Item.Kind.TALK, proposal=proposal, actor=None
        )
    assert not Item.objects.exists()


def test_item_create_twice_for_one_talk_is_refused(conference):
    proposal = confirmed_proposal(conference)
    services.item_create(conference=conference, kind=Item.Kind.TALK, proposal=proposal, actor=None)

    with pytest.raises(ScheduleError, match="already on the program"):
        services.item_create(
            conference=conference, kind=Item.Kind.TALK, proposal=proposal, actor=None
        )


def test_item_for_key_creates_item_of_talk_and_mc_once(conference):
    proposal = confirmed_proposal(conference)
    mc = MicroconferenceFactory(conference=conference)

    talk = services.item_for_key(conference=conference, key=f"proposal-{proposal.pk}", actor=None)
    block = services.item_for_key(conference=conference, key=f"mc-{mc.pk}", actor=None)
    again = services.item_for_key(conference=conference, key=f"proposal-{proposal.pk}", actor=None)

    assert (talk.proposal, block.microconference, block.kind) == (proposal, mc, "microconference")
    assert again == talk
    assert services.item_for_key(conference=conference, key=f"item-{talk.guid}", actor=None) == talk


@pytest.mark.parametrize(
    "key",
    [
        "",
        "item-not-a-uuid",
        "item-00000000-0000-0000-0000-000000000000",
        "proposal-x",
        "proposal-99999999999999999999999",
        "mc-0",
        "other-1",
    ],
)
def test_item_for_key_unknown_is_refused(conference, key):
    with pytest.raises(ScheduleError, match="not on this edition"):
        services.item_for_key(conference=conference, key=key, actor=None)


def test_item_for_key_other_editions_item_is_refused(conference):
    item = ItemFactory(conference=ConferenceFactory())

    with pytest.raises(ScheduleError, match="not on this edition"):
        services.item_for_key(conference=conference, key=f"item-{item.guid}", actor=None)


def test_item_unschedule_clears_placement_and_audits(conference, organizer):
    item = ItemFactory(conference=conference)
    _place(
        item, RoomFactory(conference=conference), local(conference, 0, 9), local(conference, 0, 10)
    )

    services.item_unschedule(item=item, actor=organizer)

    item.refresh_from_db()
    assert (item.room, item.starts_at, item.ends_at) == (None, None, None)
    assert audit_trail(item).filter(action="schedule.item_unschedule", actor=organizer).exists()


def _clash(conference):
    speaker = UserFactory(display_name="Sam Speaker")
    talk = services.item_for_key(
        conference=conference,
        key=f"proposal-{confirmed_proposal(conference, submitter=speaker).pk}",
        actor=None,
    )
    mc = MicroconferenceFactory(conference=conference, leads=[speaker])
    block = services.item_for_key(conference=conference, key=f"mc-{mc.pk}", actor=None)
    room, other = RoomFactory.create_batch(2, conference=conference)
    _place(block, room, local(conference, 0, 10), local(conference, 0, 13, 30))
    _place(talk, other, local(conference, 0, 11), local(conference, 0, 11, 45))
    return speaker, talk, block


def test_clashes_finds_speaker_in_two_overlapping_items(conference):
    speaker, talk, block = _clash(conference)

    found = selectors.clashes(conference)

    assert [(c.person, {c.first, c.second}, c.accepted) for c in found] == [
        (speaker, {talk, block}, False)
    ]


def test_clash_accept_records_reason_and_move_clears_it(conference, organizer):
    _speaker, talk, _block = _clash(conference)

    services.clash_accept(item=talk, reason="Sam hands the MC to a co-lead", actor=organizer)

    assert selectors.clashes(conference)[0].accepted
    assert audit_trail(talk).get(action="schedule.clash_accept").reason == (
        "Sam hands the MC to a co-lead"
    )
    talk.refresh_from_db()
    _place(talk, talk.room, local(conference, 0, 12), local(conference, 0, 12, 45))
    assert not selectors.clashes(conference)[0].accepted


def test_clash_accept_without_reason_or_clash_is_refused(conference):
    _speaker, talk, _block = _clash(conference)
    lonely = ItemFactory(conference=conference)

    with pytest.raises(ScheduleError, match="Say why"):
        services.clash_accept(item=talk, reason="  ", actor=None)
    with pytest.raises(ScheduleError, match="no speaker clash"):
        services.clash_accept(item=lonely, reason="why not", actor=None)


def test_candidates_lists_unscheduled_talks_mcs_and_items(conference):
    talk = confirmed_proposal(conference, title="Confirmed talk")
    confirmed_proposal(conference, title="Unconfirmed talk", state=Proposal.State.ACCEPTED)
    confirmed_proposal(conference, title="Submitted talk", state=Proposal.State.SUBMITTED)
    MicroconferenceFactory(conference=conference, title="RISC-V")
    MicroconferenceFactory(conference=conference, title="Declined MC", status="declined")
    ItemFactory(conference=conference, title="Lunch")
    placed = services.item_for_key(conference=conference, key=f"proposal-{talk.pk}", actor=None)
    _place(
        placed,
        RoomFactory(conference=conference),
        local(conference, 0, 9),
        local(conference, 0, 10),
    )

    found = {c.title: c.unconfirmed for c in selectors.candidates(conference)}

    assert found == {"Unconfirmed talk": True, "RISC-V": False, "Lunch": False}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_item_place_concurrent_same_room_places_one():
    """Four organizers drop four items on the same room at the same time: the room row lock
    serializes them, the first wins, the others are refused with the reason."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions (row locks)")
    conference = ConferenceFactory(is_current=True)
    room = RoomFactory(conference=conference)
    items = ItemFactory.create_batch(4, conference=conference)
    start = local(conference, 1, 9)
    barrier = threading.Barrier(len(items))
    outcomes = []

    def place(item, offset):
        try:
            barrier.wait()
            services.item_place(
                item=Item.objects.get(pk=item.pk),
                room=room,
                starts_at=start + dt.timedelta(minutes=5 * offset),
                ends_at=start + dt.timedelta(minutes=60 + 5 * offset),
                actor=None,
            )
            outcomes.append("ok")
        except ScheduleError as error:
            outcomes.append("taken" if "taken" in str(error) else str(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=place, args=(item, n)) for n, item in enumerate(items)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok", "taken", "taken", "taken"]
    assert Item.objects.filter(room=room).count() == 1
