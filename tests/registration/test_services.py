"""Registration rules, through the services, on the real database.

Mail is queued on commit; the tests that read it run their act inside
``django_capture_on_commit_callbacks(execute=True)``, which runs what a commit would."""

import datetime as dt

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from cfp.models import Proposal
from cfp.services import proposal_decide
from plumbers.audit import audit_trail
from registration import selectors, services
from registration.models import Registration
from registration.services import RegistrationError
from tests.cfp.factories import ProposalFactory, TrackFactory
from tests.factories import ConferenceFactory, UserFactory
from tests.registration.factories import AttendanceKindFactory, RegistrationFactory

S = Registration.Status
pytestmark = pytest.mark.django_db


def fill(kind, n):
    return [services.registration_create(user=UserFactory(), kind=kind) for _ in range(n)]


def join(kind, user=None, reason="I maintain a subsystem."):
    return services.registration_create(user=user or UserFactory(), kind=kind, reason=reason)


def test_registration_create_with_seats_left_is_confirmed_mailed_and_audited(
    in_person, user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        reg = services.registration_create(user=user, kind=in_person)

    assert reg.status == S.CONFIRMED and reg.confirmed_at is not None
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "confirmed" in mail.outbox[0].subject
    trail = list(audit_trail(reg))
    assert [(a.from_state, a.to_state, a.actor_id) for a in trail] == [("", "confirmed", user.pk)]


def test_registration_create_when_full_requires_a_reason(in_person):
    fill(in_person, 2)

    with pytest.raises(RegistrationError, match="tell us why"):
        services.registration_create(user=UserFactory(), kind=in_person, reason="   ")

    assert Registration.objects.filter(status=S.WAITLISTED).count() == 0


def test_registration_create_when_full_joins_waitlist_with_position_mail(
    in_person, django_capture_on_commit_callbacks
):
    fill(in_person, 2)
    person = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        reg = join(in_person, person)

    assert reg.status == S.WAITLISTED and reg.joined_at is not None
    assert reg.reason == "I maintain a subsystem."
    assert len(mail.outbox) == 1
    assert "#1 of 1" in mail.outbox[0].body
    assert list(audit_trail(reg))[0].to_state == "waitlisted"


def test_registration_create_twice_is_refused(in_person, user):
    services.registration_create(user=user, kind=in_person)

    with pytest.raises(RegistrationError, match="already have"):
        services.registration_create(user=user, kind=in_person)
    assert Registration.objects.filter(user=user).count() == 1


def test_registration_one_active_per_user_and_kind_is_a_database_constraint(in_person, user):
    RegistrationFactory(user=user, kind=in_person, status=S.CONFIRMED)

    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(user=user, kind=in_person, status=S.CONFIRMED)


def test_registration_after_cancellation_can_register_again(in_person, user):
    first = services.registration_create(user=user, kind=in_person)
    services.registration_cancel(registration=first, actor=user)

    again = services.registration_create(user=user, kind=in_person)

    assert again.status == S.CONFIRMED
    assert Registration.objects.filter(user=user).count() == 2


def test_waitlist_without_reason_is_refused_by_the_database(in_person, user):
    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(
            user=user, kind=in_person, status=S.WAITLISTED, reason="", joined_at=timezone.now()
        )


def test_registration_create_before_opening_is_refused(conference, user):
    kind = AttendanceKindFactory(
        conference=conference, opens_at=timezone.now() + dt.timedelta(days=1)
    )

    with pytest.raises(RegistrationError, match="not opened yet"):
        services.registration_create(user=user, kind=kind)


def test_registration_create_with_free_seat_but_waitlist_joins_waitlist(in_person):
    """A seat freed while people wait is not taken by whoever clicks first."""
    first, _ = fill(in_person, 2)
    waiting = join(in_person)
    services.registration_cancel(registration=first, actor=first.user)  # auto-offer off

    newcomer = join(in_person)

    assert newcomer.status == S.WAITLISTED
    assert selectors.waitlist_ranking(kind=in_person)[0].pk == waiting.pk


def test_ranking_orders_by_rules_bonus_and_joined_at(conference, in_person, rules):
    earlier = ConferenceFactory(starts_on=conference.starts_on - dt.timedelta(days=365))
    old_kind = AttendanceKindFactory(conference=earlier, capacity=None)
    fill(in_person, 2)
    returning = UserFactory(display_name="Returning")
    RegistrationFactory(user=returning, kind=old_kind, status=S.CONFIRMED)
    returning_reg = join(in_person, returning)
    new_reg = join(in_person, UserFactory(display_name="New"))
    bonus_reg = join(in_person, UserFactory(display_name="Bonus"))
    RegistrationFactory.reset_sequence()
    services.registration_set_bonus(registration=returning_reg, bonus=10, actor=None)
    services.registration_set_bonus(registration=bonus_reg, bonus=60, actor=None)

    ranking = selectors.waitlist_ranking(kind=in_person)

    assert [(e.user.display_name, e.score, e.rank) for e in ranking] == [
        ("Bonus", 110, 1),
        ("New", 50, 2),
        ("Returning", 10, 3),
    ]
    assert ranking[1].reasons == ["new attendee"]
    assert "new attendee" not in ranking[2].reasons
    assert new_reg.pk == ranking[1].pk


def test_ranking_speaker_accepted_after_joining_moves_up(conference, in_person, rules, organizer):
    fill(in_person, 2)
    first = join(in_person)
    speaker = UserFactory(display_name="Speaker")
    speaker_reg = join(in_person, speaker)
    proposal = ProposalFactory(track=TrackFactory(conference=conference), submitter=speaker)
    assert selectors.waitlist_position(registration=speaker_reg).position == 2

    proposal_decide(proposals=proposal, decision=Proposal.State.ACCEPTED, actor=organizer)

    position = selectors.waitlist_position(registration=speaker_reg)
    assert (position.position, position.total, position.score) == (1, 2, 150)
    assert position.reasons == ["speaker", "new attendee"]
    assert selectors.waitlist_position(registration=first).position == 2
    assert selectors.waitlist_ranking(kind=in_person)[0].pk == speaker_reg.pk


def test_ranking_ties_keep_joined_at_order(in_person, rules):
    fill(in_person, 2)
    regs = [join(in_person) for _ in range(3)]

    assert [e.pk for e in selectors.waitlist_ranking(kind=in_person)] == [r.pk for r in regs]
    assert [selectors.waitlist_position(registration=r).position for r in regs] == [1, 2, 3]


def test_waitlist_offer_next_offers_in_rank_order_with_expiry_mail(
    in_person, rules, organizer, django_capture_on_commit_callbacks
):
    fill(in_person, 2)
    low = join(in_person)
    high = join(in_person)
    services.registration_set_bonus(registration=high, bonus=5, actor=organizer)
    services.attendance_kind_set_capacity(kind=in_person, capacity=3, actor=organizer)

    with django_capture_on_commit_callbacks(execute=True):
        offered = services.waitlist_offer_next(kind=in_person, count=5, actor=organizer)

    assert [r.pk for r in offered] == [high.pk]
    high.refresh_from_db()
    low.refresh_from_db()
    assert high.status == S.OFFERED and low.status == S.WAITLISTED
    assert high.offer_expires_at == high.offered_at + in_person.offer_duration
    assert len(mail.outbox) == 1 and "/register/" in mail.outbox[0].body
    local = timezone.localtime(high.offer_expires_at, in_person.conference.tzinfo)
    assert local.strftime("%H:%M") in mail.outbox[0].body
    assert selectors.seats_in_use(kind=in_person) == 3


def test_waitlist_offer_next_without_free_seat_is_refused(in_person, organizer):
    fill(in_person, 2)
    join(in_person)

    with pytest.raises(RegistrationError, match="no free seat"):
        services.waitlist_offer_next(kind=in_person, count=1, actor=organizer)


def _offered(in_person, organizer):
    fill(in_person, 2)
    reg = join(in_person)
    services.attendance_kind_set_capacity(kind=in_person, capacity=3, actor=organizer)
    services.waitlist_offer_next(kind=in_person, count=1, actor=organizer)
    reg.refresh_from_db()
    return reg


def test_offer_accept_confirms(in_person, organizer, django_capture_on_commit_callbacks):
    reg = _offered(in_person, organizer)

    with django_capture_on_commit_callbacks(execute=True):
        services.offer_accept(registration=reg, user=reg.user)

    reg.refresh_from_db()
    assert reg.status == S.CONFIRMED
    assert [a.to_state for a in audit_trail(reg)][:1] == ["confirmed"]
    assert "confirmed" in mail.outbox[-1].subject


def test_offer_accept_by_someone_else_is_refused(in_person, organizer, user):
    reg = _offered(in_person, organizer)

    with pytest.raises(RegistrationError, match="not yours"):
        services.offer_accept(registration=reg, user=user)


def test_offer_decline_passes_the_seat_to_the_next(
    in_person, organizer, django_capture_on_commit_callbacks
):
    reg = _offered(in_person, organizer)
    next_reg = join(in_person)

    with django_capture_on_commit_callbacks(execute=True):
        services.offer_decline(registration=reg, user=reg.user)

    reg.refresh_from_db()
    next_reg.refresh_from_db()
    assert reg.status == S.DECLINED
    assert next_reg.status == S.OFFERED
    assert "declined" in mail.outbox[-2].subject
    assert selectors.seats_in_use(kind=in_person) == 3


def test_offer_expired_reads_as_expired_and_cannot_be_accepted(in_person, organizer):
    reg = _offered(in_person, organizer)
    Registration.objects.filter(pk=reg.pk).update(
        offer_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    reg.refresh_from_db()

    assert reg.status == S.OFFERED and reg.effective_status == S.EXPIRED
    assert selectors.seats_in_use(kind=in_person) == 2
    with pytest.raises(RegistrationError, match="expired"):
        services.offer_accept(registration=reg, user=reg.user)


def test_offer_expire_lapsed_expires_and_offers_the_next(
    in_person, organizer, django_capture_on_commit_callbacks
):
    reg = _offered(in_person, organizer)
    next_reg = join(in_person)
    Registration.objects.filter(pk=reg.pk).update(
        offer_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert services.offer_expire_lapsed(kind=in_person) == 1

    reg.refresh_from_db()
    next_reg.refresh_from_db()
    assert reg.status == S.EXPIRED and next_reg.status == S.OFFERED
    assert [m.subject.split(": ", 1)[1] for m in mail.outbox] == [
        "your in person offer expired",
        "a place is held for you (In person)",
    ]
    assert [a.to_state for a in audit_trail(reg)][0] == "expired"


def test_registration_cancel_with_auto_offer_offers_the_seat(
    in_person, organizer, django_capture_on_commit_callbacks
):
    in_person.auto_offer = True
    in_person.save()
    first, _ = fill(in_person, 2)
    waiting = join(in_person)

    with django_capture_on_commit_callbacks(execute=True):
        services.registration_cancel(registration=first, actor=first.user, reason="Cannot travel.")

    waiting.refresh_from_db()
    assert waiting.status == S.OFFERED
    assert any("cancelled" in m.subject for m in mail.outbox)


def test_capacity_raise_with_auto_offer_offers_seats(in_person, organizer):
    in_person.auto_offer = True
    in_person.save()
    fill(in_person, 2)
    waiting = [join(in_person) for _ in range(3)]

    services.attendance_kind_set_capacity(kind=in_person, capacity=4, actor=organizer)

    statuses = [Registration.objects.get(pk=r.pk).status for r in waiting]
    assert statuses == [S.OFFERED, S.OFFERED, S.WAITLISTED]
    in_person.refresh_from_db()
    row = list(audit_trail(in_person))[0]
    assert (row.from_state, row.to_state, row.actor_id) == ("2", "4", organizer.pk)


def test_capacity_below_seats_in_use_is_refused(in_person, organizer):
    fill(in_person, 2)

    with pytest.raises(RegistrationError, match="cannot go below"):
        services.attendance_kind_set_capacity(kind=in_person, capacity=1, actor=organizer)


def test_virtual_while_waiting_keeps_the_waitlist_place(in_person, virtual):
    fill(in_person, 2)
    person = UserFactory()
    waiting = join(in_person, person)

    online = services.registration_create(user=person, kind=virtual)

    assert online.status == S.CONFIRMED
    waiting.refresh_from_db()
    assert waiting.status == S.WAITLISTED


def test_confirming_in_person_ends_the_virtual_registration(
    in_person, virtual, organizer, django_capture_on_commit_callbacks
):
    reg = _offered(in_person, organizer)
    online = services.registration_create(user=reg.user, kind=virtual)

    with django_capture_on_commit_callbacks(execute=True):
        services.offer_accept(registration=reg, user=reg.user)

    online.refresh_from_db()
    assert online.status == S.CANCELLED
    assert list(audit_trail(online))[0].to_state == "cancelled"
    assert "virtual registration has ended" in mail.outbox[-1].body


def test_virtual_after_confirmed_in_person_is_refused(in_person, virtual, user):
    services.registration_create(user=user, kind=in_person)

    with pytest.raises(RegistrationError, match="in-person place"):
        services.registration_create(user=user, kind=virtual)
