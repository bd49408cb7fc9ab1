"""LPC 2022's call for proposals on the demo's timeline (idempotent).

Choices (the seed gives only the refereed dates):

* Refereed presentations: opens 1 March 2022, deadline 12 June 2022 23:59 Europe/Dublin,
  extended on 9 June to 19 June 23:59 (the recorded extension is linked to the existing news
  post "cfp-deadline-extended-refereed", not a second one). Open on the demo's today (14 June).
* Microconference proposals: opened 1 February, closed 15 April 2022 23:59 AoE.
* One topics track per microconference (kind "microconference", its leads as reviewers and
  chairs), open from 1 May to a July/August deadline, shown in AoE as LPC does.
* A few fictional speakers and proposals; the demo reviewer and a second reviewer review the
  refereed track; one Real-time MC topic is accepted by the MC's lead (so its speaker is a
  content contributor for the registration waitlist).
* The Real-time topic's speaker confirmed it (accepted → confirmed). A microconference
  proposal ("Confidential Computing", two proposers) waits for the committee: accepting it
  creates the MC. The closed MC-proposals track has a late-submission code for Ada.
* Linux Plumbers Conference 2023 (not current) with a hard refereed deadline, to show the
  refusal of the "Extend deadline" admin action.
"""

import datetime as dt
import zoneinfo

from cfp import confirmation, late_codes, services
from cfp.models import AOE, DeadlineExtension, LateSubmissionCode, Proposal, Track
from cfp.phases import default_phases
from plumbers.models import Announcement, Conference

REFEREED_REASON = (
    "Our long-standing tradition of a one-week extension, kept one last time: from 2023 the "
    "refereed-track deadline is hard."
)

MC_DEADLINES = {
    "vfio-iommu-pci": (2022, 8, 15),
    "android": (2022, 8, 1),
    "open-printing": (2022, 8, 15),
    "cpu-isolation": (2022, 7, 31),
    "iot": (2022, 8, 1),
    "real-time-and-scheduling": (2022, 7, 31),
    "kernel-memory-management": (2022, 7, 15),
}

SPEAKERS = {
    "ada": ("ada.pipewright@example.org", "Ada Pipewright"),
    "bram": ("bram.flushworth@example.org", "Bram Flushworth"),
    "cleo": ("cleo.spanner@example.org", "Cleo Spanner"),
    "dev": ("dev.gasket@example.org", "Dev Gasket"),
    "quinn": ("quinn.queue@example.org", "Quinn Queue"),
}


def _upsert_track(*, conference: Conference, slug: str, **fields) -> Track:
    """Create the track, or bring an existing one onto today's timeline. Never touches the
    extension count (SEQUENCE) of an existing track."""
    reviewers = fields.pop("reviewers", [])
    chairs = fields.pop("chairs", [])
    track = Track.objects.filter(conference=conference, slug=slug).first()
    if track is None:
        track = Track.objects.create(conference=conference, slug=slug, **fields)
    else:
        for name, value in fields.items():
            setattr(track, name, value)
        track.save()
    track.reviewers.add(*reviewers)
    track.chairs.add(*chairs)
    return track


def _refereed(ctx, people) -> Track:
    original = ctx.at(2022, 6, 12, 23, 59)
    extended = ctx.at(2022, 6, 19, 23, 59)
    existing = Track.objects.filter(conference=ctx.conference, slug="refereed").first()
    has_extension = existing is not None and existing.extensions.exists()
    track = _upsert_track(
        conference=ctx.conference,
        slug="refereed",
        name="Refereed presentations",
        kind=Track.Kind.REFEREED,
        description=(
            "45-minute talks on the plumbing of Linux: kernel subsystems, core libraries, "
            "toolchains, init and boot, graphics, power management and everything in between. "
            "Every proposal is reviewed by the program committee."
        ),
        opens_at=ctx.at(2022, 3, 1, 0, 0),
        deadline=extended if has_extension else original,
        deadline_policy=Track.DeadlinePolicy.EXTENDABLE,
        show_aoe=False,
        order=1,
        # Review phases (issue 14): the committee reviews as proposals arrive and until three
        # weeks after the deadline; decisions follow (before then a chair overrides, audited).
        review_opens_at=ctx.at(2022, 3, 1, 0, 0),
        review_closes_at=ctx.at(2022, 7, 10, 23, 59),
        decision_opens_at=ctx.at(2022, 7, 11, 0, 0),
        decision_closes_at=ctx.at(2022, 7, 31, 23, 59),
        min_reviews=2,
        accept_target=2,
        speaker_comments=True,
        reviewers=[ctx.accounts["reviewer"], people["quinn"]],
        chairs=[ctx.accounts["organizer"]],
    )
    announcement = Announcement.objects.filter(slug="cfp-deadline-extended-refereed").first()
    extension = track.extensions.order_by("at", "pk").first()
    if extension is None:
        services.track_extend_deadline(
            track=track,
            new_deadline=extended,
            reason=REFEREED_REASON,
            actor=ctx.accounts["organizer"],
            announcement=announcement,
            at=ctx.at(2022, 6, 9, 10),
        )
    else:
        # Seed maintenance only: the one recorded extension follows the shifted timeline.
        DeadlineExtension.objects.filter(pk=extension.pk).update(
            previous=original,
            new=extended,
            at=ctx.at(2022, 6, 9, 10),
            reason=REFEREED_REASON,
            announcement=announcement,
        )
    track.refresh_from_db()
    return track


def _proposal(*, track, submitter, title, abstract, notes="", co_speakers=(), created_at):
    proposal = Proposal.objects.filter(track=track, submitter=submitter, title=title).first()
    if proposal is None:
        # Entered as an organizer would in the admin: on the record, but no mail to the
        # fictional speakers and no window check (the story's dates are in the past).
        return services.proposal_save(
            proposal=Proposal(
                track=track,
                submitter=submitter,
                title=title,
                abstract=abstract,
                notes=notes,
                created_at=created_at,
            ),
            actor=None,
            co_speakers=list(co_speakers),
        )
    proposal.co_speakers.add(*co_speakers)
    return proposal


def _microconferences(ctx) -> dict:
    mcs = ctx.extra.get("microconferences")
    if mcs:
        return mcs
    from microconferences.models import Microconference

    return {
        mc.slug: mc
        for mc in Microconference.objects.filter(
            conference=ctx.conference, status=Microconference.Status.ACCEPTED
        )
    }


def load(ctx) -> None:
    people = {key: ctx.user(email, name) for key, (email, name) in SPEAKERS.items()}
    reviewer, organizer = ctx.accounts["reviewer"], ctx.accounts["organizer"]

    refereed = _refereed(ctx, people)
    mc_proposals = _upsert_track(
        conference=ctx.conference,
        slug="microconference-proposals",
        name="Microconference proposals",
        kind=Track.Kind.MC_PROPOSALS,
        description="Propose a microconference: a half-day of discussion on open problems.",
        opens_at=ctx.at(2022, 2, 1, 0, 0),
        deadline=ctx.at(2022, 4, 15, 23, 59, tz=AOE),
        deadline_policy=Track.DeadlinePolicy.EXTENDABLE,
        show_aoe=True,
        order=2,
        chairs=[organizer],
    )

    mc_tracks = {}
    for order, (slug, mc) in enumerate(sorted(_microconferences(ctx).items()), start=10):
        y, m, d = MC_DEADLINES.get(slug, (2022, 8, 1))
        leads = list(mc.leads.all())
        mc_tracks[slug] = _upsert_track(
            conference=ctx.conference,
            slug=slug,
            name=f"{mc.title} microconference",
            kind=Track.Kind.MICROCONFERENCE,
            microconference=mc,
            description=f"Topics for the {mc.title} microconference; its leads review them.",
            opens_at=ctx.at(2022, 5, 1, 0, 0),
            deadline=ctx.at(y, m, d, 23, 59, tz=AOE),
            # The leads review and decide topics as they arrive, until after the deadline.
            review_opens_at=ctx.at(2022, 5, 1, 0, 0),
            review_closes_at=ctx.at(y, m, d, 23, 59, tz=AOE) + dt.timedelta(weeks=2),
            decision_opens_at=ctx.at(2022, 5, 1, 0, 0),
            decision_closes_at=ctx.at(y, m, d, 23, 59, tz=AOE) + dt.timedelta(weeks=3),
            deadline_policy=Track.DeadlinePolicy.EXTENDABLE,
            show_aoe=True,
            order=order,
            reviewers=leads,
            chairs=leads,
        )

    # Proposals (fictional speakers, our own titles) and reviews.
    writeback = _proposal(
        track=refereed,
        submitter=people["ada"],
        title="Taming writeback stalls on tiered memory",
        abstract=(
            "When slow memory tiers fill up, writeback and reclaim fight over the same "
            "pages. We show traces from three workloads and **two fixes** we would like to "
            "upstream."
        ),
        notes="Slides half done; happy to shorten to 30 minutes.",
        created_at=ctx.at(2022, 5, 20, 9),
    )
    rust_block = _proposal(
        track=refereed,
        submitter=people["bram"],
        title="A year of Rust in a block driver: what we would do again",
        abstract="What went well, what hurt, and what the block layer could offer Rust users.",
        co_speakers=[people["cleo"]],
        created_at=ctx.at(2022, 6, 2, 15),
    )
    _proposal(
        track=refereed,
        submitter=people["cleo"],
        title="Scheduler hints from user space, revisited",
        abstract="Three hint interfaces were proposed in five years. Which problems remain?",
        created_at=ctx.at(2022, 6, 13, 18),
    )
    reviews = [
        (writeback, reviewer, 2, 3, "Clear problem, real data. Would like to see this."),
        (rust_block, reviewer, 1, 2, "Timely; make sure it is not a Rust-for-Linux rerun."),
        (writeback, people["quinn"], 1, 2, "Good, overlaps a little with the MM MC."),
    ]
    for proposal, who, score, confidence, comment in reviews:
        services.review_submit(
            proposal=proposal,
            reviewer=who,
            score=score,
            confidence=confidence,
            comment=comment,
            now=ctx.at(2022, 6, 14, 9),  # in the review phase on the story's timeline
        )

    accepted = None
    rt_track = mc_tracks.get("real-time-and-scheduling")
    if rt_track is not None:
        accepted = _proposal(
            track=rt_track,
            submitter=people["dev"],
            title="Latency nice: measuring what it buys on a loaded desktop",
            abstract="Numbers from a busy desktop and a media box, with and without hints.",
            created_at=ctx.at(2022, 6, 6, 11),
        )
        decider = rt_track.chairs.first() or organizer
        if accepted.state == Proposal.State.SUBMITTED:
            services.proposal_decide(
                proposals=accepted, decision="accepted", actor=decider, now=ctx.at(2022, 6, 10, 12)
            )
        if accepted.state == Proposal.State.ACCEPTED:
            # The speaker answered the acceptance: they will give the talk.
            confirmation.proposal_confirm(proposal=accepted, actor=accepted.submitter)
        _proposal(
            track=rt_track,
            submitter=people["ada"],
            title="PREEMPT_RT and tiered memory: who waits for whom",
            abstract="Reclaim on slow tiers shows up in RT latency traces; let's discuss.",
            created_at=ctx.at(2022, 6, 12, 16),
        )

    # A microconference proposal waiting for the committee: accepting it (triage area or
    # admin) creates the microconference with its proposers as leads (cfp.mc_proposals).
    _proposal(
        track=mc_proposals,
        submitter=people["quinn"],
        title="Confidential Computing",
        abstract=(
            "Attestation, memory encryption and device assignment for confidential guests: "
            "what the kernel, the hypervisors and the firmware still have to agree on."
        ),
        co_speakers=[people["bram"]],
        created_at=ctx.at(2022, 4, 10, 14),
    )
    # The proposals track has closed; its chair let one person submit late, for a week.
    if not LateSubmissionCode.objects.filter(track=mc_proposals).exists():
        late_codes.late_code_issue(
            track=mc_proposals,
            email=people["ada"].email,
            expires_at=ctx.at(2022, 6, 21, 23, 59),
            actor=organizer,
            reason="Her MC co-lead was travelling during the call.",
            now=ctx.at(2022, 6, 13, 9),  # issued on the story's timeline
            send_mail=False,
        )

    # The following edition: its refereed deadline is hard.
    new_york = zoneinfo.ZoneInfo("America/New_York")
    lpc2023, _ = Conference.objects.update_or_create(
        slug="2023",
        defaults={
            "name": "Linux Plumbers Conference 2023",
            "year": 2023,
            "starts_on": dt.date(2023, 11, 13) + ctx.shift,
            "ends_on": dt.date(2023, 11, 15) + ctx.shift,
            "city": "Richmond, VA",
            "venue": "Omni Richmond Hotel",
            "timezone": "America/New_York",
            "is_current": False,
        },
    )
    _upsert_track(
        conference=lpc2023,
        slug="refereed",
        name="Refereed presentations",
        kind=Track.Kind.REFEREED,
        description="From 2023 the refereed-track deadline is hard: it will not be extended.",
        opens_at=ctx.at(2023, 3, 1, 0, 0, tz=new_york),
        deadline=ctx.at(2023, 7, 16, 23, 59, tz=new_york),
        deadline_policy=Track.DeadlinePolicy.HARD,
        **default_phases(ctx.at(2023, 7, 16, 23, 59, tz=new_york)),
        show_aoe=False,
        order=1,
        chairs=[organizer],
    )

    ctx.extra["cfp_tracks"] = {"refereed": refereed, "microconference-proposals": mc_proposals}
    ctx.extra["cfp_tracks"].update(mc_tracks)
    if accepted is not None:
        ctx.extra["cfp_accepted_speaker"] = accepted.submitter
    ctx.out(
        f"CFP: {2 + len(mc_tracks)} tracks for {ctx.conference.slug} (refereed deadline "
        f"{refereed.original_deadline:%d %b} extended to {refereed.deadline:%d %b}, "
        f"{'open' if refereed.is_open() else 'closed'}), "
        f"{Proposal.objects.filter(track__conference=ctx.conference).count()} proposals, "
        f"2023 refereed track with a hard deadline. Accepted speaker: "
        f"{accepted.submitter if accepted else 'none'}."
    )
