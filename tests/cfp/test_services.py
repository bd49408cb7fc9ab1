import datetime as dt
import zoneinfo

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from cfp import services
from cfp.models import Conflict, CoSpeakerInvitation, DeadlineExtension, Proposal, Review, Track
from cfp.services import CfpError
from plumbers.audit import audit_trail
from plumbers.models import Announcement, AuditLog
from tests.cfp.factories import ProposalFactory, ReviewFactory, TrackFactory
from tests.factories import UserFactory

DUBLIN = zoneinfo.ZoneInfo("Europe/Dublin")
pytestmark = pytest.mark.django_db


# --- deadline extensions -------------------------------------------------------------------


def test_track_extend_deadline_records_extension_and_bumps_sequence(conference, organizer):
    old = dt.datetime(2031, 6, 12, 23, 59, tzinfo=DUBLIN)
    track = TrackFactory(conference=conference, deadline=old)
    new = dt.datetime(2031, 6, 19, 23, 59, tzinfo=DUBLIN)

    extension = services.track_extend_deadline(
        track=track, new_deadline=new, reason="One more week.", actor=organizer
    )

    track.refresh_from_db()
    assert track.deadline == new
    assert track.sequence == 1
    assert (extension.previous, extension.new, extension.reason) == (old, new, "One more week.")
    assert extension.extended_by == organizer
    assert extension.announcement is None
    assert track.original_deadline == old
    entry = audit_trail(track).get()
    assert entry.action == "track_extend_deadline"
    assert entry.actor == organizer
    assert entry.reason == "One more week."


def test_track_extend_deadline_twice_keeps_first_original_and_counts(conference, organizer):
    old = dt.datetime(2031, 6, 12, 23, 59, tzinfo=DUBLIN)
    track = TrackFactory(conference=conference, deadline=old)
    for days in (7, 14):
        services.track_extend_deadline(
            track=track,
            new_deadline=old + dt.timedelta(days=days),
            reason=f"+{days}",
            actor=organizer,
        )

    track = Track.objects.with_extensions().get(pk=track.pk)
    assert track.sequence == 2
    assert track.original_deadline == old
    assert track.deadline == old + dt.timedelta(days=14)
    assert [e.reason for e in track.ordered_extensions] == ["+7", "+14"]


def test_track_extend_deadline_publishes_announcement_when_asked(conference, organizer):
    track = TrackFactory(conference=conference, name="Refereed")
    new = track.deadline + dt.timedelta(days=7)

    first = services.track_extend_deadline(
        track=track,
        new_deadline=new,
        reason="Busy week.",
        actor=organizer,
        publish_announcement=True,
    )
    second = services.track_extend_deadline(
        track=track,
        new_deadline=new + dt.timedelta(days=1),
        reason="Again.",
        actor=organizer,
        publish_announcement=True,
    )

    assert first.announcement.is_published
    assert first.announcement.title == "CFP deadline extended – Refereed"
    assert "Busy week." in first.announcement.body
    assert first.announcement.slug != second.announcement.slug
    assert Announcement.objects.published().count() == 2


def test_track_extend_deadline_refuses_hard_track(conference, organizer):
    track = TrackFactory(
        conference=conference, name="Refereed 2032", deadline_policy=Track.DeadlinePolicy.HARD
    )
    before = track.deadline

    with pytest.raises(CfpError) as excinfo:
        services.track_extend_deadline(
            track=track,
            new_deadline=before + dt.timedelta(days=7),
            reason="Please",
            actor=organizer,
            publish_announcement=True,
        )

    assert str(excinfo.value) == "The deadline of Refereed 2032 is hard and cannot be extended."
    track.refresh_from_db()
    assert (track.deadline, track.sequence) == (before, 0)
    assert not DeadlineExtension.objects.exists()
    assert not Announcement.objects.exists()


@pytest.mark.parametrize(
    "delta", [dt.timedelta(0), dt.timedelta(seconds=-1), dt.timedelta(days=-3)]
)
def test_track_extend_deadline_refuses_earlier_or_same_date(conference, organizer, delta):
    track = TrackFactory(conference=conference)
    before = track.deadline

    with pytest.raises(CfpError, match="must be later than the current one"):
        services.track_extend_deadline(
            track=track, new_deadline=before + delta, reason="Oops", actor=organizer
        )

    track.refresh_from_db()
    assert (track.deadline, track.sequence) == (before, 0)
    assert not DeadlineExtension.objects.exists()


def test_track_extend_deadline_requires_reason(conference, organizer):
    track = TrackFactory(conference=conference)
    with pytest.raises(CfpError, match="reason"):
        services.track_extend_deadline(
            track=track,
            new_deadline=track.deadline + dt.timedelta(days=1),
            reason="  ",
            actor=organizer,
        )


def test_deadline_extension_constraint_refuses_moving_earlier(conference):
    track = TrackFactory(conference=conference)
    with pytest.raises(IntegrityError), transaction.atomic():
        DeadlineExtension.objects.create(
            track=track,
            previous=track.deadline,
            new=track.deadline - dt.timedelta(hours=1),
            reason="x",
        )


def test_track_constraint_refuses_deadline_before_opening(conference):
    with pytest.raises(IntegrityError), transaction.atomic():
        TrackFactory(
            conference=conference,
            opens_at=dt.datetime(2031, 6, 1, tzinfo=dt.UTC),
            deadline=dt.datetime(2031, 5, 1, tzinfo=dt.UTC),
        )


def test_track_constraint_refuses_duplicate_slug_in_edition(conference):
    TrackFactory(conference=conference, slug="refereed")
    with pytest.raises(IntegrityError), transaction.atomic():
        TrackFactory(conference=conference, slug="refereed")


# --- submitting at the deadline's edges (Europe/Dublin in summer, UTC+1) -------------

SUMMER_DEADLINE = dt.datetime(2031, 6, 19, 23, 59, 59, tzinfo=DUBLIN)


@pytest.fixture
def summer_track(conference):
    return TrackFactory(
        conference=conference,
        opens_at=dt.datetime(2031, 3, 1, tzinfo=DUBLIN),
        deadline=SUMMER_DEADLINE,
    )


def test_summer_deadline_is_irish_summer_time(summer_track):
    assert SUMMER_DEADLINE.utcoffset() == dt.timedelta(hours=1)
    assert summer_track.deadline == dt.datetime(2031, 6, 19, 22, 59, 59, tzinfo=dt.UTC)


def test_proposal_submit_one_second_before_deadline_succeeds(summer_track, user):
    proposal = services.proposal_submit(
        track=summer_track,
        submitter=user,
        title="Just in time",
        abstract="A",
        now=SUMMER_DEADLINE - dt.timedelta(seconds=1),
    )
    assert proposal.state == Proposal.State.SUBMITTED
    assert proposal.track == summer_track


def test_proposal_submit_at_the_deadline_second_succeeds(summer_track, user):
    proposal = services.proposal_submit(
        track=summer_track, submitter=user, title="On the dot", abstract="A", now=SUMMER_DEADLINE
    )
    assert proposal.pk


def test_proposal_submit_one_second_after_deadline_is_refused(summer_track, user):
    with pytest.raises(CfpError) as excinfo:
        services.proposal_submit(
            track=summer_track,
            submitter=user,
            title="Too late",
            abstract="A",
            now=SUMMER_DEADLINE + dt.timedelta(seconds=1),
        )
    message = str(excinfo.value)
    assert "has passed" in message
    assert "19 June 2031, 23:59 (Dublin time, UTC+1)" in message
    assert not Proposal.objects.exists()


def test_proposal_submit_before_opening_is_refused(summer_track, user):
    with pytest.raises(CfpError, match="opens for proposals"):
        services.proposal_submit(
            track=summer_track,
            submitter=user,
            title="Early",
            abstract="A",
            now=summer_track.opens_at - dt.timedelta(seconds=1),
        )


def test_proposal_submit_invites_co_speakers_and_mails_after_commit(
    conference, user, django_capture_on_commit_callbacks
):
    track = TrackFactory(conference=conference)
    co = UserFactory(email="co@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        proposal = services.proposal_submit(
            track=track,
            submitter=user,
            title="Pair talk",
            abstract="A",
            co_speaker_emails=["Co@example.org", "nobody@example.net"],
        )
        assert mail.outbox == []

    assert list(proposal.co_speakers.all()) == []  # nobody is attached without consent
    invited = {m.to[0]: m for m in mail.outbox if "co-speak" in m.subject}
    assert set(invited) == {"Co@example.org", "nobody@example.net"}
    assert "/cfp/invitations/" in invited["Co@example.org"].body
    assert [m.to for m in mail.outbox if "co-speak" not in m.subject] == [[user.email]]
    assert co not in proposal.co_speakers.all()
    assert audit_trail(proposal).get().action == "proposal_submit"


def test_proposal_submit_refuses_submitter_as_co_speaker(conference, user):
    track = TrackFactory(conference=conference)
    with pytest.raises(CfpError, match="do not list yourself"):
        services.proposal_submit(
            track=track,
            submitter=user,
            title="Solo",
            abstract="A",
            co_speaker_emails=[user.email.upper()],
        )


def _invite(proposal, email):
    services.proposal_update(
        proposal=proposal,
        actor=proposal.submitter,
        title=proposal.title,
        abstract=proposal.abstract,
        co_speaker_emails=[email],
    )
    return CoSpeakerInvitation.objects.get(proposal=proposal, email=email)


def test_co_speaker_invitation_accept_attaches_the_verified_owner(conference, user):
    proposal = ProposalFactory(track=TrackFactory(conference=conference), submitter=user)
    co = UserFactory(email="co@example.org")
    invitation = _invite(proposal, "co@example.org")

    services.co_speaker_invitation_accept(token=invitation.token, user=co)

    invitation.refresh_from_db()
    assert list(proposal.co_speakers.all()) == [co]
    assert (invitation.state, invitation.accepted_by) == ("accepted", co)
    assert audit_trail(invitation).filter(action="co_speaker_invitation_accepted").exists()


def test_co_speaker_invitation_refuses_another_account(conference, user):
    proposal = ProposalFactory(track=TrackFactory(conference=conference), submitter=user)
    invitation = _invite(proposal, "chair@example.org")
    stranger = UserFactory(email="stranger@example.org")

    with pytest.raises(CfpError, match="another email address"):
        services.co_speaker_invitation_accept(token=invitation.token, user=stranger)

    assert list(proposal.co_speakers.all()) == []


def test_co_speaker_taken_off_the_list_loses_invitation_and_place(conference, user):
    proposal = ProposalFactory(track=TrackFactory(conference=conference), submitter=user)
    co = UserFactory(email="co@example.org")
    services.co_speaker_invitation_accept(token=_invite(proposal, co.email).token, user=co)
    pending = _invite(proposal, "later@example.org")

    services.proposal_update(
        proposal=proposal, actor=user, title="T", abstract="A", co_speaker_emails=[]
    )

    pending.refresh_from_db()
    assert list(proposal.co_speakers.all()) == []
    assert pending.state == "withdrawn"
    with pytest.raises(CfpError, match="no longer open"):
        services.co_speaker_invitation_accept(token=pending.token, user=co)


def test_proposal_update_after_deadline_is_refused_and_keeps_text(summer_track, user):
    proposal = ProposalFactory(track=summer_track, submitter=user, title="Original")
    with pytest.raises(CfpError, match="has passed"):
        services.proposal_update(
            proposal=proposal,
            actor=user,
            title="Changed",
            abstract="B",
            now=SUMMER_DEADLINE + dt.timedelta(seconds=1),
        )
    proposal.refresh_from_db()
    assert proposal.title == "Original"


def test_proposal_update_before_deadline_saves(summer_track, user):
    proposal = ProposalFactory(track=summer_track, submitter=user, title="Original")
    services.proposal_update(
        proposal=proposal,
        actor=user,
        title="Changed",
        abstract="B",
        now=SUMMER_DEADLINE - dt.timedelta(seconds=1),
    )
    proposal.refresh_from_db()
    assert (proposal.title, proposal.abstract) == ("Changed", "B")


def test_proposal_update_by_someone_else_is_refused(summer_track, user):
    proposal = ProposalFactory(track=summer_track)
    with pytest.raises(CfpError, match="Only the submitter"):
        services.proposal_update(
            proposal=proposal,
            actor=user,
            title="Mine now",
            abstract="B",
            now=SUMMER_DEADLINE - dt.timedelta(days=1),
        )


def test_proposal_withdraw_after_deadline_is_possible(conference, user):
    track = TrackFactory(
        conference=conference,
        opens_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
        deadline=dt.datetime(2020, 2, 1, tzinfo=dt.UTC),
    )
    proposal = ProposalFactory(track=track, submitter=user)

    services.proposal_withdraw(proposal=proposal, actor=user)

    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.WITHDRAWN
    entry = audit_trail(proposal).get()
    assert (entry.from_state, entry.to_state) == ("submitted", "withdrawn")


def test_proposal_withdraw_of_accepted_is_possible(conference, user):
    proposal = ProposalFactory(
        track__conference=conference,
        submitter=user,
        state=Proposal.State.ACCEPTED,
        decided_at=dt.datetime(2031, 1, 1, tzinfo=dt.UTC),
    )
    services.proposal_withdraw(proposal=proposal, actor=user)
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.WITHDRAWN


@pytest.mark.parametrize("state", [Proposal.State.WITHDRAWN, Proposal.State.REJECTED])
def test_proposal_withdraw_of_withdrawn_or_rejected_is_refused(conference, user, state):
    proposal = ProposalFactory(
        track__conference=conference,
        submitter=user,
        state=state,
        decided_at=dt.datetime(2031, 1, 1, tzinfo=dt.UTC),
    )
    with pytest.raises(CfpError, match="nothing to withdraw"):
        services.proposal_withdraw(proposal=proposal, actor=user)


def test_proposal_withdraw_by_co_speaker_is_refused(conference):
    co = UserFactory()
    proposal = ProposalFactory(track__conference=conference, co_speakers=[co])
    with pytest.raises(CfpError, match="Only the submitter"):
        services.proposal_withdraw(proposal=proposal, actor=co)


def test_proposal_constraint_refuses_decision_without_time(conference):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalFactory(track__conference=conference, state=Proposal.State.ACCEPTED)


# --- reviews and conflicts -----------------------------------------------------------------


@pytest.fixture
def reviewer(db):
    return UserFactory(display_name="Rhea Reviewer")


@pytest.fixture
def track(conference, reviewer):
    return TrackFactory(conference=conference, reviewers=[reviewer])


def test_review_submit_creates_then_updates_one_review(track, reviewer):
    proposal = ProposalFactory(track=track)

    services.review_submit(proposal=proposal, reviewer=reviewer, score=1, confidence=2)
    services.review_submit(
        proposal=proposal, reviewer=reviewer, score=-2, confidence=3, comment="On reflection"
    )

    review = Review.objects.get()
    assert (review.score, review.confidence, review.comment) == (-2, 3, "On reflection")
    assert AuditLog.objects.filter(action__in=["review_submit", "review_update"]).count() == 2


def test_review_submit_refuses_submitter(track, reviewer):
    proposal = ProposalFactory(track=track, submitter=reviewer)
    with pytest.raises(CfpError, match="submitted or co-speak"):
        services.review_submit(proposal=proposal, reviewer=reviewer, score=2, confidence=3)
    assert not Review.objects.exists()


def test_review_submit_refuses_co_speaker(track, reviewer):
    proposal = ProposalFactory(track=track, co_speakers=[reviewer])
    with pytest.raises(CfpError, match="submitted or co-speak"):
        services.review_submit(proposal=proposal, reviewer=reviewer, score=2, confidence=3)


def test_review_submit_refuses_conflicted_reviewer(track, reviewer):
    proposal = ProposalFactory(track=track)
    services.conflict_declare(proposal=proposal, reviewer=reviewer, reason="Same team")
    with pytest.raises(CfpError, match="declared a conflict"):
        services.review_submit(proposal=proposal, reviewer=reviewer, score=2, confidence=3)


def test_review_submit_refuses_reviewer_of_another_track(conference, track):
    other = UserFactory()
    TrackFactory(conference=conference, reviewers=[other])
    proposal = ProposalFactory(track=track)
    with pytest.raises(CfpError, match="not a reviewer of"):
        services.review_submit(proposal=proposal, reviewer=other, score=1, confidence=1)


def test_review_submit_accepts_lead_of_the_tracks_microconference(conference):
    from tests.microconferences.factories import MicroconferenceFactory

    lead = UserFactory()
    mc = MicroconferenceFactory(conference=conference, leads=[lead])
    mc_track = TrackFactory(
        conference=conference, kind=Track.Kind.MICROCONFERENCE, microconference=mc
    )
    proposal = ProposalFactory(track=mc_track)

    review = services.review_submit(proposal=proposal, reviewer=lead, score=1, confidence=2)

    assert review.reviewer == lead


def test_review_constraints_refuse_out_of_range_score_and_confidence(track, reviewer):
    proposal = ProposalFactory(track=track)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(proposal=proposal, reviewer=reviewer, score=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(proposal=proposal, reviewer=reviewer, confidence=0)
    ReviewFactory(proposal=proposal, reviewer=reviewer)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewFactory(proposal=proposal, reviewer=reviewer)


def test_conflict_declare_removes_my_review_and_is_idempotent(track, reviewer):
    proposal = ProposalFactory(track=track)
    ReviewFactory(proposal=proposal, reviewer=reviewer)

    services.conflict_declare(proposal=proposal, reviewer=reviewer, reason="Friend")
    services.conflict_declare(proposal=proposal, reviewer=reviewer)

    assert Conflict.objects.get().reason == "Friend"
    assert not Review.objects.exists()
    assert AuditLog.objects.filter(action="conflict_declare").count() == 1


# --- decisions -----------------------------------------------------------------------------


@pytest.fixture
def chair(db):
    return UserFactory(display_name="Chiara Chair")


def test_proposal_decide_mails_speakers_after_commit_and_audits(
    conference, chair, django_capture_on_commit_callbacks
):
    track = TrackFactory(conference=conference, chairs=[chair])
    co = UserFactory()
    proposal = ProposalFactory(track=track, co_speakers=[co], title="Folios everywhere")

    with django_capture_on_commit_callbacks(execute=True):
        changed = services.proposal_decide(
            proposals=proposal, decision=Proposal.State.ACCEPTED, actor=chair
        )
        assert mail.outbox == []  # nothing leaves before the commit

    assert changed == [proposal]
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.ACCEPTED
    assert proposal.decided_at is not None
    assert len(mail.outbox) == 1
    assert set(mail.outbox[0].to) == {proposal.submitter.email, co.email}
    assert mail.outbox[0].subject == "[CFP] Accepted: Folios everywhere"
    entry = AuditLog.objects.get(action="proposal_decide")
    assert (entry.actor, entry.from_state, entry.to_state) == (chair, "submitted", "accepted")


def test_proposal_decide_bulk_rejects_many_with_one_mail_each(
    conference, organizer, django_capture_on_commit_callbacks
):
    proposals = ProposalFactory.create_batch(3, track__conference=conference)
    with django_capture_on_commit_callbacks(execute=True):
        changed = services.proposal_decide(
            proposals=proposals, decision=Proposal.State.REJECTED, actor=organizer
        )
    assert len(changed) == 3
    assert Proposal.objects.filter(state="rejected").count() == 3
    assert sorted(m.subject for m in mail.outbox) == sorted(
        f"[CFP] Not accepted: {p.title}" for p in proposals
    )
    assert AuditLog.objects.filter(action="proposal_decide").count() == 3


def test_proposal_decide_same_decision_again_changes_nothing(
    conference, organizer, django_capture_on_commit_callbacks
):
    proposal = ProposalFactory(track__conference=conference)
    services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)
    with django_capture_on_commit_callbacks(execute=True):
        changed = services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)
    assert changed == []
    assert mail.outbox == []


def test_proposal_decide_with_a_withdrawn_one_changes_nothing(
    conference, organizer, django_capture_on_commit_callbacks
):
    good = ProposalFactory(track__conference=conference)
    gone = ProposalFactory(track__conference=conference, state=Proposal.State.WITHDRAWN)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(CfpError, match="withdrawn"),
    ):
        services.proposal_decide(proposals=[good, gone], decision="accepted", actor=organizer)

    good.refresh_from_db()
    assert good.state == Proposal.State.SUBMITTED
    assert mail.outbox == []
    assert not AuditLog.objects.filter(action="proposal_decide").exists()


def test_proposal_decide_by_plain_reviewer_is_refused(track, reviewer):
    proposal = ProposalFactory(track=track)
    with pytest.raises(CfpError, match="Only a chair"):
        services.proposal_decide(proposals=proposal, decision="accepted", actor=reviewer)


def test_proposal_decide_by_chair_on_own_proposal_is_refused(conference, chair):
    track = TrackFactory(conference=conference, chairs=[chair])
    proposal = ProposalFactory(track=track, submitter=chair)
    with pytest.raises(CfpError, match="you submitted it"):
        services.proposal_decide(proposals=proposal, decision="accepted", actor=chair)


def test_proposal_decide_refuses_unknown_decision(conference, organizer):
    proposal = ProposalFactory(track__conference=conference)
    with pytest.raises(CfpError):
        services.proposal_decide(proposals=proposal, decision="withdrawn", actor=organizer)


# --- the one proposal transition -----------------------------------------------------------


def test_every_proposal_state_change_is_one_audited_transition(conference, organizer, user):
    track = TrackFactory(conference=conference, chairs=[organizer])
    proposal = services.proposal_submit(track=track, submitter=user, title="T", abstract="A")
    services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)
    services.proposal_decide(proposals=proposal, decision="rejected", actor=organizer)
    proposal.refresh_from_db()
    services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)
    services.proposal_withdraw(proposal=proposal, actor=user, reason="Cannot travel")

    assert [
        (e.action, e.actor, e.from_state, e.to_state) for e in audit_trail(proposal).order_by("id")
    ] == [
        ("proposal_submit", user, "", "submitted"),
        ("proposal_decide", organizer, "submitted", "accepted"),
        ("proposal_decide", organizer, "accepted", "rejected"),
        ("proposal_decide", organizer, "rejected", "accepted"),
        ("proposal_withdraw", user, "accepted", "withdrawn"),
    ]


# --- organizers' saves (the admin) ---------------------------------------------------------


def test_track_save_creates_and_audits_with_the_committee(conference, organizer):
    chair = UserFactory(display_name="Chloe Chair")
    track = Track(
        conference=conference,
        name="Toolchains",
        slug="toolchains",
        opens_at=dt.datetime(2031, 3, 1, tzinfo=DUBLIN),
        deadline=dt.datetime(2031, 6, 1, tzinfo=DUBLIN),
    )

    services.track_save(track=track, actor=organizer, reviewers=[], chairs=[chair])

    assert list(track.chairs.all()) == [chair]
    entry = audit_trail(track).get()
    assert (entry.action, entry.actor) == ("track_create", organizer)
    assert entry.data["changes"]["chairs"] == ["", "Chloe Chair"]
    assert "deadline: 2031-06-01" in entry.to_state


def test_track_save_audits_what_changed_from_what(conference, organizer):
    track = TrackFactory(conference=conference, name="Refereed", show_aoe=False)
    track.name, track.show_aoe = "Refereed presentations", True

    services.track_save(track=track, actor=organizer)

    entry = audit_trail(track).get()
    assert (entry.action, entry.actor) == ("track_update", organizer)
    assert entry.data["changes"] == {
        "name": ["Refereed", "Refereed presentations"],
        "show_aoe": ["False", "True"],
    }
    assert entry.from_state == "name: Refereed; show_aoe: False"
    assert entry.to_state == "name: Refereed presentations; show_aoe: True"


def test_track_save_refuses_to_move_the_deadline(conference, organizer):
    track = TrackFactory(conference=conference, name="Refereed")
    before = track.deadline
    track.deadline = before + dt.timedelta(days=7)

    with pytest.raises(CfpError, match="moves only with “Extend deadline”"):
        services.track_save(track=track, actor=organizer)

    track.refresh_from_db()
    assert (track.deadline, track.sequence) == (before, 0)
    assert not audit_trail(track).exists()


def test_track_save_keeps_the_extension_count(conference, organizer):
    track = TrackFactory(conference=conference)
    services.track_extend_deadline(
        track=track,
        new_deadline=track.deadline + dt.timedelta(days=1),
        reason="r",
        actor=organizer,
    )
    stale = Track.objects.get(pk=track.pk)
    stale.sequence = 0

    services.track_save(track=stale, actor=organizer)

    track.refresh_from_db()
    assert track.sequence == 1


def test_proposal_save_creates_a_submitted_proposal_without_mail(conference, organizer, user):
    proposal = Proposal(
        track=TrackFactory(conference=conference),
        submitter=user,
        title="Entered by an organizer",
        abstract="A",
        state=Proposal.State.ACCEPTED,  # a new proposal is submitted, whatever it says
    )

    services.proposal_save(proposal=proposal, actor=organizer, co_speakers=[])

    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.SUBMITTED
    entry = audit_trail(proposal).get()
    assert (entry.action, entry.actor, entry.from_state, entry.to_state) == (
        "proposal_create",
        organizer,
        "",
        "submitted",
    )
    assert mail.outbox == []


def test_proposal_save_keeps_the_state_of_the_row(conference, organizer):
    proposal = ProposalFactory(track__conference=conference, title="Old")
    stale = Proposal.objects.get(pk=proposal.pk)
    services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)
    co = UserFactory(display_name="Cora Co")
    stale.title = "New"

    services.proposal_save(proposal=stale, actor=organizer, co_speakers=[co])

    proposal.refresh_from_db()
    assert (proposal.title, proposal.state) == ("New", Proposal.State.ACCEPTED)
    assert list(proposal.co_speakers.all()) == [co]
    entry = audit_trail(proposal).get(action="proposal_update")
    assert entry.data["changes"] == {"title": ["Old", "New"], "co_speakers": ["", "Cora Co"]}


@pytest.mark.parametrize("what", ["track", "proposal", "review", "conflict"])
def test_organizer_deletes_leave_a_record(conference, organizer, what):
    review = ReviewFactory(proposal__track__conference=conference)
    proposal = review.proposal
    if what == "track":
        services.track_delete(track=TrackFactory(conference=conference), actor=organizer)
    elif what == "proposal":
        services.proposal_delete(proposal=proposal, actor=organizer)
        assert not Review.objects.exists()
    elif what == "review":
        services.review_delete(review=review, actor=organizer)
    else:
        conflict = Conflict.objects.create(proposal=proposal, reviewer=UserFactory())
        services.conflict_delete(conflict=conflict, actor=organizer)
        assert not Conflict.objects.exists()

    entry = AuditLog.objects.get(action=f"{what}_delete")
    assert entry.actor == organizer
