"""Publishing numbered releases, their changelog, what blocks publishing, and the mail to
speakers whose slot changed."""

import pytest
from django.core import mail

from cfp.models import Proposal
from plumbers.audit import audit_trail
from schedule import selectors, services
from schedule.models import Item, Release
from schedule.services import ScheduleError
from tests.factories import UserFactory
from tests.microconferences.factories import MicroconferenceFactory
from tests.schedule.factories import ItemFactory, RoomFactory, confirmed_proposal, local

pytestmark = pytest.mark.django_db


def _place(item, room, start, end):
    return services.item_place(item=item, room=room, starts_at=start, ends_at=end, actor=None)


def _talk(conference, **kwargs):
    proposal = confirmed_proposal(conference, **kwargs)
    return services.item_for_key(conference=conference, key=f"proposal-{proposal.pk}", actor=None)


def _changes(release):
    return sorted((c.kind, c.title) for c in selectors.changelog(release))


def test_release_publish_numbers_releases_and_snapshots_slots(conference, organizer):
    room = RoomFactory(conference=conference, name="Main hall")
    lunch = ItemFactory(conference=conference, title="Lunch")
    _place(lunch, room, local(conference, 0, 12), local(conference, 0, 13))

    first = services.release_publish(conference=conference, actor=organizer, comment="First")
    with pytest.raises(ScheduleError, match="nothing changed since version 1.0"):
        services.release_publish(conference=conference, actor=organizer)
    _place(lunch, room, local(conference, 0, 12, 30), local(conference, 0, 13, 30))
    second = services.release_publish(conference=conference, actor=organizer)

    assert [(r.number, r.version) for r in Release.objects.order_by("number")] == [
        (1, "1.0"),
        (2, "2.0"),
    ]
    slot = first.slots.get()
    assert (slot.guid, slot.title, slot.room, slot.kind) == (lunch.guid, "Lunch", room, "break")
    assert selectors.latest_release(conference) == second
    entry = audit_trail(first).get(action="schedule.release_publish")
    assert (entry.actor, entry.reason, entry.data["slots"]) == (organizer, "First", 1)


def test_changelog_reports_added_moved_removed_retitled(conference):
    room, other = RoomFactory.create_batch(2, conference=conference)
    stays = ItemFactory(conference=conference, title="Stays")
    moves = ItemFactory(conference=conference, title="Moves")
    goes = ItemFactory(conference=conference, title="Goes")
    renamed = ItemFactory(conference=conference, title="Old name")
    for n, item in enumerate([stays, moves, goes, renamed]):
        _place(item, room, local(conference, 0, 9 + n), local(conference, 0, 10 + n))
    first = services.release_publish(conference=conference, actor=None)

    _place(moves, other, local(conference, 0, 10), local(conference, 0, 11))
    services.item_unschedule(item=goes, actor=None)
    renamed.title = "New name"
    services.item_save(item=renamed, actor=None)
    new = ItemFactory(conference=conference, title="New")
    _place(new, other, local(conference, 1, 9), local(conference, 1, 10))
    assert sorted((c.kind, c.title) for c in selectors.draft_changes(conference)) == [
        ("added", "New"),
        ("moved", "Moves"),
        ("removed", "Goes"),
        ("retitled", "New name"),
    ]
    second = services.release_publish(conference=conference, actor=None)

    assert _changes(first) == [("added", t) for t in ["Goes", "Moves", "Old name", "Stays"]]
    assert _changes(second) == [
        ("added", "New"),
        ("moved", "Moves"),
        ("removed", "Goes"),
        ("retitled", "New name"),
    ]
    moved = next(c for c in selectors.changelog(second) if c.kind == "moved")
    assert (moved.before.room, moved.after.room) == (room, other)
    assert selectors.draft_changes(conference) == []


def test_release_publish_with_unresolved_clash_is_refused(conference):
    speaker = UserFactory(display_name="Sam Speaker")
    talk = _talk(conference, submitter=speaker, title="Sam's talk")
    mc = MicroconferenceFactory(conference=conference, leads=[speaker], title="Sam's MC")
    block = services.item_for_key(conference=conference, key=f"mc-{mc.pk}", actor=None)
    room, other = RoomFactory.create_batch(2, conference=conference)
    _place(block, room, local(conference, 0, 10), local(conference, 0, 13))
    _place(talk, other, local(conference, 0, 11), local(conference, 0, 12))

    with pytest.raises(ScheduleError, match="Sam Speaker is in “Sam's MC” and “Sam's talk”"):
        services.release_publish(conference=conference, actor=None)
    assert not Release.objects.exists()

    services.clash_accept(item=talk, reason="Co-lead runs the MC meanwhile", actor=None)
    services.release_publish(conference=conference, actor=None)
    assert Release.objects.count() == 1


def test_release_publish_unconfirmed_talk_needs_override(conference, organizer):
    talk = _talk(conference, title="Not yet confirmed", state=Proposal.State.ACCEPTED)
    _place(
        talk, RoomFactory(conference=conference), local(conference, 0, 9), local(conference, 0, 10)
    )

    with pytest.raises(ScheduleError, match="“Not yet confirmed” is not yet confirmed"):
        services.release_publish(conference=conference, actor=organizer)
    assert not Release.objects.exists()

    release = services.release_publish(
        conference=conference, actor=organizer, allow_unconfirmed=True
    )
    entry = audit_trail(release).get()
    assert entry.data["unconfirmed_published"] == [str(talk.guid)]


def test_release_publish_declined_talk_is_refused(conference):
    talk = _talk(conference, title="Declined later")
    _place(
        talk, RoomFactory(conference=conference), local(conference, 0, 9), local(conference, 0, 10)
    )
    Proposal.objects.filter(pk=talk.proposal_id).update(state=Proposal.State.DECLINED)

    with pytest.raises(ScheduleError, match="can no longer be scheduled"):
        services.release_publish(conference=conference, actor=None)


def test_release_publish_empty_draft_is_refused(conference):
    with pytest.raises(ScheduleError, match="nothing is placed"):
        services.release_publish(conference=conference, actor=None)


def test_release_publish_mails_speakers_of_moved_items_only(
    conference, django_capture_on_commit_callbacks
):
    speaker, co_speaker, other = UserFactory.create_batch(3)
    room = RoomFactory(conference=conference, name="Main hall")
    moved = _talk(conference, submitter=speaker, co_speakers=[co_speaker], title="Moved talk")
    kept = _talk(conference, submitter=other, title="Kept talk")
    _place(moved, room, local(conference, 0, 9), local(conference, 0, 10))
    _place(kept, room, local(conference, 0, 10), local(conference, 0, 11))
    with django_capture_on_commit_callbacks(execute=True):
        services.release_publish(conference=conference, actor=None)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [speaker.email, co_speaker.email, other.email]
    )
    mail.outbox.clear()

    _place(moved, room, local(conference, 1, 14), local(conference, 1, 15))
    with django_capture_on_commit_callbacks(execute=True):
        services.release_publish(conference=conference, actor=None)

    assert sorted(m.to[0] for m in mail.outbox) == sorted([speaker.email, co_speaker.email])
    message = mail.outbox[0]
    assert "“Moved talk” has moved" in message.subject
    assert "Before: Main hall" in message.body
    assert "(Dublin time, UTC" in message.body


def test_release_publish_refused_sends_no_mail(conference, django_capture_on_commit_callbacks):
    talk = _talk(conference, state=Proposal.State.ACCEPTED)
    _place(
        talk, RoomFactory(conference=conference), local(conference, 0, 9), local(conference, 0, 10)
    )

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ScheduleError):
        services.release_publish(conference=conference, actor=None)

    assert mail.outbox == []
    assert Item.objects.get().is_placed


def test_demo_program_has_release_1_and_an_unpublished_move():
    from cfp import demo as cfp_demo
    from microconferences import demo as mc_demo
    from plumbers.demo import load_core
    from schedule import demo as schedule_demo

    ctx = load_core(historical=False, out=lambda _: None)
    mc_demo.load(ctx)
    cfp_demo.load(ctx)
    schedule_demo.load(ctx)
    schedule_demo.load(ctx)  # idempotent: the second run leaves it as it is

    release = selectors.latest_release(ctx.conference)
    assert release.number == 1
    titles = set(release.slots.values_list("title", flat=True))
    assert len([s for s in release.slots.all() if s.kind == "microconference"]) == 7
    assert {"Welcome and keynote", "Evening event", "Lunch (day 1)"} <= titles
    assert selectors.clashes(ctx.conference) == []
    assert [(c.kind, c.title) for c in selectors.draft_changes(ctx.conference)] == [
        ("moved", "Evening event")
    ]
