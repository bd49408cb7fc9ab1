import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from cfp import demo as cfp_demo
from cfp.models import DeadlineExtension, LateSubmissionCode, Proposal, Review, Track
from cfp.selectors import contributor_reasons
from microconferences import demo as mc_demo
from plumbers.demo import load_core
from plumbers.models import Announcement

pytestmark = pytest.mark.django_db
DUBLIN = zoneinfo.ZoneInfo("Europe/Dublin")


def _load(times=2):
    ctx = load_core(historical=False, out=lambda _: None)
    mc_demo.load(ctx)
    for _ in range(times):
        cfp_demo.load(ctx)
    return ctx


def test_demo_cfp_is_idempotent_and_tells_the_story():
    ctx = _load(times=2)

    refereed = Track.objects.with_extensions().get(conference=ctx.conference, slug="refereed")
    assert refereed.is_open()  # the demo's today is the story's 14 June
    assert refereed.sequence == 1
    (extension,) = refereed.ordered_extensions
    assert extension.previous == ctx.at(2022, 6, 12, 23, 59)
    assert extension.new == refereed.deadline == ctx.at(2022, 6, 19, 23, 59)
    assert extension.announcement == Announcement.objects.get(slug="cfp-deadline-extended-refereed")
    assert DeadlineExtension.objects.count() == 1
    assert (
        not Announcement.objects.filter(slug__startswith="cfp-deadline-extended-ref")
        .exclude(slug="cfp-deadline-extended-refereed")
        .exists()
    )
    assert ctx.accounts["reviewer"] in refereed.reviewers.all()
    assert Review.objects.filter(reviewer=ctx.accounts["reviewer"]).exists()

    mc_tracks = Track.objects.filter(conference=ctx.conference, kind=Track.Kind.MICROCONFERENCE)
    assert mc_tracks.count() == len(ctx.extra["microconferences"])
    for track in mc_tracks:
        assert set(track.reviewers.all()) == set(track.microconference.leads.all())
        local = timezone.localtime(track.deadline, DUBLIN) - ctx.shift
        assert local.month in (7, 8)

    accepted = Proposal.objects.get(track__conference=ctx.conference, state="confirmed")
    assert contributor_reasons(user=accepted.submitter, conference=ctx.conference) == ["speaker"]

    hard = Track.objects.get(conference__slug="2023", slug="refereed")
    assert hard.is_hard and not hard.conference.is_current
    assert Proposal.objects.count() == 6
    mc_proposal = Proposal.objects.get(track__kind=Track.Kind.MC_PROPOSALS)
    assert mc_proposal.state == "submitted" and mc_proposal.co_speakers.count() == 1
    assert LateSubmissionCode.objects.filter(track=mc_proposal.track).count() == 1


def test_demo_cfp_rerun_on_a_later_day_moves_the_extension_with_the_timeline():
    _load(times=1)
    later = timezone.localdate() + dt.timedelta(days=3)
    ctx = load_core(historical=False, out=lambda _: None, today=later)
    mc_demo.load(ctx)
    cfp_demo.load(ctx)

    refereed = Track.objects.get(conference=ctx.conference, slug="refereed")
    extension = DeadlineExtension.objects.get()
    assert (extension.previous, extension.new) == (
        ctx.at(2022, 6, 12, 23, 59),
        ctx.at(2022, 6, 19, 23, 59),
    )
    assert refereed.deadline == extension.new
    assert refereed.sequence == 1
