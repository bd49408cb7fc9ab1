"""Complimentary passes: issued within the allowance, each holding a seat, used once."""

import pytest
from django.core import mail
from django.db import IntegrityError, transaction

from plumbers.audit import audit_trail
from registration import selectors, services
from registration.models import ComplimentaryPass, Registration
from registration.services import RegistrationError
from tests.factories import UserFactory
from tests.microconferences.factories import MicroconferenceFactory
from tests.registration.factories import VirtualKindFactory
from tests.sponsors.factories import SponsorFactory, SponsorTierFactory

S = Registration.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def sponsor(conference):
    return SponsorFactory(tier=SponsorTierFactory(conference=conference, complimentary_passes=2))


def test_pass_issue_within_allowance_holds_seats(in_person, sponsor, organizer):
    passes = services.pass_issue(kind=in_person, sponsor=sponsor, count=2, actor=organizer)

    assert len({p.code for p in passes}) == 2
    assert all(len(p.code) == 16 and p.code.isupper() for p in passes)
    assert passes[0].display_code.count("-") == 3
    assert selectors.seats_in_use(kind=in_person) == 2
    assert list(audit_trail(passes[0]))[0].to_state == "issued"


def test_pass_issue_beyond_allowance_is_refused(in_person, sponsor, organizer):
    in_person.capacity = 10
    in_person.save()
    services.pass_issue(kind=in_person, sponsor=sponsor, count=1, actor=organizer)

    with pytest.raises(RegistrationError, match="may give out 2 passes and already has 1"):
        services.pass_issue(kind=in_person, sponsor=sponsor, count=2, actor=organizer)
    assert ComplimentaryPass.objects.count() == 1


def test_pass_issue_after_revoke_counts_only_unrevoked(in_person, sponsor, organizer):
    first, second = services.pass_issue(kind=in_person, sponsor=sponsor, count=2, actor=organizer)
    services.pass_revoke(pass_=first, actor=organizer, reason="Sent to the wrong person.")

    again = services.pass_issue(kind=in_person, sponsor=sponsor, count=1, actor=organizer)

    assert len(again) == 1


def test_pass_issue_without_free_seat_is_refused(in_person, sponsor, organizer):
    for _ in range(2):
        services.registration_create(user=UserFactory(), kind=in_person)

    with pytest.raises(RegistrationError, match="Only 0 seats"):
        services.pass_issue(kind=in_person, sponsor=sponsor, count=1, actor=organizer)


def test_pass_issue_for_microconference_uses_its_allowance(conference, in_person, organizer):
    mc = MicroconferenceFactory(conference=conference, complimentary_passes=1)

    services.pass_issue(kind=in_person, microconference=mc, count=1, actor=organizer)

    with pytest.raises(RegistrationError, match="may give out 1"):
        services.pass_issue(kind=in_person, microconference=mc, count=1, actor=organizer)


def test_pass_needs_exactly_one_issuer_in_the_database(in_person):
    with pytest.raises(IntegrityError), transaction.atomic():
        ComplimentaryPass.objects.create(code="ABCDEFGHJKLMNPQR", kind=in_person)


def test_pass_redeem_when_sold_out_confirms_without_waitlist(
    in_person, sponsor, organizer, django_capture_on_commit_callbacks
):
    (item,) = services.pass_issue(kind=in_person, sponsor=sponsor, count=1, actor=organizer)
    services.registration_create(user=UserFactory(), kind=in_person)
    services.registration_create(user=UserFactory(), kind=in_person, reason="Please.")
    holder = UserFactory()

    with django_capture_on_commit_callbacks(execute=True):
        reg = services.pass_redeem(code=item.display_code.lower(), user=holder)

    assert reg.status == S.CONFIRMED and reg.user == holder
    item.refresh_from_db()
    assert item.status == "redeemed" and item.redeemed_registration == reg
    assert selectors.seats_in_use(kind=in_person) == 2
    assert "complimentary pass" in mail.outbox[-1].body
    assert list(audit_trail(item))[0].to_state == "redeemed"


def test_pass_redeem_twice_is_refused(in_person, sponsor, organizer):
    (item,) = services.pass_issue(kind=in_person, sponsor=sponsor, count=1, actor=organizer)
    services.pass_redeem(code=item.code, user=UserFactory())

    with pytest.raises(RegistrationError, match="already been used"):
        services.pass_redeem(code=item.code, user=UserFactory())


def test_pass_redeem_unknown_or_revoked_code_is_refused(in_person, sponsor, organizer, user):
    (item,) = services.pass_issue(kind=in_person, sponsor=sponsor, count=1, actor=organizer)
    services.pass_revoke(pass_=item, actor=organizer, reason="Sponsor withdrew.")

    with pytest.raises(RegistrationError, match="not known"):
        services.pass_redeem(code="NOPE-NOPE-NOPE-NOPE", user=user)
    with pytest.raises(RegistrationError, match="revoked"):
        services.pass_redeem(code=item.code, user=user)
    assert not Registration.objects.filter(user=user).exists()


def test_pass_redeem_by_waitlisted_person_confirms_that_registration(
    in_person, virtual, sponsor, organizer
):
    (item,) = services.pass_issue(kind=in_person, sponsor=sponsor, count=1, actor=organizer)
    services.registration_create(user=UserFactory(), kind=in_person)
    person = UserFactory()
    waiting = services.registration_create(user=person, kind=in_person, reason="Speaker.")
    online = services.registration_create(user=person, kind=virtual)

    reg = services.pass_redeem(code=item.code, user=person)

    assert reg.pk == waiting.pk and reg.status == S.CONFIRMED
    online.refresh_from_db()
    assert online.status == S.CANCELLED
    assert Registration.objects.filter(user=person, kind=in_person).count() == 1


def test_pass_revoke_frees_the_seat_and_auto_offers(in_person, sponsor, organizer):
    in_person.auto_offer = True
    in_person.save()
    (item,) = services.pass_issue(kind=in_person, sponsor=sponsor, count=1, actor=organizer)
    services.registration_create(user=UserFactory(), kind=in_person)
    waiting = services.registration_create(user=UserFactory(), kind=in_person, reason="Keen.")

    services.pass_revoke(pass_=item, actor=organizer, reason="Unused.")

    waiting.refresh_from_db()
    assert waiting.status == S.OFFERED
    row = list(audit_trail(item))[0]
    assert (row.to_state, row.reason) == ("revoked", "Unused.")


def test_pass_for_virtual_kind_is_refused(conference, sponsor, organizer):
    kind = VirtualKindFactory(conference=conference)

    with pytest.raises(RegistrationError, match="in-person"):
        services.pass_issue(kind=kind, sponsor=sponsor, count=1, actor=organizer)
