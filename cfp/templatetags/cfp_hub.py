"""The signed-in person's side of the CFP on the personal hub (/me/), the home page's
one-line summary and the header ("My proposals", "Review")."""

from django import template
from django.db.models import Count, Q

from cfp.models import ACCEPTED_STATES, Proposal, Review
from cfp.selectors import (
    my_edition_proposals,
    sees_triage,
    triage_scope,
    visible_proposals,
)

register = template.Library()
State = Proposal.State

# What happens next, in the speaker's words, per state.
NEXT_STEP = {
    State.SUBMITTED: "The track's committee reviews it after the deadline; you can edit it "
    "until then. You will get an email with the decision.",
    State.ACCEPTED: "Accepted: please confirm that you will give the talk. It then goes "
    "into the program.",
    State.CONFIRMED: "You confirmed: it will appear in the program.",
    State.DECLINED: "You declined: it will not be in the program.",
    State.REJECTED: "Not accepted this time; the email with the decision says why.",
    State.WITHDRAWN: "Withdrawn: nothing more happens with it.",
}


@register.filter
def next_step(proposal) -> str:
    return NEXT_STEP.get(proposal.state, "")


@register.simple_tag(takes_context=True)
def reviews_proposals(context) -> bool:
    """Whether the signed-in person sees the triage area (reviewer, chair, lead or
    organizer): the header asks on every page, so no query of its own
    (``selectors.sees_triage``)."""
    return sees_triage(context["user"], request=context.get("request"))


@register.simple_tag(takes_context=True)
def my_cfp(context) -> dict:
    """For the hub: the person's proposals of the current edition and those they co-speak
    (one query)."""
    user, conference = context["user"], context.get("current_conference")
    if conference is None or not user.is_authenticated:
        return {"proposals": [], "co_speaking": []}
    return my_edition_proposals(user=user, conference=conference)


@register.simple_tag(takes_context=True)
def my_reviews_due(context) -> list[dict]:
    """For the hub: per track the person reviews, how many submitted proposals still wait
    for their review (the tracks and the person's roles in them: two queries; the counts:
    one)."""
    user, conference = context["user"], context.get("current_conference")
    if conference is None or not reviews_proposals(context):
        return []
    scope = triage_scope(user=user, conference=conference)
    if not scope.tracks:
        return []
    counts = dict(
        visible_proposals(user=user, conference=conference, scope=scope)
        .filter(state=State.SUBMITTED)
        .exclude(pk__in=Review.objects.filter(reviewer=user).values("proposal"))
        .values("track")
        .annotate(n=Count("pk"))
        .values_list("track", "n")
    )
    return [{"track": track, "waiting": counts.get(track.pk, 0)} for track in scope.tracks]


@register.simple_tag(takes_context=True)
def my_proposal_counts(context) -> dict:
    """For the home page's one line: how many proposals of the edition per state (one
    query)."""
    user, conference = context["user"], context.get("current_conference")
    if conference is None or not user.is_authenticated:
        return {}
    return Proposal.objects.filter(submitter=user, track__conference=conference).aggregate(
        total=Count("pk"),
        submitted=Count("pk", filter=Q(state=State.SUBMITTED)),
        accepted=Count("pk", filter=Q(state__in=sorted(ACCEPTED_STATES))),
    )
