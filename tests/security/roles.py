"""The people and objects of the permission matrix, built once per test module.

One current edition with:

* track A ("refereed") holding the speaker's proposal P (reviewed by the reviewer, chaired
  by the chair) and a second proposal of somebody else; track B with its own reviewer and a
  proposal of its own; an accepted microconference M (with its own CFP track, so its lead
  reviews that track) led by the MC lead, with a heading and a topic, and a second MC led
  by somebody else, and a proposed (not yet public) MC of the MC lead;
* an in-person attendance kind of three seats, sold out by a confirmed stranger, a
  colleague's open offer and an issued complimentary pass of M, whose waitlist holds the
  waitlisted attendee; a virtual kind;
* a visible sponsor with a logo, a hidden sponsor with a logo, a published and a scheduled
  announcement.

Every private text (proposal titles and notes, the review comment, the waitlist reason, the
pass code, the hidden sponsor's name, the scheduled announcement) is a unique marker, so a
test can check that no page shows it to a role that may not see it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from cfp.models import Conflict, Track
from microconferences.models import Microconference
from plumbers.permissions import ORGANIZERS_GROUP
from registration import services as registration_services
from registration.models import PriorityRule, Registration
from sponsors import services as sponsor_services
from tests.cfp.factories import ProposalFactory, ReviewFactory, TrackFactory
from tests.factories import AnnouncementFactory, ConferenceFactory, UserFactory
from tests.microconferences.factories import (
    MicroconferenceFactory,
    TopicFactory,
    TopicGroupFactory,
)
from tests.registration.factories import (
    AttendanceKindFactory,
    PriorityRuleFactory,
    RegistrationFactory,
    VirtualKindFactory,
)
from tests.sponsors.factories import SponsorFactory, SponsorTierFactory, png_upload

ROLES = [
    "anonymous",
    "attendee",
    "waitlisted",
    "speaker",
    "mc_lead",
    "reviewer",
    "reviewer_other_track",
    "chair",
    "organizer",
]

# Private texts, by who may see them anywhere on the site (the organizers see everything in
# the admin). Every response of the matrix is searched for the ones its role may not see.
SECRET_READERS = {
    "proposal": {"speaker", "reviewer", "chair", "organizer"},
    "proposal_notes": {"speaker", "reviewer", "chair", "organizer"},
    "review_comment": {"reviewer", "chair", "organizer"},
    "other_track_proposal": {"reviewer_other_track", "organizer"},
    # Same track as P; the chair declared a conflict on it, so only the reviewer sees it.
    "colleague_proposal": {"reviewer", "organizer"},
    "waitlist_reason": {"waitlisted", "organizer"},
    "pass_code": {"organizer"},
    "hidden_sponsor": {"organizer"},
    "scheduled_announcement": {"organizer"},
    "proposed_mc": {"mc_lead", "organizer"},  # not public until accepted; its lead edits it
}


@dataclass
class World:
    conference: object
    users: dict
    track: object
    other_track: object
    mc_track: object
    proposal: object
    colleague_proposal: object
    other_track_proposal: object
    review: object
    mc: object
    other_mc: object
    proposed_mc: object
    group: object
    topic: object
    other_mc_group: object
    other_mc_topic: object
    in_person: object
    virtual: object
    waitlisted_registration: object
    stranger_registration: object
    offered_registration: object
    complimentary_pass: object
    sponsor: object
    hidden_sponsor: object
    announcement: object
    scheduled_announcement: object
    secrets: dict = field(default_factory=dict)

    def user(self, role: str):
        return None if role == "anonymous" else self.users[role]

    def forbidden_secrets(self, role: str) -> dict[str, str]:
        """The private texts ``role`` must never be shown."""
        return {
            name: text
            for name, text in self.secrets.items()
            if role not in SECRET_READERS[name.split(":")[0]]
        }


def build_world() -> World:
    conference = ConferenceFactory(is_current=True, slug="lpc-matrix", name="LPC Matrix")

    organizer = UserFactory(is_staff=True, display_name="Olga Organizer")
    organizer.groups.add(Group.objects.get_or_create(name=ORGANIZERS_GROUP)[0])
    users = {
        "attendee": UserFactory(display_name="Ada Attendee"),
        "waitlisted": UserFactory(display_name="Wanda Waitlisted"),
        "speaker": UserFactory(display_name="Sam Speaker"),
        "mc_lead": UserFactory(display_name="Lee Lead"),
        "reviewer": UserFactory(display_name="Rita Reviewer"),
        "reviewer_other_track": UserFactory(display_name="Otto Otherreviewer"),
        "chair": UserFactory(display_name="Chris Chair"),
        "organizer": organizer,
    }
    stranger = UserFactory(display_name="Stan Stranger")
    colleague = UserFactory(display_name="Cora Colleague")

    # Microconferences: M led by the MC lead (with its own CFP track), and another one.
    mc = MicroconferenceFactory(
        conference=conference, slug="mc-matrix", leads=[users["mc_lead"]], complimentary_passes=2
    )
    group = TopicGroupFactory(microconference=mc, title="Matrix heading")
    topic = TopicFactory(microconference=mc, group=group, title="Matrix topic")
    TopicFactory(microconference=mc, group=None, title="Matrix loose topic")
    proposed_mc = MicroconferenceFactory(
        conference=conference,
        slug="mc-proposed",
        title="Proposed-mc-title-M1P",
        status=Microconference.Status.PROPOSED,
        leads=[users["mc_lead"]],
    )
    other_mc = MicroconferenceFactory(conference=conference, slug="mc-other", leads=[stranger])
    other_mc_group = TopicGroupFactory(microconference=other_mc, title="Other heading")
    other_mc_topic = TopicFactory(microconference=other_mc, group=other_mc_group)

    # CFP.
    track = TrackFactory(
        conference=conference,
        slug="refereed",
        reviewers=[users["reviewer"]],
        chairs=[users["chair"]],
    )
    other_track = TrackFactory(
        conference=conference, slug="other-track", reviewers=[users["reviewer_other_track"]]
    )
    mc_track = TrackFactory(
        conference=conference,
        slug="mc-matrix-track",
        kind=Track.Kind.MICROCONFERENCE,
        microconference=mc,
    )
    proposal = ProposalFactory(
        track=track,
        submitter=users["speaker"],
        title="Zebra-proposal-P7Q",
        notes="Notes-for-reviewers-N4K",
    )
    colleague_proposal = ProposalFactory(
        track=track, submitter=colleague, title="Colleague-proposal-C2D"
    )
    other_track_proposal = ProposalFactory(
        track=other_track, submitter=stranger, title="Other-track-proposal-O9T"
    )
    review = ReviewFactory(
        proposal=proposal, reviewer=users["reviewer"], comment="Review-comment-R5V"
    )
    Conflict.objects.create(
        proposal=colleague_proposal, reviewer=users["chair"], reason="Same employer."
    )

    # Sponsors (before the passes: a tier with passes exists for the admin pages).
    tier = SponsorTierFactory(conference=conference, name="Gold", complimentary_passes=2)
    sponsor = sponsor_services.sponsor_save(
        sponsor=SponsorFactory.build(
            tier=tier, name="Visible Sponsor", logo=png_upload(), logo_alt="Visible"
        ),
        actor=organizer,
    )
    hidden_sponsor = sponsor_services.sponsor_save(
        sponsor=SponsorFactory.build(
            tier=tier,
            name="Hidden-sponsor-H3S",
            visible=False,
            logo=png_upload("hidden.png"),
            logo_alt="Hidden",
        ),
        actor=organizer,
    )

    # Registration: three in-person seats (a confirmed stranger, an offer, M's pass); so
    # the waitlisted attendee is on the waitlist of a sold-out kind.
    now = timezone.now()
    PriorityRuleFactory(
        conference=conference, kind=PriorityRule.Kind.CONTENT_CONTRIBUTOR, weight=100, order=1
    )
    in_person = AttendanceKindFactory(
        conference=conference, capacity=3, opens_at=now - dt.timedelta(days=2)
    )
    virtual = VirtualKindFactory(conference=conference, opens_at=now - dt.timedelta(days=2))
    stranger_registration = RegistrationFactory(user=stranger, kind=in_person)
    offered_registration = RegistrationFactory(
        user=colleague,
        kind=in_person,
        status=Registration.Status.OFFERED,
        confirmed_at=None,
        reason="Colleague wants to come.",
        joined_at=now - dt.timedelta(days=1),
        offered_at=now,
        offer_expires_at=now + dt.timedelta(days=2),
    )
    (complimentary_pass,) = registration_services.pass_issue(
        kind=in_person, microconference=mc, count=1, actor=organizer
    )
    waitlisted_registration = registration_services.registration_create(
        user=users["waitlisted"], kind=in_person, reason="Waitlist-reason-W8X"
    )

    announcement = AnnouncementFactory(title="Published news", slug="published-news")
    scheduled = AnnouncementFactory(
        title="Scheduled-announcement-S6A",
        slug="scheduled-news",
        published_at=now + dt.timedelta(days=3),
    )

    # A queued mail as the task worker's admin shows it (with a private address in it).
    DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {"subject": "Queued", "body": "", "to": []}},
        task_path="plumbers.mail.deliver_mail",
        backend_name="default",
        run_after=now,
        exception_class_path="",
        traceback="",
    )

    world = World(
        conference=conference,
        users=users,
        track=track,
        other_track=other_track,
        mc_track=mc_track,
        proposal=proposal,
        colleague_proposal=colleague_proposal,
        other_track_proposal=other_track_proposal,
        review=review,
        mc=mc,
        other_mc=other_mc,
        proposed_mc=proposed_mc,
        group=group,
        topic=topic,
        other_mc_group=other_mc_group,
        other_mc_topic=other_mc_topic,
        in_person=in_person,
        virtual=virtual,
        waitlisted_registration=waitlisted_registration,
        stranger_registration=stranger_registration,
        offered_registration=offered_registration,
        complimentary_pass=complimentary_pass,
        sponsor=sponsor,
        hidden_sponsor=hidden_sponsor,
        announcement=announcement,
        scheduled_announcement=scheduled,
    )
    world.secrets = {
        "proposal": proposal.title,
        "proposal_notes": proposal.notes,
        "review_comment": review.comment,
        "other_track_proposal": other_track_proposal.title,
        "colleague_proposal": colleague_proposal.title,
        "waitlist_reason": waitlisted_registration.reason,
        "pass_code": complimentary_pass.code,
        "pass_code:display": complimentary_pass.display_code,
        "hidden_sponsor": hidden_sponsor.name,
        "scheduled_announcement": scheduled.title,
        "proposed_mc": proposed_mc.title,
    }
    return world
