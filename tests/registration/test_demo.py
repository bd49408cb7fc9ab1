import pytest

from plumbers.demo import load_demo
from registration import selectors
from registration.models import AttendanceKind, Registration

pytestmark = pytest.mark.django_db


def test_demo_registration_is_sold_out_with_waitlist_and_idempotent():
    ctx = load_demo(out=lambda message: None)
    counts = Registration.objects.count()

    load_demo(out=lambda message: None)

    assert Registration.objects.count() == counts
    in_person = AttendanceKind.objects.get(conference=ctx.conference, kind="in_person")
    virtual = AttendanceKind.objects.get(conference=ctx.conference, kind="virtual")
    (summary,) = selectors.kind_summaries(kinds=[in_person])
    assert summary.sold_out and summary.in_use == in_person.capacity
    assert summary.waitlisted >= 20
    assert virtual.capacity is None
    ranking = selectors.waitlist_ranking(kind=in_person)
    assert {tuple(e.reasons) for e in ranking} >= {("new attendee",), ()}
    assert ctx.accounts["attendee"].pk in {e.user_id for e in ranking}
