"""The speakers' answer to an acceptance: they confirm they will give the talk, or decline.

accepted → confirmed (by the submitter or a co-speaker); accepted or confirmed → declined
(they cannot come after all). Both are proposal transitions (``_proposal_transition``: the
state, its audit row and, for a microconference proposal, its MC move together). On a
decline, the track's chairs and the organizers are mailed after the commit so they can fill
the slot. A declined talk's speakers are no longer content contributors.
"""

from django.db import transaction
from django.urls import reverse

from cfp.models import Proposal
from cfp.permissions import answer_refusal
from cfp.services import CfpError, _proposal_transition
from plumbers.mail import mail_on_commit, site_url
from plumbers.models import User
from plumbers.permissions import ORGANIZERS_GROUP

REASON_MAX = 2000


def _locked(proposal: Proposal) -> Proposal:
    locked = Proposal.objects.select_for_update(of=("self",)).get(pk=proposal.pk)
    full = Proposal.objects.select_related("track", "track__conference", "submitter").get(
        pk=proposal.pk
    )
    locked.track, locked.submitter = full.track, full.submitter
    return locked


def organizer_emails(proposal: Proposal) -> list[str]:
    """Who hears about a declined talk: the track's chairs and the organizers."""
    people = User.objects.filter(is_active=True).filter(
        pk__in=list(proposal.track.chairs.values_list("pk", flat=True))
        + list(User.objects.filter(groups__name=ORGANIZERS_GROUP).values_list("pk", flat=True))
    )
    return sorted({person.email for person in people if person.email})


@transaction.atomic
def proposal_confirm(*, proposal: Proposal, actor: User) -> Proposal:
    """A speaker confirms the accepted talk: they will give it."""
    locked = _locked(proposal)
    refusal = answer_refusal(actor, locked, answer="confirm")
    if refusal:
        raise CfpError(refusal)
    _proposal_transition(
        locked, to=Proposal.State.CONFIRMED, actor=actor, action="proposal_confirm"
    )
    return locked


@transaction.atomic
def proposal_decline(*, proposal: Proposal, actor: User, reason: str = "") -> Proposal:
    """A speaker declines the accepted (or confirmed) talk; the chairs and organizers are
    mailed after the commit."""
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise CfpError(f"Please keep the reason under {REASON_MAX:,} characters.")
    locked = _locked(proposal)
    refusal = answer_refusal(actor, locked, answer="decline")
    if refusal:
        raise CfpError(refusal)
    previous = locked.state
    _proposal_transition(
        locked, to=Proposal.State.DECLINED, actor=actor, action="proposal_decline", reason=reason
    )
    recipients = organizer_emails(locked)
    if recipients:
        mail_on_commit(
            template="cfp/proposal_declined_by_speaker",
            to=recipients,
            context={
                "proposal": locked,
                "track": locked.track,
                "conference": locked.track.conference,
                "speaker": actor,
                "previous": Proposal.State(previous).label.lower(),
                "reason": reason,
                "admin_url": site_url(reverse("admin:cfp_proposal_change", args=[locked.pk])),
            },
        )
    return locked
