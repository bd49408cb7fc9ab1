"""/register/, the home status, the admin pages and the CSV exports."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registration import services
from registration.exports import csv_safe
from registration.models import Registration
from tests.factories import UserFactory
from tests.registration.factories import AttendanceKindFactory
from tests.sponsors.factories import SponsorFactory, SponsorTierFactory

S = Registration.Status
pytestmark = pytest.mark.django_db
URL = "/register/"


def fill(kind, n):
    for _ in range(n):
        services.registration_create(user=UserFactory(), kind=kind)


def test_register_page_anonymous_explains_and_offers_login_keeping_next(client, conference):
    response = client.get(URL)

    assert response.status_code == 200
    assert "How registration works" in response.text
    assert f'href="{reverse("account_login")}?next={URL}">Log in<' in response.text
    assert f'href="{reverse("account_signup")}?next={URL}">Create an account<' in response.text


def test_register_page_unverified_asks_for_verification(client, conference, in_person):
    person = UserFactory(verified=False)
    client.force_login(person)

    response = client.get(URL)
    post = client.post(reverse("registration:register_kind", args=[in_person.pk]))

    assert "verify your email address" in response.text
    assert "Register</button>" not in response.text
    assert post.status_code == 403
    assert not Registration.objects.exists()


def test_register_page_shows_seats_left_and_register_button(client, user, in_person, virtual):
    client.force_login(user)

    response = client.get(URL)

    assert "2 seats left" in response.text
    assert "Places available" in response.text
    assert response.text.count(">Register</button>") == 2


def test_register_post_with_seat_confirms(client, user, in_person):
    client.force_login(user)

    response = client.post(reverse("registration:register_kind", args=[in_person.pk]), follow=True)

    assert Registration.objects.get(user=user).status == S.CONFIRMED
    assert 'data-status="confirmed"' in response.text
    assert "Cancel my registration" in response.text  # a link to the confirmation page


def test_register_page_sold_out_offers_waitlist_with_reason(client, user, in_person):
    fill(in_person, 2)
    client.force_login(user)

    response = client.get(URL)

    assert "Sold out — join the waitlist" in response.text
    assert "Join the waitlist" in response.text
    assert "Why do you want to attend?" in response.text


def test_register_post_when_sold_out_meanwhile_shows_waitlist_form(client, user, in_person):
    fill(in_person, 2)
    client.force_login(user)

    response = client.post(reverse("registration:register_kind", args=[in_person.pk]))

    assert response.status_code == 400
    assert "tell us why you want to attend" in response.text
    assert "Join the waitlist" in response.text
    assert not Registration.objects.filter(user=user).exists()


def test_register_post_waitlist_without_reason_keeps_form(client, user, in_person):
    fill(in_person, 2)
    client.force_login(user)

    response = client.post(
        reverse("registration:register_kind", args=[in_person.pk]),
        {"waitlist": "1", f"kind{in_person.pk}-reason": ""},
    )

    assert response.status_code == 400
    assert "This field is required." in response.text


def test_register_post_waitlist_shows_position_and_reasons(client, user, in_person, rules):
    fill(in_person, 2)
    services.registration_create(user=UserFactory(), kind=in_person, reason="First.")
    client.force_login(user)

    response = client.post(
        reverse("registration:register_kind", args=[in_person.pk]),
        {"waitlist": "1", f"kind{in_person.pk}-reason": "I <3 plumbing"},
        follow=True,
    )

    reg = Registration.objects.get(user=user)
    assert reg.status == S.WAITLISTED and reg.reason == "I <3 plumbing"
    assert "#2 of 2" in response.text
    assert "new attendee" in response.text


def test_accept_view_confirms_offer(client, user, in_person, organizer):
    fill(in_person, 2)
    reg = services.registration_create(user=user, kind=in_person, reason="Please.")
    services.attendance_kind_set_capacity(kind=in_person, capacity=3, actor=organizer)
    services.waitlist_offer_next(kind=in_person, count=1, actor=organizer)
    client.force_login(user)
    page = client.get(URL)
    assert "Accept the offer" in page.text and "Decline the offer" in page.text

    response = client.post(reverse("registration:accept", args=[reg.pk]), follow=True)

    reg.refresh_from_db()
    assert reg.status == S.CONFIRMED
    assert "your registration is confirmed" in response.text


def test_accept_view_of_someone_elses_registration_is_404(client, user, in_person):
    other = services.registration_create(user=UserFactory(), kind=in_person)
    client.force_login(user)

    response = client.post(reverse("registration:cancel", args=[other.pk]))

    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == S.CONFIRMED


def test_redeem_view_with_unknown_code_shows_error_and_code(client, user, in_person):
    client.force_login(user)

    response = client.post(reverse("registration:redeem"), {"code": "WXYZ-9999"})

    assert response.status_code == 400
    assert "not known" in response.text
    assert 'value="WXYZ-9999"' in response.text


def test_redeem_view_confirms(client, user, conference, in_person, organizer):
    sponsor = SponsorFactory(tier=SponsorTierFactory(conference=conference, complimentary_passes=1))
    (item,) = services.pass_issue(kind=in_person, sponsor=sponsor, count=1, actor=organizer)
    client.force_login(user)

    response = client.post(reverse("registration:redeem"), {"code": item.display_code}, follow=True)

    assert Registration.objects.get(user=user).status == S.CONFIRMED
    assert "confirmed with your pass" in response.text
    assert "Redeem a complimentary pass" not in response.text


def _page_queries(client, user):
    client.force_login(user)
    client.get(URL)  # warm session and site caches
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(URL)
    assert response.status_code == 200
    return len(ctx), response


def test_register_page_query_count_is_fixed(client, conference, rules):
    kind = AttendanceKindFactory(conference=conference, capacity=1)
    fill(kind, 1)
    me = UserFactory()
    services.registration_create(user=me, kind=kind, reason="Me.")
    few, first = _page_queries(client, me)
    for _ in range(15):
        services.registration_create(user=UserFactory(), kind=kind, reason="Others.")
    AttendanceKindFactory(conference=conference, name="Virtual", kind="virtual", capacity=None)

    many, second = _page_queries(client, me)

    assert "#1 of 1" in first.text and "#1 of 16" in second.text
    assert many == few


def test_waitlist_ranking_query_count_is_fixed(conference, rules, django_assert_num_queries):
    from registration.selectors import waitlist_ranking

    kind = AttendanceKindFactory(conference=conference, capacity=0)
    services.registration_create(user=UserFactory(), kind=kind, reason="One.")
    with CaptureQueriesContext(connection) as few:
        assert len(waitlist_ranking(kind=kind)) == 1
    for _ in range(12):
        services.registration_create(user=UserFactory(), kind=kind, reason="More.")

    with django_assert_num_queries(len(few)):
        assert len(waitlist_ranking(kind=kind)) == 13


def test_home_shows_registration_status(client, conference, in_person, virtual):
    fill(in_person, 2)
    services.registration_create(user=UserFactory(), kind=in_person, reason="Please.")

    response = client.get("/")

    assert "sold out" in response.text and "waitlist open" in response.text
    assert "virtual places available" in response.text


def test_csv_safe_prefixes_formula_cells():
    assert [csv_safe(v) for v in ["=1+1", "+x", "-2", "@SUM", "plain", 3, None]] == [
        "'=1+1",
        "'+x",
        "'-2",
        "'@SUM",
        "plain",
        "3",
        "",
    ]


def test_admin_csv_exports_attendees_and_ranked_waitlist(client, organizer, in_person, rules):
    services.registration_create(user=UserFactory(display_name="=HYPERLINK(evil)"), kind=in_person)
    fill(in_person, 1)
    services.registration_create(
        user=UserFactory(display_name="Wendy"), kind=in_person, reason="@me"
    )
    client.force_login(organizer)

    attendees = client.get(
        reverse("admin:registration_attendancekind_attendees_csv", args=[in_person.pk])
    )
    waitlist = client.get(
        reverse("admin:registration_attendancekind_waitlist_csv", args=[in_person.pk])
    )

    rows = list(csv.reader(io.StringIO(b"".join(attendees.streaming_content).decode())))
    assert rows[0][0] == "name" and len(rows) == 3
    assert rows[1][0] == "'=HYPERLINK(evil)"
    wrows = list(csv.reader(io.StringIO(b"".join(waitlist.streaming_content).decode())))
    assert wrows[0][:3] == ["rank", "score", "name"]
    assert wrows[1][:3] == ["1", "50", "Wendy"]
    assert wrows[1][-1] == "'@me"


def test_admin_offer_next_action_offers_places(client, organizer, in_person):
    fill(in_person, 2)
    waiting = services.registration_create(user=UserFactory(), kind=in_person, reason="x")
    services.attendance_kind_set_capacity(kind=in_person, capacity=3, actor=organizer)
    client.force_login(organizer)
    url = reverse("admin:registration_attendancekind_changelist")

    form = client.post(url, {"action": "offer_next_places", "_selected_action": [in_person.pk]})
    done = client.post(
        url,
        {
            "action": "offer_next_places",
            "_selected_action": [in_person.pk],
            "apply": "1",
            "count": "1",
        },
        follow=True,
    )

    assert "Number of places to offer" in form.text
    waiting.refresh_from_db()
    assert waiting.status == S.OFFERED
    assert "offered 1 place" in done.text


def test_admin_waitlist_view_lists_rank_and_score(client, organizer, in_person, rules):
    fill(in_person, 2)
    services.registration_create(
        user=UserFactory(display_name="Waiting Wanda"), kind=in_person, reason="x"
    )
    client.force_login(organizer)

    response = client.get(
        reverse("admin:registration_attendancekind_waitlist", args=[in_person.pk])
    )

    assert "Waiting Wanda" in response.text
    assert "<td>1</td>\n        <td>50</td>" in response.text


def test_admin_kind_list_shows_summary(client, organizer, in_person):
    fill(in_person, 2)
    client.force_login(organizer)

    response = client.get(reverse("admin:registration_attendancekind_changelist"))

    assert response.status_code == 200
    assert '<td class="field-confirmed_n">2</td>' in response.text
    assert '<td class="field-seats_left">0</td>' in response.text


def test_admin_pass_issue_view_issues_codes(client, organizer, conference, in_person):
    sponsor = SponsorFactory(tier=SponsorTierFactory(conference=conference, complimentary_passes=1))
    client.force_login(organizer)

    response = client.post(
        reverse("admin:registration_complimentarypass_issue"),
        {"kind": in_person.pk, "sponsor": sponsor.pk, "count": "2"},
    )

    assert "may give out 1 passes" in response.text
    assert not sponsor.issued_passes.exists()


def test_admin_set_capacity_action_needs_a_value_and_is_audited(client, organizer, in_person):
    client.force_login(organizer)
    url = reverse("admin:registration_attendancekind_changelist")
    base = {"action": "set_capacity", "_selected_action": [in_person.pk], "apply": "1"}

    blank = client.post(url, {**base, "capacity": ""})
    done = client.post(url, {**base, "capacity": "5", "reason": "Bigger room."}, follow=True)

    assert "or tick “No limit”" in blank.text
    in_person.refresh_from_db()
    assert in_person.capacity == 5
    assert "capacity set" in done.text


def test_cancel_asks_for_confirmation_then_cancels(client, user, in_person):
    reg = services.registration_create(user=user, kind=in_person)
    client.force_login(user)
    url = reverse("registration:cancel", args=[reg.pk])

    confirm = client.get(url)
    reg.refresh_from_db()
    assert reg.status == S.CONFIRMED
    assert "Yes, cancel my registration" in confirm.text

    done = client.post(url, follow=True)

    reg.refresh_from_db()
    assert reg.status == S.CANCELLED
    assert "your registration is cancelled" in done.text


def test_priority_rule_weight_change_in_admin_is_audited(client, conference, organizer):
    from plumbers.models import AuditLog
    from registration.models import PriorityRule

    rule = PriorityRule.objects.create(
        conference=conference, kind=PriorityRule.Kind.NEW_ATTENDEE, weight=50, order=1
    )
    client.force_login(organizer)

    response = client.post(
        reverse("admin:registration_priorityrule_change", args=[rule.pk]),
        {"conference": conference.pk, "kind": rule.kind, "weight": 80, "order": 1, "enabled": "on"},
    )

    assert response.status_code == 302
    entry = AuditLog.objects.get(action="priority_rule_change", object_id=str(rule.pk))
    assert entry.from_state.startswith("weight 50") and entry.to_state.startswith("weight 80")
    assert entry.actor == organizer


def test_redeem_view_by_person_with_a_place_answers_in_a_message(
    client, user, conference, in_person, organizer
):
    sponsor = SponsorFactory(tier=SponsorTierFactory(conference=conference, complimentary_passes=1))
    (item,) = services.pass_issue(kind=in_person, sponsor=sponsor, count=1, actor=organizer)
    services.registration_create(user=user, kind=in_person)
    client.force_login(user)

    response = client.post(reverse("registration:redeem"), {"code": item.code})
    page = client.get(URL)

    assert response.status_code == 302
    assert "pass the code on to someone who needs it" in page.text
    item.refresh_from_db()
    assert item.status == "issued"


def test_redeem_view_unknown_code_by_person_with_a_place_shows_it_on_the_form(
    client, user, in_person
):
    services.registration_create(user=user, kind=in_person)
    client.force_login(user)

    response = client.post(reverse("registration:redeem"), {"code": "WXYZ-9999"})

    assert response.status_code == 400
    assert "not known" in response.text and 'value="WXYZ-9999"' in response.text


def test_admin_microconference_page_lists_passes_and_links_to_the_issue_page(
    client, organizer, conference, in_person
):
    from tests.microconferences.factories import MicroconferenceFactory

    mc = MicroconferenceFactory(conference=conference, complimentary_passes=2)
    (item,) = services.pass_issue(kind=in_person, microconference=mc, count=1, actor=organizer)
    client.force_login(organizer)
    page = client.get(reverse("admin:microconferences_microconference_change", args=[mc.pk]))
    link = f"{reverse('admin:registration_complimentarypass_issue')}?microconference={mc.pk}"
    assert item.display_code in page.text and f'href="{link}"' in page.text

    form = client.get(link).context["form"]
    response = client.post(
        link,
        {"kind": form.initial["kind"].pk, "microconference": mc.pk, "count": form.initial["count"]},
        follow=True,
    )

    assert form.initial["count"] == 1
    assert f"Issued 1 pass for {mc}" in response.text
    assert mc.issued_passes.count() == 2
