import datetime as dt
import zoneinfo

import pytest

from cfp.models import DeadlineExtension, Proposal, Track
from plumbers.audit import audit_trail
from plumbers.models import Announcement
from tests.cfp.factories import ProposalFactory, TrackFactory
from tests.factories import UserFactory

DUBLIN = zoneinfo.ZoneInfo("Europe/Dublin")
pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/cfp/track/"


def _action(client, track, **extra):
    data = {"action": "extend_deadline", "_selected_action": [track.pk], **extra}
    return client.post(CHANGELIST, data, follow=True)


def test_extend_deadline_action_shows_intermediate_form(client, organizer, conference):
    track = TrackFactory(conference=conference, name="Refereed")
    client.force_login(organizer)

    response = _action(client, track)

    html = response.content.decode()
    assert "<h1>Extend deadline</h1>" in html
    assert "New deadline" in html and "Reason (shown publicly)" in html
    assert "Publish a news announcement" in html
    assert "Refereed" in html
    assert not DeadlineExtension.objects.exists()


def test_extend_deadline_action_extends_in_conference_time_zone(client, organizer, conference):
    track = TrackFactory(
        conference=conference,
        deadline=dt.datetime(2031, 6, 12, 23, 59, tzinfo=DUBLIN),
        opens_at=dt.datetime(2031, 3, 1, tzinfo=DUBLIN),
    )
    client.force_login(organizer)

    response = _action(
        client,
        track,
        apply="1",
        new_deadline_0="2031-06-19",
        new_deadline_1="23:59",
        reason="One more week.",
        publish_announcement="on",
    )

    track.refresh_from_db()
    assert track.deadline == dt.datetime(2031, 6, 19, 23, 59, tzinfo=DUBLIN)
    assert track.sequence == 1
    extension = DeadlineExtension.objects.get()
    assert extension.extended_by == organizer
    assert extension.announcement == Announcement.objects.get()
    assert f"The deadline of {track.name} was extended." in response.content.decode()


def test_extend_deadline_action_on_hard_track_shows_refusal(client, organizer, conference):
    track = TrackFactory(
        conference=conference, name="Refereed 2023", deadline_policy=Track.DeadlinePolicy.HARD
    )
    before = track.deadline
    client.force_login(organizer)

    response = _action(
        client,
        track,
        apply="1",
        new_deadline_0=(before + dt.timedelta(days=7)).astimezone(DUBLIN).strftime("%Y-%m-%d"),
        new_deadline_1=before.astimezone(DUBLIN).strftime("%H:%M"),
        reason="Please?",
    )

    assert "The deadline of Refereed 2023 is hard and cannot be extended." in (
        response.content.decode()
    )
    track.refresh_from_db()
    assert track.deadline == before
    assert not DeadlineExtension.objects.exists()


def test_extend_deadline_action_with_earlier_date_shows_refusal(client, organizer, conference):
    track = TrackFactory(conference=conference, deadline=dt.datetime(2031, 6, 12, tzinfo=DUBLIN))
    client.force_login(organizer)
    response = _action(
        client, track, apply="1", new_deadline_0="2031-06-01", new_deadline_1="12:00", reason="x"
    )
    assert "must be later than the current one" in response.content.decode()
    assert not DeadlineExtension.objects.exists()


def test_extend_deadline_action_with_missing_fields_redisplays_form(client, organizer, conference):
    track = TrackFactory(conference=conference)
    client.force_login(organizer)
    response = _action(client, track, apply="1", new_deadline_0="", new_deadline_1="", reason="")
    html = response.content.decode()
    assert "This field is required." in html
    assert "<h1>Extend deadline</h1>" in html


def test_track_change_form_deadline_is_read_only(client, organizer, conference):
    track = TrackFactory(conference=conference)
    client.force_login(organizer)
    html = client.get(f"/admin/cfp/track/{track.pk}/change/").content.decode()
    assert 'name="deadline_0"' not in html
    assert 'name="opens_at_0"' in html


def test_proposal_admin_accept_action_uses_service(
    client, organizer, conference, django_capture_on_commit_callbacks
):
    from django.core import mail

    proposal = ProposalFactory(track__conference=conference, title="Admin accepted")
    client.force_login(organizer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/cfp/proposal/",
            {"action": "accept", "_selected_action": [proposal.pk]},
            follow=True,
        )
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.ACCEPTED
    assert "1 proposal accepted" in response.content.decode()
    assert [m.subject for m in mail.outbox] == ["[CFP] Accepted: Admin accepted"]


def test_admin_pages_render_for_organizer(client, organizer, conference):
    proposal = ProposalFactory(track__conference=conference)
    client.force_login(organizer)
    for url in (
        "/admin/cfp/track/",
        "/admin/cfp/track/add/",
        "/admin/cfp/proposal/",
        f"/admin/cfp/proposal/{proposal.pk}/change/",
        "/admin/cfp/review/",
        "/admin/cfp/conflict/",
    ):
        assert client.get(url).status_code == 200, url


def test_track_add_form_creates_through_the_audited_service(client, organizer, conference):
    chair = UserFactory()
    client.force_login(organizer)
    response = client.post(
        "/admin/cfp/track/add/",
        {
            "conference": conference.pk,
            "name": "Toolchains",
            "slug": "toolchains",
            "description": "",
            "kind": "toolchains",
            "opens_at_0": "2031-03-01",
            "opens_at_1": "00:00:00",
            "deadline_0": "2031-06-12",
            "deadline_1": "23:59:00",
            "deadline_policy": "extendable",
            "chairs": [chair.pk],
            "order": 0,
            "extensions-TOTAL_FORMS": 0,
            "extensions-INITIAL_FORMS": 0,
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    track = Track.objects.get(slug="toolchains")
    assert list(track.chairs.all()) == [chair]
    entry = audit_trail(track).get()
    assert (entry.action, entry.actor) == ("track_create", organizer)


def test_proposal_add_form_submits_through_the_transition(client, organizer, conference):
    track = TrackFactory(conference=conference)
    speaker = UserFactory()
    client.force_login(organizer)
    response = client.post(
        "/admin/cfp/proposal/add/",
        {
            "track": track.pk,
            "title": "On behalf of a speaker",
            "abstract": "A",
            "notes": "",
            "submitter": speaker.pk,
            "_save": "Save",
        },
    )
    assert response.status_code == 302
    proposal = Proposal.objects.get(title="On behalf of a speaker")
    entry = audit_trail(proposal).get()
    assert (entry.action, entry.actor, entry.to_state) == (
        "proposal_create",
        organizer,
        "submitted",
    )
