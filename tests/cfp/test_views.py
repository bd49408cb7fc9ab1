import datetime as dt
import zoneinfo

import icalendar
import pytest
from django.core import mail
from django.template import Context, Template
from django.utils import timezone

from cfp import services
from cfp.models import Conflict, CoSpeakerInvitation, Proposal, Review, Track
from plumbers.timefmt import iso_utc
from tests.cfp.factories import ProposalFactory, ReviewFactory, TrackFactory
from tests.factories import UserFactory
from tests.microconferences.factories import MicroconferenceFactory

DUBLIN = zoneinfo.ZoneInfo("Europe/Dublin")
pytestmark = pytest.mark.django_db


@pytest.fixture
def extended_track(conference, organizer):
    track = TrackFactory(
        conference=conference,
        name="Refereed presentations",
        slug="refereed",
        opens_at=timezone.now() - dt.timedelta(days=60),
        deadline=timezone.now() + dt.timedelta(days=1),
    )
    services.track_extend_deadline(
        track=track,
        new_deadline=track.deadline + dt.timedelta(days=7),
        reason="One last one-week extension.",
        actor=organizer,
    )
    return Track.objects.with_extensions().get(pk=track.pk)


# --- public pages ---------------------------------------------------------------------------


def test_cfp_index_shows_new_deadline_with_original_struck_through(client, extended_track):
    response = client.get("/cfp/")

    html = response.content.decode()
    original = timezone.localtime(extended_track.original_deadline, DUBLIN)
    new = timezone.localtime(extended_track.deadline, DUBLIN)
    assert "Refereed presentations" in html
    assert f'<del><time datetime="{iso_utc(extended_track.original_deadline)}" data-local>' in html
    assert f"{original:%a %-d %b %Y, %H:%M}" in html
    assert f"{new:%a %-d %b %Y, %H:%M}" in html
    assert "One last one-week extension." in html
    assert "UTC" in html
    assert 'href="/cfp/refereed/submit/"' in html
    assert "Open" in html


def test_cfp_index_closed_track_has_no_submit_link(client, conference):
    TrackFactory(
        conference=conference,
        slug="closed",
        opens_at=timezone.now() - dt.timedelta(days=10),
        deadline=timezone.now() - dt.timedelta(days=1),
    )
    html = client.get("/cfp/").content.decode()
    assert "Closed" in html
    assert "/cfp/closed/submit/" not in html


def test_cfp_index_shows_aoe_when_track_says_so(client, conference):
    deadline = dt.datetime(2031, 7, 1, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-12)))
    TrackFactory(conference=conference, show_aoe=True, deadline=deadline)
    html = client.get("/cfp/").content.decode()
    assert "Tue 1 Jul 2031, 23:59 AoE (UTC-12)" in html
    assert "Wed 2 Jul 2031, 12:59 (Dublin time, UTC+1)" in html
    assert "11:59 UTC" in html


def test_cfp_index_lists_only_current_edition(client, conference):
    from tests.factories import ConferenceFactory

    TrackFactory(conference=ConferenceFactory(), name="Old edition track")
    TrackFactory(conference=conference, name="This year track")
    html = client.get("/cfp/").content.decode()
    assert "This year track" in html
    assert "Old edition track" not in html


def test_deadlines_ics_has_stable_uid_and_sequence_per_extension(
    client, extended_track, conference
):
    plain = TrackFactory(conference=conference, name="Kernel summit")

    cal = icalendar.Calendar.from_ical(client.get("/cfp/deadlines.ics").content)

    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {f"track-{extended_track.pk}@plumbers", f"track-{plain.pk}@plumbers"}
    extended = events[f"track-{extended_track.pk}@plumbers"]
    assert int(extended["sequence"]) == 1
    assert extended.decoded("dtstart") == extended_track.deadline.replace(microsecond=0)
    assert "Refereed presentations" in str(extended["summary"])
    assert int(events[f"track-{plain.pk}@plumbers"]["sequence"]) == 0


def test_deadlines_ics_sequence_increases_after_another_extension(
    client, extended_track, organizer
):
    services.track_extend_deadline(
        track=extended_track,
        new_deadline=extended_track.deadline + dt.timedelta(days=1),
        reason="Again",
        actor=organizer,
    )
    response = client.get("/cfp/deadlines.ics")
    assert response["Content-Type"].startswith("text/calendar")
    (event,) = icalendar.Calendar.from_ical(response.content).walk("VEVENT")
    assert str(event["uid"]) == f"track-{extended_track.pk}@plumbers"
    assert int(event["sequence"]) == 2


def test_home_page_shows_key_cfp_dates_with_original_struck(client, extended_track):
    html = client.get("/").content.decode()
    assert "Call for proposals" in html
    assert "Refereed presentations" in html
    assert "<del>" in html
    assert "One last one-week extension." in html


def test_mc_submit_topic_tag_links_while_open_only(conference):
    mc = MicroconferenceFactory(conference=conference)
    track = TrackFactory(
        conference=conference, kind=Track.Kind.MICROCONFERENCE, microconference=mc, slug="mc-x"
    )
    template = Template("{% load cfp_tags %}{% mc_submit_topic mc %}")

    assert "Submit a topic" in template.render(Context({"mc": mc}))
    assert 'href="/cfp/mc-x/submit/"' in template.render(Context({"mc": mc}))

    track.deadline = timezone.now() - dt.timedelta(seconds=1)
    track.save()
    closed = template.render(Context({"mc": mc}))
    assert "Submit a topic" not in closed
    assert "closed" in closed


def test_mc_page_shows_submit_a_topic(client, conference):
    mc = MicroconferenceFactory(conference=conference, slug="android")
    TrackFactory(
        conference=conference,
        kind=Track.Kind.MICROCONFERENCE,
        microconference=mc,
        slug="android-mc",
    )
    html = client.get("/microconferences/android/").content.decode()
    assert 'href="/cfp/android-mc/submit/"' in html
    assert "Submit a topic" in html


# --- submitting -----------------------------------------------------------------------------


@pytest.fixture
def open_track(conference):
    return TrackFactory(conference=conference, name="Refereed", slug="refereed")


def test_submit_invites_co_speaker_who_accepts_from_the_mail(client, open_track, user):
    co = UserFactory(email="Co.Speaker@example.org")
    client.force_login(user)

    response = client.post(
        "/cfp/refereed/submit/",
        {
            "title": "io_uring all the things",
            "abstract": "**Fast**",
            "notes": "n",
            "co_speakers": "co.speaker@example.org",
        },
    )
    proposal = Proposal.objects.get()
    invitation = proposal.invitations.get()
    listed = client.get("/cfp/proposals/").content.decode()
    client.force_login(co)
    page = client.get(f"/cfp/invitations/{invitation.token}/").content.decode()
    accepted = client.post(f"/cfp/invitations/{invitation.token}/", {"answer": "accept"})

    assert response.status_code == 302
    assert response["Location"] == "/cfp/proposals/"
    assert (proposal.title, proposal.submitter, proposal.track) == (
        "io_uring all the things",
        user,
        open_track,
    )
    assert "co.speaker@example.org (invited, no answer yet)" in listed
    assert "Co-speak on “io_uring all the things”?" in page
    assert accepted.status_code == 302
    assert list(proposal.co_speakers.all()) == [co]


def test_submit_answers_known_and_unknown_co_speakers_alike(client, open_track, user):
    UserFactory(email="known@example.org")
    client.force_login(user)

    answers = [
        client.post(
            "/cfp/refereed/submit/",
            {"title": f"Talk {n}", "abstract": "Typed abstract", "co_speakers": email},
        )
        for n, email in enumerate(["known@example.org", "ghost@example.org"])
    ]
    pages = [client.get(a["Location"]).content.decode() for a in answers]

    assert [a.status_code for a in answers] == [302, 302]
    assert "No account" not in pages[0] + pages[1]
    assert Proposal.objects.count() == 2
    assert not Proposal.objects.filter(co_speakers__isnull=False).exists()


def test_invitation_unknown_token_is_a_closed_invitation(client, user):
    client.force_login(user)

    response = client.get("/cfp/invitations/not-a-real-token/")

    assert response.status_code == 404
    assert "This invitation is closed" in response.content.decode()


def test_submit_after_deadline_is_refused_and_text_shown_back(client, open_track, user):
    client.force_login(user)
    assert "Submit proposal" in client.get("/cfp/refereed/submit/").content.decode()
    Track.objects.filter(pk=open_track.pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))

    response = client.post(
        "/cfp/refereed/submit/",
        {"title": "Late but lovely", "abstract": "Every word I typed", "notes": "my notes"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "has passed; your proposal was not submitted." in html
    assert 'value="Late but lovely"' in html
    assert "Every word I typed" in html
    assert "my notes" in html
    assert not Proposal.objects.exists()


def test_submit_to_closed_track_get_shows_closed_without_form(client, open_track, user):
    Track.objects.filter(pk=open_track.pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))
    client.force_login(user)
    html = client.get("/cfp/refereed/submit/").content.decode()
    assert "closed for submissions" in html
    assert "Submit proposal" not in html


def test_submit_unverified_user_gets_403_with_explanation(client, open_track):
    unverified = UserFactory(verified=False)
    client.force_login(unverified)
    response = client.get("/cfp/refereed/submit/")
    assert response.status_code == 403
    assert "Verify your email address first" in response.content.decode()


def test_submit_anonymous_goes_to_login_and_back(client, open_track):
    response = client.get("/cfp/refereed/submit/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/cfp/refereed/submit/"


def test_submit_unknown_track_or_other_edition_is_404(client, user):
    from tests.factories import ConferenceFactory

    TrackFactory(conference=ConferenceFactory(), slug="old")
    client.force_login(user)
    assert client.get("/cfp/old/submit/").status_code == 404
    assert client.get("/cfp/nope/submit/").status_code == 404


def test_my_proposals_lists_mine_with_state_and_actions(client, open_track, user):
    mine = ProposalFactory(track=open_track, submitter=user, title="Mine")
    ProposalFactory(track=open_track, title="Someone else's")
    client.force_login(user)
    html = client.get("/cfp/proposals/").content.decode()
    assert "Mine" in html and "Someone else" not in html
    assert "Submitted" in html
    assert f"/cfp/proposals/{mine.pk}/edit/" in html
    assert f"/cfp/proposals/{mine.pk}/withdraw/" in html


def test_edit_proposal_saves_changes(client, open_track, user):
    proposal = ProposalFactory(track=open_track, submitter=user, title="Before")
    client.force_login(user)
    form = client.get(f"/cfp/proposals/{proposal.pk}/edit/").content.decode()
    assert 'value="Before"' in form
    response = client.post(
        f"/cfp/proposals/{proposal.pk}/edit/", {"title": "After", "abstract": "New abstract"}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.title, proposal.abstract) == ("After", "New abstract")


def test_edit_someone_elses_proposal_is_404(client, open_track, user):
    proposal = ProposalFactory(track=open_track)
    client.force_login(user)
    assert client.get(f"/cfp/proposals/{proposal.pk}/edit/").status_code == 404
    assert client.post(f"/cfp/proposals/{proposal.pk}/withdraw/").status_code == 404
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.SUBMITTED


def test_withdraw_needs_post_confirmation(client, open_track, user):
    proposal = ProposalFactory(track=open_track, submitter=user)
    client.force_login(user)
    page = client.get(f"/cfp/proposals/{proposal.pk}/withdraw/").content.decode()
    assert "Yes, withdraw this proposal" in page
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.SUBMITTED

    client.post(f"/cfp/proposals/{proposal.pk}/withdraw/")

    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.WITHDRAWN


# --- triage ---------------------------------------------------------------------------------


@pytest.fixture
def reviewer(db):
    return UserFactory(display_name="Rhea Reviewer")


@pytest.fixture
def review_track(conference, reviewer):
    return TrackFactory(conference=conference, reviewers=[reviewer], name="Refereed")


def test_review_detail_hides_others_reviews_until_mine_is_in(client, review_track, reviewer):
    proposal = ProposalFactory(track=review_track, notes="Secret notes")
    ReviewFactory(proposal=proposal, comment="Another reviewer's opinion", score=-1)
    client.force_login(reviewer)

    before = client.get(f"/cfp/review/{proposal.pk}/").content.decode()
    assert "Another reviewer&#x27;s opinion" not in before
    assert "shown once your own review is in" in before
    assert "1 other review" not in before
    assert "Secret notes" in before

    response = client.post(
        f"/cfp/review/{proposal.pk}/", {"score": "2", "confidence": "3", "comment": "Great"}
    )
    assert response.status_code == 302
    after = client.get(f"/cfp/review/{proposal.pk}/").content.decode()
    assert "Another reviewer&#x27;s opinion" in after
    review = Review.objects.get(reviewer=reviewer)
    assert (review.score, review.confidence, review.comment) == (2, 3, "Great")


def test_review_detail_form_fields_are_labelled(client, review_track, reviewer):
    proposal = ProposalFactory(track=review_track)
    client.force_login(reviewer)
    html = client.get(f"/cfp/review/{proposal.pk}/").content.decode()
    for label in ("Score:", "Confidence:", "Comment for the committee:"):
        assert label in html


def test_review_invalid_score_shows_error_without_saving(client, review_track, reviewer):
    proposal = ProposalFactory(track=review_track)
    client.force_login(reviewer)
    response = client.post(
        f"/cfp/review/{proposal.pk}/", {"score": "5", "confidence": "2", "comment": "kept"}
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert "kept" in response.content.decode()
    assert not Review.objects.exists()


def test_review_conflict_removes_proposal_from_my_view(client, review_track, reviewer):
    proposal = ProposalFactory(track=review_track, title="Friend's talk")
    client.force_login(reviewer)

    response = client.post(f"/cfp/review/{proposal.pk}/conflict/", {"reason": "Friend"})

    assert response.status_code == 302
    assert Conflict.objects.filter(reviewer=reviewer, proposal=proposal).exists()
    listing = client.get("/cfp/review/").content.decode()
    assert "is no longer in your review list" in listing
    assert f'href="/cfp/review/{proposal.pk}/"' not in listing
    assert client.get(f"/cfp/review/{proposal.pk}/").status_code == 404


def test_review_next_goes_to_unreviewed_then_back_to_list(client, review_track, reviewer):
    proposal = ProposalFactory(track=review_track)
    client.force_login(reviewer)
    assert client.get("/cfp/review/next/")["Location"] == f"/cfp/review/{proposal.pk}/"
    ReviewFactory(proposal=proposal, reviewer=reviewer)
    response = client.get("/cfp/review/next/", follow=True)
    assert "Nothing left to review" in response.content.decode()


def test_review_list_filters_by_state_and_unreviewed(client, review_track, reviewer):
    ProposalFactory(track=review_track, title="Pending one")
    reviewed = ProposalFactory(track=review_track, title="Reviewed one")
    ReviewFactory(proposal=reviewed, reviewer=reviewer)
    ProposalFactory(track=review_track, title="Gone one", state=Proposal.State.WITHDRAWN)
    client.force_login(reviewer)

    unreviewed = client.get("/cfp/review/?unreviewed=1").content.decode()
    withdrawn = client.get("/cfp/review/?state=withdrawn").content.decode()

    assert "Pending one" in unreviewed and "Reviewed one" not in unreviewed
    assert "Gone one" in withdrawn and "Pending one" not in withdrawn


def test_chair_accepts_from_triage_and_speaker_is_mailed(
    client, conference, django_capture_on_commit_callbacks
):
    chair = UserFactory()
    track = TrackFactory(conference=conference, chairs=[chair])
    proposal = ProposalFactory(track=track, title="Accept me")
    client.force_login(chair)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/cfp/review/{proposal.pk}/decide/", {"decision": "accepted"})

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.ACCEPTED
    assert [m.subject for m in mail.outbox] == ["[CFP] Accepted: Accept me"]


def test_chair_bulk_rejects_selected(client, conference, django_capture_on_commit_callbacks):
    chair = UserFactory()
    track = TrackFactory(conference=conference, chairs=[chair])
    a, b, keep = ProposalFactory.create_batch(3, track=track)
    client.force_login(chair)
    assert "Decide selected" in client.get("/cfp/review/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/cfp/review/decide/",
            {"decision": "rejected", "proposals": [a.pk, b.pk], "next": "/cfp/review/"},
        )

    states = dict(Proposal.objects.values_list("pk", "state"))
    assert states == {a.pk: "rejected", b.pk: "rejected", keep.pk: "submitted"}
    assert len(mail.outbox) == 2


def test_reviewer_cannot_decide_and_sees_no_decide_buttons(client, review_track, reviewer):
    proposal = ProposalFactory(track=review_track)
    client.force_login(reviewer)
    assert "Decide selected" not in client.get("/cfp/review/").content.decode()
    assert ">Accept</button>" not in client.get(f"/cfp/review/{proposal.pk}/").content.decode()
    response = client.post(f"/cfp/review/{proposal.pk}/decide/", {"decision": "accepted"})
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.state == Proposal.State.SUBMITTED


def test_bulk_decide_ignores_proposals_outside_my_view(client, conference):
    chair = UserFactory()
    TrackFactory(conference=conference, chairs=[chair])
    elsewhere = ProposalFactory(track__conference=conference)
    client.force_login(chair)
    response = client.post(
        "/cfp/review/decide/", {"decision": "accepted", "proposals": [elsewhere.pk]}, follow=True
    )
    elsewhere.refresh_from_db()
    assert elsewhere.state == Proposal.State.SUBMITTED
    assert "valid choice" in response.content.decode()


# --- query counts of the list pages ---------------------------------------------------------


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from plumbers.pagecache import bump_content_version

    client.get(url)  # warm up session and caches
    bump_content_version()  # then measure a miss of the public page cache, not a hit
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_cfp_index_query_count_is_the_same_for_1_and_20_tracks(client, conference, organizer):
    from tests.factories import AnnouncementFactory

    def add_extended_track():
        track = TrackFactory(conference=conference)
        services.track_extend_deadline(
            track=track,
            new_deadline=track.deadline + dt.timedelta(days=1),
            reason="r",
            actor=organizer,
            announcement=AnnouncementFactory(),
        )

    add_extended_track()
    one = _queries(client, "/cfp/")
    for _ in range(19):
        add_extended_track()
    many = _queries(client, "/cfp/")
    assert client.get("/cfp/").content.decode().count("<del>") == 20
    assert one == many and one > 0


def test_my_proposals_query_count_is_the_same_for_1_and_20(client, conference, user):
    track = TrackFactory(conference=conference)
    ProposalFactory(track=track, submitter=user, co_speakers=[UserFactory()])
    client.force_login(user)
    one = _queries(client, "/cfp/proposals/")
    for _ in range(19):
        ProposalFactory(
            track=TrackFactory(conference=conference),
            submitter=user,
            co_speakers=[UserFactory()],
        )
    assert _queries(client, "/cfp/proposals/") == one


def test_cfp_index_links_review_area_for_reviewers_only(client, conference, user):
    reviewer = UserFactory()
    TrackFactory(conference=conference, reviewers=[reviewer])
    client.force_login(user)
    assert "Review proposals" not in client.get("/cfp/").content.decode()
    client.force_login(reviewer)
    assert 'href="/cfp/review/">Review proposals' in client.get("/cfp/").content.decode()


def test_chair_sees_reviews_without_reviewing(client, conference):
    chair = UserFactory()
    proposal = ProposalFactory(track=TrackFactory(conference=conference, chairs=[chair]))
    ReviewFactory(proposal=proposal, comment="Visible to the deciders")
    client.force_login(chair)
    assert "Visible to the deciders" in client.get(f"/cfp/review/{proposal.pk}/").content.decode()


def test_invitation_for_another_address_shows_nothing_of_the_proposal(client, open_track, user):
    proposal = ProposalFactory(track=open_track, title="Secret plans")
    invitation = CoSpeakerInvitation.objects.create(
        proposal=proposal, email="invitee@example.net", token="t-1", invited_by=proposal.submitter
    )
    client.force_login(user)

    shown = client.get(f"/cfp/invitations/{invitation.token}/")
    posted = client.post(f"/cfp/invitations/{invitation.token}/", {"answer": "accept"})

    assert shown.status_code == posted.status_code == 403
    assert "Secret plans" not in shown.content.decode()
    assert "sent to another email address" in shown.content.decode()
    assert not proposal.co_speakers.exists()


@pytest.mark.parametrize(
    ("token", "answer"),
    [("\x00", "accept"), ("x" * 5000, "accept"), ("t-2", "maybe"), ("t-2", "\x00"), ("t-2", "")],
)
def test_invitation_hostile_input_gets_a_clear_answer(client, open_track, token, answer):
    proposal = ProposalFactory(track=open_track)
    invitee = UserFactory(email="invitee@example.net")
    CoSpeakerInvitation.objects.create(
        proposal=proposal, email=invitee.email, token="t-2", invited_by=proposal.submitter
    )
    client.force_login(invitee)

    response = client.post(f"/cfp/invitations/{token}/", {"answer": answer})

    assert response.status_code in (400, 404)
    assert not proposal.co_speakers.exists()
