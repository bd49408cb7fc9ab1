"""Anonymised review: a track's reviewers never see who speaks; its chairs do."""

import re

import pytest
from django.core import mail

from cfp import services
from tests.cfp.factories import ProposalFactory, ReviewFactory, TrackFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def anonymised(conference):
    reviewer = UserFactory(display_name="Rita Reviewer")
    chair = UserFactory(display_name="Chris Chair")
    track = TrackFactory(
        conference=conference,
        name="Refereed",
        anonymised_review=True,
        reviewers=[reviewer],
        chairs=[chair],
    )
    speaker = UserFactory(display_name="Sabine Speakerly", email="sabine.speakerly@example.org")
    co = UserFactory(display_name="Conrad Cospeaker", email="conrad.cospeaker@example.org")
    proposal = ProposalFactory(
        track=track, submitter=speaker, co_speakers=[co], title="Pipes all the way down"
    )
    return {"track": track, "reviewer": reviewer, "chair": chair, "proposal": proposal}


SPEAKER_TEXTS = [
    "Sabine Speakerly",
    "sabine.speakerly@example.org",
    "Conrad Cospeaker",
    "conrad.cospeaker@example.org",
    "sabine.speakerly",
    "conrad.cospeaker",
]


def assert_no_speaker(html):
    for text in SPEAKER_TEXTS:
        assert text not in html, text


def test_reviewer_sees_no_speaker_in_list_next_and_detail(client, anonymised):
    client.force_login(anonymised["reviewer"])
    html = client.get("/cfp/review/").content.decode()
    assert "Pipes all the way down" in html
    assert "hidden (anonymised review)" in html
    assert_no_speaker(html)

    response = client.get("/cfp/review/next/")
    detail = client.get(response["Location"]).content.decode()
    assert "Pipes all the way down" in detail
    assert "speakers hidden (anonymised review)" in detail
    assert_no_speaker(re.sub(r"\s+", " ", detail))

    posted = client.post(
        response["Location"], {"score": "1", "confidence": "2", "comment": "Fine."}, follow=True
    )
    assert_no_speaker(posted.content.decode())


def test_reviewer_sees_no_speaker_in_any_sort(client, anonymised):
    ReviewFactory(proposal=anonymised["proposal"], reviewer=anonymised["reviewer"])
    client.force_login(anonymised["reviewer"])
    for sort in ["score", "weighted", "median", "spread", "reviews"]:
        assert_no_speaker(client.get(f"/cfp/review/?sort={sort}").content.decode())


def test_chair_still_sees_the_speakers(client, anonymised):
    client.force_login(anonymised["chair"])
    assert "Sabine Speakerly" in client.get("/cfp/review/").content.decode()
    detail = client.get(f"/cfp/review/{anonymised['proposal'].pk}/").content.decode()
    assert "Sabine Speakerly" in detail and "Conrad Cospeaker" in detail


def test_open_track_shows_the_speakers_to_reviewers(client, anonymised):
    track = anonymised["track"]
    track.anonymised_review = False
    track.save()
    client.force_login(anonymised["reviewer"])
    assert "Sabine Speakerly" in client.get("/cfp/review/").content.decode()


def test_co_speaking_reviewer_is_excluded_silently(client, anonymised):
    """A reviewer who co-speaks does not see the proposal: nothing says who, or why."""
    other = ProposalFactory(
        track=anonymised["track"], co_speakers=[anonymised["reviewer"]], title="Hidden-own-H1"
    )
    client.force_login(anonymised["reviewer"])
    html = client.get("/cfp/review/").content.decode()
    assert "Hidden-own-H1" not in html
    assert client.get(f"/cfp/review/{other.pk}/").status_code == 404


def test_assignment_mail_names_no_speaker(anonymised, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.assignment_auto(track=anonymised["track"], k=1, actor=anonymised["chair"])
    (message,) = mail.outbox
    assert message.to == [anonymised["reviewer"].email]
    assert "Pipes all the way down" in message.body
    assert "reviews anonymously" in message.body
    assert_no_speaker(message.subject + message.body)


def test_submit_form_tells_the_speaker_about_anonymous_review(client, anonymised):
    speaker = UserFactory()
    from allauth.account.models import EmailAddress

    EmailAddress.objects.update_or_create(
        user=speaker, email=speaker.email, defaults={"verified": True, "primary": True}
    )
    client.force_login(speaker)
    html = client.get(f"/cfp/{anonymised['track'].slug}/submit/").content.decode()
    assert "This track reviews anonymously" in html


def test_csv_export_hides_speakers_from_reviewers_not_chairs(client, anonymised):
    client.force_login(anonymised["reviewer"])
    response = client.get("/cfp/review/export.csv")
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "Pipes all the way down" in text and "Hidden (anonymised review)" in text
    assert_no_speaker(text)
    client.force_login(anonymised["chair"])
    text = client.get("/cfp/review/export.csv").content.decode()
    assert "Sabine Speakerly, Conrad Cospeaker" in text


def test_csv_export_neutralises_formulas_and_keeps_scores_hidden(client, anonymised):
    ProposalFactory(track=anonymised["track"], title="=HYPERLINK(1)")
    ReviewFactory(proposal=anonymised["proposal"], score=2)
    client.force_login(anonymised["reviewer"])
    lines = client.get("/cfp/review/export.csv?sort=spread").content.decode().splitlines()
    assert any(line.split(",")[1] == "'=HYPERLINK(1)" for line in lines[1:])
    row = next(line for line in lines if "Pipes all the way down" in line)
    assert ",,,,," in row  # no statistics before my own review
