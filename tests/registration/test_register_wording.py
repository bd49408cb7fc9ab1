"""/register/ explains itself: how it works before anyone acts, the person's own state in
place of the sold-out badge, distinct words for leaving the waitlist, declining an offer and
cancelling, why a virtual registration ended, and a page for anonymous visitors."""

import datetime as dt

from django.urls import reverse

from registration import services
from registration.models import Registration
from registration.templatetags.registration_hub import duration_words
from tests.factories import UserFactory, register_many
from tests.registration.factories import AttendanceKindFactory

URL = "/register/"
S = Registration.Status


def test_register_explains_capacity_rules_offer_time_and_virtual_before_acting(
    client, user, in_person, virtual, rules
):
    client.force_login(user)

    html = client.get(URL).text

    assert "How registration works" in html
    assert "2 seats, first come, first served" in html
    assert "accepted speakers, microconference leads" in html
    assert "new attendees: people who have not attended an earlier edition in person" in html
    assert "held for 2 days" in html  # the kind's offer_duration (48 hours)
    assert "keeps your position on the waitlist" in html
    assert "ends by itself when you confirm an in-person place" in html
    # Which rule applies to me, before I join: I never attended in person.
    assert "For you:" in html and "(new attendee)" in html


def test_register_says_when_no_rule_applies_to_a_returning_attendee(
    client, user, conference, in_person, rules
):
    earlier = AttendanceKindFactory(
        conference__starts_on=conference.starts_on - dt.timedelta(days=365), name="In person"
    )
    Registration.objects.create(
        user=user, kind=earlier, status=S.CONFIRMED, confirmed_at=earlier.opens_at
    )
    client.force_login(user)

    html = client.get(URL).text

    assert "no priority rule applies to you at the moment" in html


def test_register_waitlisted_sees_state_not_sold_out_and_leave_the_waitlist(
    client, user, in_person, rules
):
    register_many(in_person, 2)
    services.registration_create(user=user, kind=in_person, reason="I co-maintain a driver.")
    client.force_login(user)

    html = client.get(URL).text

    assert "Sold out — join the waitlist" not in html
    assert "You are on the waitlist: #1 of 1" in html
    assert "Your priority: you have not attended in person before (new attendee)." in html
    assert ">Leave the waitlist</a>" in html
    assert "Cancel my registration" not in html


def test_register_leaving_the_waitlist_is_worded_as_such(client, user, in_person):
    register_many(in_person, 2)
    reg = services.registration_create(user=user, kind=in_person, reason="Please.")
    client.force_login(user)
    url = reverse("registration:cancel", args=[reg.pk])

    confirm = client.get(url).text
    done = client.post(url, follow=True).text

    assert "Leave the in person waitlist?" in confirm
    assert "Yes, leave the waitlist" in confirm
    assert "you left the waitlist" in done
    reg.refresh_from_db()
    assert reg.status == S.CANCELLED


def test_register_offer_has_decline_the_offer_and_no_cancel(client, user, in_person, organizer):
    register_many(in_person, 2)
    reg = services.registration_create(user=user, kind=in_person, reason="Please.")
    services.attendance_kind_set_capacity(kind=in_person, capacity=3, actor=organizer)
    services.waitlist_offer_next(kind=in_person, count=1, actor=organizer)
    client.force_login(user)

    html = client.get(URL).text

    assert "A place is offered to you" in html
    assert ">Accept the offer</button>" in html and ">Decline the offer</button>" in html
    assert "Cancel my registration" not in html and "Leave the waitlist" not in html
    assert "(Dublin time, UTC" in html  # never a bare "IST"
    assert "IST" not in html
    assert f'href="{reverse("registration:cancel", args=[reg.pk])}"' not in html


def test_register_confirmed_has_cancel_my_registration(client, user, in_person):
    services.registration_create(user=user, kind=in_person)
    client.force_login(user)

    html = client.get(URL).text

    assert "You have a place" in html
    assert ">Cancel my registration</a>" in html
    assert "Leave the waitlist" not in html and "Decline the offer" not in html


def test_register_virtual_ended_by_in_person_says_so(client, user, in_person, virtual, organizer):
    register_many(in_person, 2)
    services.registration_create(user=user, kind=in_person, reason="Please.")
    services.registration_create(user=user, kind=virtual)
    services.attendance_kind_set_capacity(kind=in_person, capacity=3, actor=organizer)
    (offer,) = services.waitlist_offer_next(kind=in_person, count=1, actor=organizer)
    services.offer_accept(registration=offer, user=user)
    client.force_login(user)

    html = client.get(URL).text

    assert "Ended by your in-person place" in html
    assert "Your virtual registration ended when you confirmed your in-person place" in html
    # Nothing to register for: the in-person place includes everything virtual.
    assert html.count(">Register</button>") == 0


def test_register_cancelled_shows_why(client, user, in_person, organizer):
    reg = services.registration_create(user=user, kind=in_person)
    services.registration_cancel(
        registration=reg, actor=organizer, reason="Duplicate of another account."
    )
    client.force_login(user)

    html = client.get(URL).text

    assert "Why: Duplicate of another account." in html


def test_register_anonymous_page_explains_and_keeps_next(client, in_person, rules):
    response = client.get(URL)

    assert response.status_code == 200
    assert "How registration works" in response.text
    assert "For you:" not in response.text
    assert f'href="{reverse("account_login")}?next=/register/">Log in</a>' in response.text
    assert (
        f'href="{reverse("account_signup")}?next=/register/">Create an account</a>' in response.text
    )


def test_register_anonymous_without_edition_says_so(client, db):
    response = client.get(URL)

    assert response.status_code == 200
    assert "No edition is open for registration yet." in response.text


def test_register_page_query_count_does_not_grow_with_the_waitlist(client, user, in_person, rules):
    from tests.conftest import get_counting_queries

    register_many(in_person, 2)
    services.registration_create(user=user, kind=in_person, reason="Me first.")
    client.force_login(user)
    client.get(URL)
    few, _ = get_counting_queries(client, URL)
    for _ in range(10):
        services.registration_create(user=UserFactory(), kind=in_person, reason="Me too.")
    client.get(URL)  # new accounts changed the content version: the shared reads again
    many, response = get_counting_queries(client, URL)

    assert "#1 of 11" in response.text
    assert many == few


def test_duration_words():
    assert duration_words(dt.timedelta(hours=72)) == "3 days"
    assert duration_words(dt.timedelta(days=1)) == "1 day"
    assert duration_words(dt.timedelta(hours=36)) == "36 hours"
    assert duration_words(dt.timedelta(minutes=90)) == "90 minutes"
    assert duration_words(None) == ""
