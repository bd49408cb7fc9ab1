"""Late-submission codes: a chair's exception to a hard deadline, for one person, one track,
counted under a row lock; the public deadline never moves."""

import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from cfp import late_codes, services
from cfp.models import LateSubmissionCode, Proposal, Track
from cfp.services import CfpError
from plumbers.audit import audit_trail
from tests.cfp.factories import TrackFactory
from tests.factories import ConferenceFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chair(db):
    return UserFactory(display_name="Cho Chair")


@pytest.fixture
def speaker(db):
    return UserFactory(email="Late.Speaker@Example.org", display_name="Lee Late")


@pytest.fixture
def closed_track(conference, chair):
    """A hard track whose deadline passed an hour ago."""
    now = timezone.now()
    return TrackFactory(
        conference=conference,
        name="Refereed 2023",
        slug="refereed-2023",
        opens_at=now - dt.timedelta(days=60),
        deadline=now - dt.timedelta(hours=1),
        deadline_policy=Track.DeadlinePolicy.HARD,
        chairs=[chair],
    )


def _issue(track, actor, email="late.speaker@example.org", **kwargs):
    kwargs.setdefault("expires_at", timezone.now() + dt.timedelta(days=2))
    return late_codes.late_code_issue(track=track, email=email, actor=actor, **kwargs)


def _submit(track, user, code, title="Late but good"):
    return services.proposal_submit(
        track=track, submitter=user, title=title, abstract="Worth the wait.", late_code=code
    )


def test_late_code_issue_by_chair_is_audited_and_mailed(
    closed_track, chair, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        code = _issue(closed_track, chair, reason="Travel mishap")

    assert code.max_uses == 1 and code.uses == 0 and len(code.code) >= 12
    row = audit_trail(code).get()
    assert (row.action, row.actor, row.reason) == ("late_code_issue", chair, "Travel mishap")
    [message] = mail.outbox
    assert message.to == ["late.speaker@example.org"]
    assert f"/cfp/refereed-2023/submit/?code={code.code}" in message.body
    assert "(" in message.body and "UTC" in message.body  # the expiry, with its zone


def test_late_code_issue_by_a_reviewer_is_refused(closed_track):
    reviewer = UserFactory()
    closed_track.reviewers.add(reviewer)
    with pytest.raises(CfpError, match="Only a chair of Refereed 2023"):
        _issue(closed_track, reviewer)
    assert not LateSubmissionCode.objects.exists()


def test_late_code_issue_refuses_a_past_expiry_and_bad_uses(closed_track, chair):
    with pytest.raises(CfpError, match="future"):
        _issue(closed_track, chair, expires_at=timezone.now() - dt.timedelta(minutes=1))
    with pytest.raises(CfpError, match="between 1 and 100"):
        _issue(closed_track, chair, max_uses=0)
    with pytest.raises(CfpError, match="email address"):
        _issue(closed_track, chair, email="not an address")


def test_late_code_admits_one_submission_after_a_hard_deadline(closed_track, chair, speaker):
    code = _issue(closed_track, chair)
    deadline = closed_track.deadline

    proposal = _submit(closed_track, speaker, f"  {code.code} ")

    assert proposal.state == Proposal.State.SUBMITTED
    code.refresh_from_db()
    assert code.uses == 1
    use = audit_trail(code).get(action="late_code_use")
    assert (use.actor, use.data["proposal"]) == (speaker, proposal.pk)
    assert audit_trail(proposal).get(action="proposal_submit").data["late"] is True
    closed_track.refresh_from_db()
    assert closed_track.deadline == deadline and closed_track.sequence == 0

    with pytest.raises(CfpError, match="used already"):
        _submit(closed_track, speaker, code.code, title="A second one")
    assert Proposal.objects.count() == 1
    code.refresh_from_db()
    assert code.uses == 1


def test_late_code_with_three_uses_admits_three(closed_track, chair, speaker):
    code = _issue(closed_track, chair, max_uses=3)
    for n in range(3):
        _submit(closed_track, speaker, code.code, title=f"Talk {n}")
    with pytest.raises(CfpError, match=r"used already \(3 times\)"):
        _submit(closed_track, speaker, code.code, title="Talk 4")
    assert Proposal.objects.count() == 3


def test_late_code_refuses_another_person(closed_track, chair):
    code = _issue(closed_track, chair)
    with pytest.raises(CfpError, match="another email address"):
        _submit(closed_track, UserFactory(email="someone.else@example.org"), code.code)
    code.refresh_from_db()
    assert code.uses == 0 and not Proposal.objects.exists()


def test_late_code_refuses_another_track(closed_track, chair, speaker):
    other = TrackFactory(
        conference=closed_track.conference,
        name="Toolchains",
        opens_at=closed_track.opens_at,
        deadline=closed_track.deadline,
        chairs=[chair],
    )
    code = _issue(other, chair)
    with pytest.raises(CfpError, match="is for Toolchains, not for Refereed 2023"):
        _submit(closed_track, speaker, code.code)
    assert not Proposal.objects.exists()


def test_late_code_refuses_after_its_expiry(closed_track, chair, speaker):
    code = _issue(closed_track, chair, expires_at=timezone.now() + dt.timedelta(hours=1))
    later = timezone.now() + dt.timedelta(hours=2)
    with pytest.raises(CfpError, match="expired on"):
        services.proposal_submit(
            track=closed_track,
            submitter=speaker,
            title="Too late",
            abstract="x",
            late_code=code.code,
            now=later,
        )


def test_late_code_unknown_is_refused_and_no_code_keeps_the_deadline(closed_track, speaker):
    with pytest.raises(CfpError, match="not valid"):
        _submit(closed_track, speaker, "no-such-code")
    with pytest.raises(CfpError, match="has passed"):
        _submit(closed_track, speaker, "")


def test_late_code_is_not_used_while_the_track_is_open(conference, chair, speaker):
    track = TrackFactory(conference=conference, chairs=[chair])
    code = _issue(track, chair)
    _submit(track, speaker, code.code)
    code.refresh_from_db()
    assert code.uses == 0


def test_late_code_does_not_open_a_track_before_it_opens(conference, chair, speaker):
    now = timezone.now()
    track = TrackFactory(
        conference=conference,
        opens_at=now + dt.timedelta(days=1),
        deadline=now + dt.timedelta(days=9),
        chairs=[chair],
    )
    code = _issue(track, chair)
    with pytest.raises(CfpError, match="opens for proposals"):
        _submit(track, speaker, code.code)


def test_late_code_revoke_is_audited(closed_track, chair, organizer):
    code = _issue(closed_track, chair)
    pk = code.pk
    late_codes.late_code_revoke(code=code, actor=organizer)
    assert not LateSubmissionCode.objects.filter(pk=pk).exists()
    from plumbers.models import AuditLog

    assert AuditLog.objects.filter(object_id=str(pk), action="late_code_revoke").exists()


# ----------------------------------------------------------------------------- pages


def test_submit_page_with_a_valid_code_shows_the_form(client, closed_track, chair, speaker):
    code = _issue(closed_track, chair)
    client.force_login(speaker)
    html = client.get(f"/cfp/refereed-2023/submit/?code={code.code}").content.decode()
    assert "your late-submission code admits your proposal" in html
    assert f'value="{code.code}"' in html
    assert "Submit proposal" in html


def test_submit_page_without_code_says_the_deadline_is_hard(client, closed_track, speaker):
    client.force_login(speaker)
    html = client.get("/cfp/refereed-2023/submit/").content.decode()
    assert "Its deadline is hard: it is not extended." in html
    assert "Late-submission code" in html and "Submit proposal" not in html


def test_submit_page_with_a_foreign_code_explains_and_keeps_it(client, closed_track, chair):
    code = _issue(closed_track, chair)
    client.force_login(UserFactory())
    html = client.get(f"/cfp/refereed-2023/submit/?code={code.code}").content.decode()
    assert "issued to another email address" in html
    assert f'value="{code.code}"' in html
    assert "Submit proposal" not in html


def test_submit_post_with_used_code_is_refused_with_text_kept(client, closed_track, chair, speaker):
    code = _issue(closed_track, chair)
    _submit(closed_track, speaker, code.code)
    client.force_login(speaker)
    response = client.post(
        f"/cfp/refereed-2023/submit/?code={code.code}",
        {
            "title": "My second late talk",
            "abstract": "Typed with care.",
            "late_code": code.code,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "used already" in html
    assert "My second late talk" in html and "Typed with care." in html
    assert Proposal.objects.count() == 1


def test_submit_post_with_code_field_admits(client, closed_track, chair, speaker):
    code = _issue(closed_track, chair)
    client.force_login(speaker)
    response = client.post(
        "/cfp/refereed-2023/submit/",
        {"title": "Typed code", "abstract": "Yes.", "late_code": code.code},
    )
    assert response.status_code == 302
    assert Proposal.objects.get().title == "Typed code"


def test_chair_issues_a_code_on_the_late_codes_page(client, closed_track, chair):
    client.force_login(chair)
    page = client.get("/cfp/review/late-codes/")
    assert page.status_code == 200 and "Refereed 2023" in page.content.decode()
    response = client.post(
        "/cfp/review/late-codes/",
        {
            "track": closed_track.pk,
            "email": "late.speaker@example.org",
            "max_uses": 1,
            "expires_at": (timezone.now() + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
            "reason": "Visa delay",
        },
    )
    assert response.status_code == 302
    code = LateSubmissionCode.objects.get()
    assert (code.track, code.issued_by, code.reason) == (closed_track, chair, "Visa delay")
    html = client.get("/cfp/review/late-codes/").content.decode()
    assert code.code in html and "0 of 1" in html


def test_triage_area_links_chairs_to_the_late_codes_page(client, closed_track, chair):
    client.force_login(chair)

    page = client.get("/cfp/review/").content.decode()

    assert 'href="/cfp/review/late-codes/"' in page


def test_late_codes_page_refuses_a_reviewer(client, closed_track):
    reviewer = UserFactory()
    closed_track.reviewers.add(reviewer)
    client.force_login(reviewer)
    assert client.get("/cfp/review/late-codes/").status_code == 403


def test_late_codes_page_bad_post_keeps_what_was_typed(client, closed_track, chair):
    client.force_login(chair)
    response = client.post(
        "/cfp/review/late-codes/",
        {
            "track": closed_track.pk,
            "email": "late.speaker@example.org",
            "max_uses": 1,
            "expires_at": "2001-01-01T10:00",
            "reason": "Kept reason",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "future" in html and "Kept reason" in html
    assert not LateSubmissionCode.objects.exists()


def test_organizer_issues_a_code_in_the_admin(organizer_client, closed_track, organizer):
    local = timezone.localtime(timezone.now() + dt.timedelta(days=3))
    response = organizer_client.post(
        "/admin/cfp/latesubmissioncode/add/",
        {
            "track": closed_track.pk,
            "email": "late.speaker@example.org",
            "max_uses": 2,
            "expires_at_0": local.strftime("%Y-%m-%d"),
            "expires_at_1": local.strftime("%H:%M:%S"),
            "reason": "From the admin",
            "_save": "Save",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    code = LateSubmissionCode.objects.get()
    assert (code.max_uses, code.issued_by) == (2, organizer)
    assert audit_trail(code).filter(action="late_code_issue").count() == 1


# -------------------------------------------------------------------- concurrency


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_late_code_single_use_concurrent_uses_admit_one():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions (row locks)")
    now = timezone.now()
    chair = UserFactory()
    speaker = UserFactory(email="race@example.org")
    track = TrackFactory(
        conference=ConferenceFactory(is_current=True),
        opens_at=now - dt.timedelta(days=30),
        deadline=now - dt.timedelta(hours=1),
        deadline_policy=Track.DeadlinePolicy.HARD,
        chairs=[chair],
    )
    code = _issue(track, chair, email="race@example.org")
    barrier = threading.Barrier(4)
    outcomes = []

    def use(n):
        try:
            barrier.wait()
            _submit(Track.objects.get(pk=track.pk), speaker, code.code, title=f"Race {n}")
            outcomes.append("ok")
        except CfpError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=use, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    code.refresh_from_db()
    assert code.uses == 1
    assert Proposal.objects.filter(track=track).count() == 1


def test_organizer_revokes_a_code_in_the_admin_on_the_record(
    organizer_client, closed_track, chair, organizer
):
    code = _issue(closed_track, chair)
    pk = code.pk
    response = organizer_client.post(f"/admin/cfp/latesubmissioncode/{pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not LateSubmissionCode.objects.filter(pk=pk).exists()
    entry = audit_trail(code).get(action="late_code_revoke")
    assert (entry.actor, entry.to_state) == (organizer, "deleted")
