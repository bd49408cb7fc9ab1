"""The organizers' capacity and waitlist pages: set capacity and offer the freed seats, see
the pending offers with their expiry next to the ranked waitlist, offer the next N, extend or
withdraw an offer. Every action through an audited, mailed service; refusals on the page."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from plumbers.models import AuditLog
from registration import services
from registration.models import Registration
from tests.conftest import get_counting_queries
from tests.factories import ConferenceFactory, UserFactory
from tests.registration.factories import AttendanceKindFactory

S = Registration.Status
pytestmark = pytest.mark.django_db


def fill(kind, n):
    return [services.registration_create(user=UserFactory(), kind=kind) for _ in range(n)]


def join(kind, n, name="Waiting"):
    return [
        services.registration_create(
            user=UserFactory(display_name=f"{name} {i}"), kind=kind, reason="I maintain a driver."
        )
        for i in range(n)
    ]


def capacity_url(kind):
    return reverse("admin:registration_attendancekind_capacity", args=[kind.pk])


def waitlist_url(kind):
    return reverse("admin:registration_attendancekind_waitlist", args=[kind.pk])


def test_capacity_page_shows_the_seat_ledger_and_offers_now_by_default(organizer_client, in_person):
    fill(in_person, 2)
    join(in_person, 3)

    page = organizer_client.get(capacity_url(in_person)).text

    assert '<th scope="row">Capacity</th><td>2</td>' in page
    assert '<th scope="row">Seats in use</th><td>2 (2 confirmed' in page
    assert 'id="free-seats">0<' in page and 'id="waiting">3<' in page
    assert "Auto-offer</th><td>off" in page
    assert (
        'name="offer_now" checked' in page
        or 'checked name="offer_now"' in page
        or ('name="offer_now"' in page and "checked" in page.split('name="offer_now"')[1][:80])
    )


def test_raising_capacity_with_offer_now_offers_and_names_them(
    organizer_client, organizer, in_person, django_capture_on_commit_callbacks
):
    fill(in_person, 2)
    first, second, third = join(in_person, 3)

    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(
            capacity_url(in_person),
            {"capacity": "4", "offer_now": "on", "reason": "Bigger room."},
            follow=True,
        )

    statuses = dict(Registration.objects.filter(kind=in_person).values_list("pk", "status"))
    assert statuses[first.pk] == S.OFFERED and statuses[second.pk] == S.OFFERED
    assert statuses[third.pk] == S.WAITLISTED
    message = str(list(response.context["messages"])[0])
    assert "capacity 2 → 4" in message
    assert f"Offered 2 seats to {first.user} <{first.user.email}>, {second.user}" in message
    assert "(Dublin time, UTC" in message
    assert "Now 0 seats free, 1 waiting." in message
    assert response.redirect_chain[-1][0] == waitlist_url(in_person)
    audit = AuditLog.objects.get(action="capacity_set")
    assert (audit.from_state, audit.to_state, audit.reason, audit.actor) == (
        "2",
        "4",
        "Bigger room.",
        organizer,
    )
    assert len(mail.outbox) == 2


def test_raising_capacity_without_offer_now_says_why_no_offer(organizer_client, in_person):
    fill(in_person, 2)
    join(in_person, 2)
    in_person.auto_offer = True
    in_person.save()

    response = organizer_client.post(capacity_url(in_person), {"capacity": "3"}, follow=True)

    message = str(list(response.context["messages"])[0])
    assert "No offers made: you chose not to offer the free seats now." in message
    assert "Now 1 seat free, 2 waiting." in message
    assert not Registration.objects.filter(status=S.OFFERED).exists()


def test_raising_capacity_with_nobody_waiting_says_so(organizer_client, in_person):
    fill(in_person, 1)

    response = organizer_client.post(
        capacity_url(in_person), {"capacity": "5", "offer_now": "on"}, follow=True
    )

    message = str(list(response.context["messages"])[0])
    assert "No offers made: nobody is waiting. Now 4 seats free, 0 waiting." in message


def test_capacity_with_no_free_seat_says_none_is_free(organizer_client, in_person):
    fill(in_person, 2)
    join(in_person, 1)

    response = organizer_client.post(
        capacity_url(in_person), {"capacity": "2", "offer_now": "on"}, follow=True
    )

    message = str(list(response.context["messages"])[0])
    assert "No offers made: no seat is free (2 in use of 2)." in message


def test_capacity_below_seats_in_use_is_refused_on_the_page(organizer_client, in_person):
    fill(in_person, 2)

    response = organizer_client.post(
        capacity_url(in_person), {"capacity": "1", "reason": "Smaller room"}
    )

    assert response.status_code == 200
    assert "2 seats of In person are in use" in response.text
    assert 'value="Smaller room"' in response.text  # nothing typed is lost
    in_person.refresh_from_db()
    assert in_person.capacity == 2


def test_capacity_page_refuses_empty_and_garbage(organizer_client, in_person):
    empty = organizer_client.post(capacity_url(in_person), {"capacity": ""})
    garbage = organizer_client.post(capacity_url(in_person), {"capacity": "lots"})

    assert "or tick “No limit”" in empty.text
    assert "Enter a whole number." in garbage.text
    in_person.refresh_from_db()
    assert in_person.capacity == 2


def test_waitlist_page_lists_pending_offers_with_labelled_expiry(
    organizer_client, organizer, in_person
):
    fill(in_person, 2)
    join(in_person, 3)
    services.attendance_kind_set_capacity(kind=in_person, capacity=3, actor=organizer)
    services.waitlist_offer_next(kind=in_person, count=1, actor=organizer)
    offer = Registration.objects.get(status=S.OFFERED)

    page = organizer_client.get(waitlist_url(in_person)).text

    offers = page.split('id="offers"')[1].split("</table>")[0]
    assert str(offer.user) in offers
    local = timezone.localtime(offer.offer_expires_at, in_person.conference.tzinfo)
    assert f"{local:%H:%M} (Dublin time, UTC" in offers
    assert "Extend offer" in offers and "Withdraw offer" in offers
    ranked = page.split('id="waitlist"')[1]
    assert "Waiting 1" in ranked and "Waiting 2" in ranked and str(offer.user) not in ranked
    assert 'id="free-seats">0<' in page


def test_offer_next_from_the_waitlist_page(organizer_client, organizer, in_person):
    fill(in_person, 2)
    first, _ = join(in_person, 2)
    services.attendance_kind_set_capacity(kind=in_person, capacity=3, actor=organizer)

    response = organizer_client.post(
        reverse("admin:registration_attendancekind_offer_next", args=[in_person.pk]),
        {"count": "5"},
        follow=True,
    )

    first.refresh_from_db()
    assert first.status == S.OFFERED
    message = str(list(response.context["messages"])[0])
    assert (
        f"offered 1 place to {first.user}" in message and "Now 0 seats free, 1 waiting." in message
    )


def test_offer_next_with_no_free_seat_is_refused_on_the_page(organizer_client, in_person):
    fill(in_person, 2)
    join(in_person, 1)

    response = organizer_client.post(
        reverse("admin:registration_attendancekind_offer_next", args=[in_person.pk]),
        {"count": "1"},
    )

    assert response.status_code == 200
    assert "has no free seat to offer" in response.text


def _one_offer(organizer, in_person):
    fill(in_person, 2)
    join(in_person, 2)
    services.attendance_kind_set_capacity(kind=in_person, capacity=3, actor=organizer)
    (offer,) = services.waitlist_offer_next(kind=in_person, count=1, actor=organizer)
    mail.outbox.clear()
    return offer


def test_extending_an_offer_moves_its_expiry_audits_and_mails(
    organizer_client, organizer, in_person, django_capture_on_commit_callbacks
):
    offer = _one_offer(organizer, in_person)
    before = offer.offer_expires_at

    with django_capture_on_commit_callbacks(execute=True):
        response = organizer_client.post(
            reverse(
                "admin:registration_attendancekind_offer_extend", args=[in_person.pk, offer.pk]
            ),
            {"hours": "24", "reason": "Asked for a day more."},
            follow=True,
        )

    offer.refresh_from_db()
    assert offer.offer_expires_at == before + dt.timedelta(hours=24)
    audit = AuditLog.objects.get(action="offer_extended")
    assert audit.reason == "Asked for a day more." and audit.actor == organizer
    assert audit.to_state == offer.offer_expires_at.isoformat()
    (sent,) = mail.outbox
    assert sent.to == [offer.user.email] and "(Dublin time, UTC" in sent.body
    assert "now held until" in str(list(response.context["messages"])[0])


def test_withdrawing_an_offer_puts_the_person_back_and_mails_the_reason(
    organizer_client, organizer, in_person, django_capture_on_commit_callbacks
):
    offer = _one_offer(organizer, in_person)
    url = reverse("admin:registration_attendancekind_offer_withdraw", args=[in_person.pk, offer.pk])

    refused = organizer_client.post(url, {"reason": ""})
    with django_capture_on_commit_callbacks(execute=True):
        done = organizer_client.post(url, {"reason": "Offered by mistake."}, follow=True)

    assert "This field is required." in refused.text
    offer.refresh_from_db()
    assert offer.status == S.WAITLISTED and offer.offer_expires_at is None
    assert offer.joined_at is not None
    audit = AuditLog.objects.get(
        action="registration_waitlisted", object_id=str(offer.pk), from_state=S.OFFERED
    )
    assert audit.reason == "Offered by mistake." and audit.actor == organizer
    (sent,) = mail.outbox
    assert "Offered by mistake." in sent.body and sent.to == [offer.user.email]
    assert "back on the waitlist" in str(list(done.context["messages"])[0])
    assert "1 seat free" in str(list(done.context["messages"])[0])


def test_a_lapsed_offer_cannot_be_extended_or_withdrawn(organizer_client, organizer, in_person):
    offer = _one_offer(organizer, in_person)
    Registration.objects.filter(pk=offer.pk).update(
        offer_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )

    extend = organizer_client.post(
        reverse("admin:registration_attendancekind_offer_extend", args=[in_person.pk, offer.pk]),
        {"hours": "24"},
    )
    withdraw = organizer_client.post(
        reverse("admin:registration_attendancekind_offer_withdraw", args=[in_person.pk, offer.pk]),
        {"reason": "x"},
    )

    assert "has no open offer to extend" in extend.text
    assert "has no open offer to withdraw" in withdraw.text
    assert not AuditLog.objects.filter(action="offer_extended").exists()


def test_offer_of_another_kind_is_not_found(organizer_client, organizer, in_person, virtual):
    offer = _one_offer(organizer, in_person)

    response = organizer_client.get(
        reverse("admin:registration_attendancekind_offer_extend", args=[virtual.pk, offer.pk])
    )

    assert response.status_code == 404


def test_offer_filter_on_the_registration_list(organizer_client, organizer, in_person):
    offer = _one_offer(organizer, in_person)
    base = reverse("admin:registration_registration_changelist")

    pending = organizer_client.get(base + "?offer=pending").context["cl"]
    expiring = organizer_client.get(base + "?offer=expiring").context["cl"]
    Registration.objects.filter(pk=offer.pk).update(
        offer_expires_at=timezone.now() + dt.timedelta(hours=2)
    )
    soon = organizer_client.get(base + "?offer=expiring").context["cl"]

    assert pending.result_count == 1 and expiring.result_count == 0
    assert soon.result_count == 1


def test_registration_list_shows_times_in_the_edition_zone(organizer_client, in_person):
    reg = fill(in_person, 1)[0]

    page = organizer_client.get(reverse("admin:registration_registration_changelist")).text
    change = organizer_client.get(
        reverse("admin:registration_registration_change", args=[reg.pk])
    ).text

    local = timezone.localtime(reg.created_at, in_person.conference.tzinfo)
    assert f"{local:%H:%M} (Dublin time, UTC" in page
    assert f"{local:%H:%M} (Dublin time, UTC" in change


def _waitlist_queries(client, organizer, size) -> int:
    kind = AttendanceKindFactory(conference=ConferenceFactory(), capacity=1)
    fill(kind, 1)
    join(kind, size * 2)
    services.attendance_kind_set_capacity(kind=kind, capacity=1 + size, actor=organizer)
    services.waitlist_offer_next(kind=kind, count=size, actor=organizer)
    client.get(waitlist_url(kind))  # the signed-in organizer read alike in both runs
    n, _ = get_counting_queries(client, waitlist_url(kind))
    return n


def test_waitlist_page_queries_do_not_grow_with_offers_and_waitlist(organizer_client, organizer):
    one = _waitlist_queries(organizer_client, organizer, 1)
    many = _waitlist_queries(organizer_client, organizer, 15)

    assert one == many


def test_no_limit_offers_everyone_waiting(organizer, in_person):
    fill(in_person, 2)
    waiting = join(in_person, 3)

    change = services.attendance_kind_change_capacity(
        kind=in_person, capacity=None, actor=organizer, offer_now=True
    )

    assert [r.pk for r in change.offered] == [r.pk for r in waiting]
    assert (change.before, change.after, change.free, change.waiting) == (2, None, None, 0)


def test_offer_extend_refuses_hours_out_of_range(organizer, in_person):
    offer = _one_offer(organizer, in_person)

    for hours in (0, 24 * 30 + 1):
        with pytest.raises(services.RegistrationError, match="Extend by 1 to 720 hours"):
            services.offer_extend(registration=offer, hours=hours, actor=organizer)
