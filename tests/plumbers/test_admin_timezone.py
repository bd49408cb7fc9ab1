"""Organizers type and read every admin time in the current edition's zone, named: Django's
date and time boxes read "2031-06-19" "23:59" as Dublin time in a Dublin edition, show the
stored time back in it, and say "Dublin time, UTC+1" (issue 12)."""

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone

from cfp.models import DeadlineExtension
from plumbers.admin_site import admin_zone
from registration.models import AttendanceKind
from tests.cfp.factories import TrackFactory
from tests.factories import ConferenceFactory
from tests.registration.factories import AttendanceKindFactory
from tests.test_admin_audit import post_change

pytestmark = pytest.mark.django_db
DUBLIN = zoneinfo.ZoneInfo("Europe/Dublin")


def test_admin_form_reads_typed_time_in_the_edition_zone(organizer_client, conference):
    kind = AttendanceKindFactory(conference=conference)
    url = reverse("admin:registration_attendancekind_change", args=[kind.pk])

    post_change(organizer_client, url, closes_at_0="2031-06-19", closes_at_1="23:59")

    kind.refresh_from_db()
    assert kind.closes_at == dt.datetime(2031, 6, 19, 22, 59, tzinfo=dt.UTC)
    page = organizer_client.get(url).text
    assert 'name="closes_at_0" value="19/06/2031"' in page
    assert 'name="closes_at_1" value="23:59:00"' in page
    assert '<span class="help timezone-name">Dublin time, UTC+1</span>' in page
    assert "Time in UTC" not in page


def test_admin_list_shows_the_saved_time_back_in_the_edition_zone(organizer_client, conference):
    kind = AttendanceKindFactory(conference=conference)
    url = reverse("admin:registration_attendancekind_change", args=[kind.pk])
    post_change(organizer_client, url, closes_at_0="2031-12-19", closes_at_1="23:59")

    kind.refresh_from_db()
    # In winter Dublin is on UTC: the label names the offset of the time shown.
    assert kind.closes_at == dt.datetime(2031, 12, 19, 23, 59, tzinfo=dt.UTC)
    page = organizer_client.get(url).text
    assert '<span class="help timezone-name">Dublin time, UTC</span>' in page


def test_admin_form_in_a_utc_edition_says_utc(organizer_client):
    conference = ConferenceFactory(is_current=True, timezone="UTC")
    kind = AttendanceKindFactory(conference=conference)
    url = reverse("admin:registration_attendancekind_change", args=[kind.pk])

    post_change(organizer_client, url, closes_at_0="2031-06-19", closes_at_1="23:59")

    kind.refresh_from_db()
    assert kind.closes_at == dt.datetime(2031, 6, 19, 23, 59, tzinfo=dt.UTC)
    assert '<span class="help timezone-name">UTC</span>' in organizer_client.get(url).text


def test_admin_zone_is_active_only_inside_admin_views(organizer_client, conference):
    organizer_client.get(reverse("admin:registration_attendancekind_changelist"))

    assert timezone.get_current_timezone_name() == "UTC"  # nothing leaks past the request
    assert admin_zone() == "Europe/Dublin"  # the current edition's, looked up afresh


def _edition_lookups(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return sum('"is_current"' in q["sql"] for q in queries.captured_queries)


def test_admin_zone_is_read_once_per_page_not_per_time_shown(organizer_client, conference):
    url = reverse("admin:cfp_track_changelist")  # a deadline column, in the edition's zone
    TrackFactory(conference=conference, name="Track 0")
    organizer_client.get(url)
    one = _edition_lookups(organizer_client, url)
    for n in range(1, 6):
        TrackFactory(conference=conference, name=f"Track {n}")

    many = organizer_client.get(url).text
    assert many.count("(Dublin time, UTC") >= 6
    assert _edition_lookups(organizer_client, url) == one


def test_extend_deadline_action_reads_the_new_deadline_in_the_edition_zone(
    organizer_client, organizer, conference
):
    track = TrackFactory(
        conference=conference,
        name="Refereed",
        deadline=dt.datetime(2031, 6, 12, 23, 59, tzinfo=DUBLIN),
        opens_at=dt.datetime(2031, 3, 1, tzinfo=DUBLIN),
    )
    changelist = reverse("admin:cfp_track_changelist")
    action = {"action": "extend_deadline", "_selected_action": [track.pk]}

    form = organizer_client.post(changelist, action).text
    assert 'name="new_deadline_0" value="12/06/2031"' in form  # the one date format
    assert 'name="new_deadline_1" value="23:59:00"' in form
    assert '<span class="help timezone-name">Dublin time, UTC+1</span>' in form
    assert 'aria-label="New deadline: date"' in form

    organizer_client.post(
        changelist,
        {
            **action,
            "apply": "1",
            "new_deadline_0": "2031-06-19",
            "new_deadline_1": "23:59",
            "reason": "One more week.",
        },
    )

    track.refresh_from_db()
    assert track.deadline == dt.datetime(2031, 6, 19, 22, 59, tzinfo=dt.UTC)
    assert DeadlineExtension.objects.get().extended_by == organizer
    change = organizer_client.get(reverse("admin:cfp_track_change", args=[track.pk])).text
    assert "19 June 2031, 23:59 (Dublin time, UTC+1)" in change


def test_extend_deadline_action_uses_the_tracks_edition_zone(organizer_client, conference):
    tokyo = ConferenceFactory(timezone="Asia/Tokyo")
    track = TrackFactory(
        conference=tokyo,
        deadline=dt.datetime(2031, 6, 12, 23, 59, tzinfo=zoneinfo.ZoneInfo("Asia/Tokyo")),
        opens_at=dt.datetime(2031, 3, 1, tzinfo=DUBLIN),
    )
    changelist = reverse("admin:cfp_track_changelist")
    action = {"action": "extend_deadline", "_selected_action": [track.pk]}

    form = organizer_client.post(changelist, action).text
    organizer_client.post(
        changelist,
        {
            **action,
            "apply": "1",
            "new_deadline_0": "2031-06-19",
            "new_deadline_1": "23:59",
            "reason": "One more week.",
        },
    )

    assert 'name="new_deadline_1" value="23:59:00"' in form
    assert '<span class="help timezone-name">Tokyo time, UTC+9</span>' in form
    track.refresh_from_db()
    assert track.deadline == dt.datetime(2031, 6, 19, 14, 59, tzinfo=dt.UTC)


def test_admin_form_with_unparseable_time_keeps_what_was_typed(organizer_client, conference):
    kind = AttendanceKindFactory(conference=conference)
    url = reverse("admin:registration_attendancekind_change", args=[kind.pk])
    before = AttendanceKind.objects.get(pk=kind.pk).closes_at

    page = organizer_client.get(url)
    from tests.test_admin_audit import change_form_data

    data = {**change_form_data(page), "closes_at_0": "2031-06-19", "closes_at_1": "25:99"}
    response = organizer_client.post(url, data)

    assert response.status_code == 200
    assert "Enter a valid time." in response.text
    assert 'value="25:99"' in response.text
    assert AttendanceKind.objects.get(pk=kind.pk).closes_at == before
