"""The questions registration answers once: who is a content contributor and why, and the
seat ledger (seats in use, seats left, sold out)."""

import datetime as dt

import pytest
from django.utils import timezone

from cfp.models import Proposal
from registration import selectors, services
from registration.models import Registration
from tests.cfp.factories import ProposalFactory, TrackFactory
from tests.factories import ConferenceFactory, UserFactory
from tests.microconferences.factories import MicroconferenceFactory
from tests.registration.factories import AttendanceKindFactory
from tests.sponsors.factories import SponsorFactory, SponsorTierFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(conference, in_person, organizer):
    """One of each way to contribute content (and two ways not to)."""
    people = {name: UserFactory(display_name=name) for name in _NAMES}
    track = TrackFactory(conference=conference)
    ProposalFactory(
        track=track,
        submitter=people["speaker"],
        co_speakers=[people["co-speaker"]],
        state=Proposal.State.ACCEPTED,
        decided_at=timezone.now(),
    )
    ProposalFactory(
        track=track,
        submitter=people["rejected"],
        state=Proposal.State.REJECTED,
        decided_at=timezone.now(),
    )
    mc = MicroconferenceFactory(
        conference=conference, leads=[people["lead"]], complimentary_passes=1
    )
    sponsor = SponsorFactory(tier=SponsorTierFactory(conference=conference, complimentary_passes=1))
    in_person.capacity = 10
    in_person.save()
    (mc_pass,) = services.pass_issue(kind=in_person, microconference=mc, count=1, actor=organizer)
    (sponsor_pass,) = services.pass_issue(kind=in_person, sponsor=sponsor, count=1, actor=organizer)
    services.pass_redeem(code=mc_pass.code, user=people["mc pass holder"])
    services.pass_redeem(code=sponsor_pass.code, user=people["sponsor pass holder"])
    return people


_NAMES = [
    "speaker",
    "co-speaker",
    "lead",
    "mc pass holder",
    "rejected",
    "sponsor pass holder",
]


def test_content_contributors_are_speakers_leads_and_mc_pass_holders(conference, people):
    contributors = selectors.content_contributors(conference=conference)

    assert contributors.user_ids == {
        people[name].pk for name in ["speaker", "co-speaker", "lead", "mc pass holder"]
    }
    assert {name: contributors.reasons(person) for name, person in people.items()} == {
        "speaker": ["speaker"],
        "co-speaker": ["speaker"],
        "lead": ["microconference lead"],
        "mc pass holder": ["microconference pass holder"],
        "rejected": [],
        "sponsor pass holder": [],
    }


def test_content_contributors_of_another_edition_are_not(conference, people):
    other = ConferenceFactory()

    assert selectors.content_contributors(conference=other).user_ids == set()


def test_waitlist_ranks_and_explains_every_kind_of_contributor(
    conference, people, rules, organizer
):
    """A second in-person kind (e.g. a workshop day) has a waitlist; the MC pass holder and
    the lead rank as contributors there, each with their own reason."""
    workshop = AttendanceKindFactory(conference=conference, name="Workshop day", capacity=0)
    newcomer = services.registration_create(
        user=UserFactory(), kind=workshop, reason="I would like to learn."
    )
    holder = services.registration_create(
        user=people["mc pass holder"], kind=workshop, reason="Pass holder."
    )
    lead = services.registration_create(user=people["lead"], kind=workshop, reason="Lead.")

    ranking = selectors.waitlist_ranking(kind=workshop)

    assert [e.pk for e in ranking] == [holder.pk, lead.pk, newcomer.pk]
    assert ranking[0].reasons == ["content contributor", "new attendee"]
    assert selectors.waitlist_position(registration=holder).reasons == [
        "microconference pass holder",
        "new attendee",
    ]
    assert selectors.waitlist_position(registration=lead).reasons == [
        "microconference lead",
        "new attendee",
    ]
    assert selectors.waitlist_position(registration=newcomer).reasons == ["new attendee"]


def test_seat_ledger_counts_confirmed_unexpired_offers_and_held_passes(conference, organizer):
    kind = AttendanceKindFactory(conference=conference, capacity=6)
    services.registration_create(user=UserFactory(), kind=kind)
    sponsor = SponsorFactory(tier=SponsorTierFactory(conference=conference, complimentary_passes=2))
    services.pass_issue(kind=kind, sponsor=sponsor, count=2, actor=organizer)
    services.attendance_kind_set_capacity(kind=kind, capacity=3, actor=organizer)
    waiting = [
        services.registration_create(user=UserFactory(), kind=kind, reason="Keen.")
        for _ in range(3)
    ]
    services.attendance_kind_set_capacity(kind=kind, capacity=5, actor=organizer)
    offered = services.waitlist_offer_next(kind=kind, count=2, actor=organizer)
    Registration.objects.filter(pk=offered[0].pk).update(
        offer_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )

    kind.refresh_from_db()

    summary = selectors.seat_summary(kind=kind)

    assert (summary.confirmed, summary.offered, summary.passes_held) == (1, 1, 2)
    assert (summary.in_use, summary.seats_left, summary.waitlisted) == (4, 1, 1)
    assert summary.sold_out  # a seat is free, but someone waits for it
    assert selectors.seats_in_use(kind=kind) == 4
    assert waiting[2].pk not in {r.pk for r in offered}


def test_kind_summaries_of_many_kinds_take_one_query(
    conference, django_assert_num_queries, organizer
):
    kinds = [AttendanceKindFactory(conference=conference, name=f"Kind {n}") for n in range(5)]
    for kind in kinds[:2]:
        services.registration_create(user=UserFactory(), kind=kind)

    with django_assert_num_queries(1):
        summaries = selectors.kind_summaries(kinds=kinds)

    assert [s.confirmed for s in summaries] == [1, 1, 0, 0, 0]
    assert not any(s.sold_out for s in summaries)
