"""Microconference proposals become microconferences.

A proposal on a track of kind "microconference proposals" is a proposal to run an MC. When
the committee accepts it, the edition's microconference is created in the same transaction
as the decision (and on the same audit record): status accepted, a draft description taken
from the abstract, the submitter and the co-speakers as its leads (they edit its page from
then on), and its own topic-submission track (kind "microconference", its leads reviewing
and chairing it) open from now to the edition's microconference-topics deadline.

Decisions taken here:

* One proposal, one microconference: the MC is linked to the proposal by a one-to-one key,
  so accepting again (after a rejection, or a bulk accept that includes it) finds it and
  accepts it again instead of creating a second.
* Rejecting, withdrawing or declining the proposal later declines the MC (it leaves the
  public pages) but never deletes it. If the MC already has topics, or proposals on its
  topic track, the change is refused with what to do: an MC people have started to fill is
  not pulled out from under them by a click in the triage list.
* The topics deadline: the proposals track's "microconference topics deadline" when set,
  otherwise the latest deadline of the edition's existing microconference tracks, otherwise
  four weeks before the edition starts (at 23:59 in its time zone); never earlier than a
  day from now, so the new track is open.
"""

import datetime as dt

from django.db.models import Max
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator, slugify

from cfp.models import ACCEPTED_STATES, Proposal, Track
from cfp.services import CfpError, track_save
from microconferences import services as mc_services
from microconferences.models import Microconference
from microconferences.services import MicroconferenceError
from plumbers.audit import audit_record

SUMMARY_MAX = Microconference._meta.get_field("summary").max_length
TITLE_MAX = Microconference._meta.get_field("title").max_length


def is_mc_proposal(proposal: Proposal) -> bool:
    return proposal.track.kind == Track.Kind.MC_PROPOSALS


def _unique_slug(model, base: str, *, conference, field: str = "slug", max_length: int = 100):
    base = slugify(base)[: max_length - 4].strip("-") or "microconference"
    slug, n = base, 2
    while model.objects.filter(conference=conference, **{field: slug}).exists():
        slug = f"{base}-{n}"
        n += 1
    return slug


def _summary(proposal: Proposal) -> str:
    text = " ".join(strip_tags(proposal.abstract_html or proposal.abstract).split())
    return Truncator(text).chars(SUMMARY_MAX) or proposal.title[:SUMMARY_MAX]


def topics_deadline(track: Track, *, now: dt.datetime) -> dt.datetime:
    """The deadline a new MC's topic track gets (see the module's docstring)."""
    conference = track.conference
    deadline = track.mc_topics_deadline
    if deadline is None:
        deadline = Track.objects.filter(
            conference=conference, kind=Track.Kind.MICROCONFERENCE
        ).aggregate(latest=Max("deadline"))["latest"]
    if deadline is None:
        day = conference.starts_on - dt.timedelta(weeks=4)
        deadline = dt.datetime.combine(day, dt.time(23, 59), tzinfo=conference.tzinfo)
    return max(deadline, now + dt.timedelta(days=1))


def _leads(proposal: Proposal) -> list:
    return [proposal.submitter, *proposal.co_speakers.all()]


def _create(proposal: Proposal, *, actor, now: dt.datetime) -> Microconference:
    conference = proposal.track.conference
    title = proposal.title[:TITLE_MAX]
    leads = _leads(proposal)
    mc = Microconference(
        conference=conference,
        title=title,
        slug=_unique_slug(Microconference, title, conference=conference),
        summary=_summary(proposal),
        description=proposal.abstract,
        order=(
            Microconference.objects.filter(conference=conference).aggregate(m=Max("order"))["m"]
            or 0
        )
        + 1,
    )
    try:
        mc_services.microconference_save(microconference=mc, actor=actor, leads=leads)
        mc_services.microconference_accept(
            microconference=mc, actor=actor, reason=f"Proposal #{proposal.pk} accepted."
        )
    except MicroconferenceError as error:
        raise CfpError(str(error)) from error
    name = title if title.lower().endswith("microconference") else f"{title} microconference"
    topic_track = Track(
        conference=conference,
        name=name[:200],
        slug=_unique_slug(Track, title, conference=conference),
        kind=Track.Kind.MICROCONFERENCE,
        microconference=mc,
        description=f"Topics for the {title} microconference; its leads review them.",
        opens_at=now,
        deadline=topics_deadline(proposal.track, now=now),
        deadline_policy=Track.DeadlinePolicy.EXTENDABLE,
        show_aoe=proposal.track.show_aoe,
        order=(Track.objects.filter(conference=conference).aggregate(m=Max("order"))["m"] or 0) + 1,
    )
    track_save(track=topic_track, actor=actor, reviewers=leads, chairs=leads)
    return mc


def _content_refusal(mc: Microconference, proposal: Proposal, *, to: str) -> str:
    topics = mc.topics.count()
    topic_proposals = Proposal.objects.filter(track__microconference=mc).count()
    if not topics and not topic_proposals:
        return ""
    held = []
    if topics:
        held.append(f"{topics} topic{'s' if topics != 1 else ''}")
    if topic_proposals:
        held.append(
            f"{topic_proposals} proposal{'s' if topic_proposals != 1 else ''} on its topic track"
        )
    verb = {
        Proposal.State.REJECTED: "rejected",
        Proposal.State.WITHDRAWN: "withdrawn",
        Proposal.State.DECLINED: "declined",
    }.get(to, to)
    return (
        f"“{proposal.title}” cannot be {verb}: its microconference “{mc.title}” already has "
        f"{' and '.join(held)}. Ask the organizers to decline the microconference itself in "
        "the admin (its topics stay), or move or delete its topics first."
    )


def sync_microconference(proposal: Proposal, *, previous: str, actor) -> Microconference | None:
    """Make the proposal's microconference follow its new state; called by the one
    transition function of proposals, inside its transaction, after the state changed."""
    if not is_mc_proposal(proposal):
        return None
    now = timezone.now()
    mc = (
        Microconference.objects.select_for_update(of=("self",))
        .filter(pk=proposal.microconference_id)
        .first()
        if proposal.microconference_id
        else None
    )
    if proposal.state in ACCEPTED_STATES:
        if mc is None:
            mc = _create(proposal, actor=actor, now=now)
            proposal.microconference = mc
            proposal.save(update_fields=["microconference"])
            audit_record(
                obj=proposal,
                action="mc_proposal_became_microconference",
                actor=actor,
                from_state=previous,
                to_state=proposal.state,
                data={"microconference": mc.pk, "slug": mc.slug},
            )
        elif mc.status != Microconference.Status.ACCEPTED:
            mc_services.microconference_accept(
                microconference=mc, actor=actor, reason=f"Proposal #{proposal.pk} accepted again."
            )
        return mc
    if mc is None or mc.status == Microconference.Status.DECLINED:
        return mc
    refusal = _content_refusal(mc, proposal, to=proposal.state)
    if refusal:
        raise CfpError(refusal)
    mc_services.microconference_decline(
        microconference=mc,
        actor=actor,
        reason=f"Proposal #{proposal.pk} is now {proposal.get_state_display().lower()}.",
    )
    return mc
