from django.apps import AppConfig
from django.db.models import Q

from plumbers.mail_kinds import MailKind, MailSegment, Placeholder

# What the proposal mails may say (plumbers.mail_kinds).
_PROPOSAL = {
    "proposal.title": Placeholder("The proposal's title.", "Rust in the kernel: year two"),
    "proposal.submitter": Placeholder("The submitter's name.", "Ada Lovelace"),
    "track.name": Placeholder("The track's name.", "Refereed track"),
    "track.conference.name": Placeholder("The edition's name.", "Linux Plumbers Conference 2022"),
}
_CO_SPEAKERS = {"co_speakers": Placeholder("The co-speakers (a list).", ["Grace Hopper"])}


def _proposal_mail(label, template, **more):
    return MailKind(
        label=label,
        template=template,
        placeholders={**_PROPOSAL, **more},
        conference="track.conference",
        related="proposal",
    )


def _accepted_speakers(conference):
    """Speakers and co-speakers of accepted talks, confirmed ones included (the CFP's one
    rule, ACCEPTED_STATES); declined talks are not the conference's any more."""
    from cfp.models import ACCEPTED_STATES

    states = sorted(ACCEPTED_STATES)
    return Q(cfp_proposals__track__conference=conference, cfp_proposals__state__in=states) | Q(
        cfp_co_speaking__track__conference=conference, cfp_co_speaking__state__in=states
    )


def _reviewers_with_reviews_due(conference):
    """Reviewers who owe a review in the edition (cfp.selectors.review_pairs: their own,
    co-spoken and conflicted proposals aside; in "assigned only" tracks, their assignments)."""
    from cfp.selectors import review_pairs

    return Q(
        pk__in=sorted(
            {pair["user_id"] for pair in review_pairs(conference=conference) if pair["due"]}
        )
    )


class CfpConfig(AppConfig):
    name = "cfp"
    label = "cfp"
    verbose_name = "Call for proposals"
    mails = {
        "cfp.proposal_received": MailKind(
            label="Proposal received",
            template="cfp/proposal_received",
            placeholders={
                **_PROPOSAL,
                "proposal.co_speakers.all": Placeholder("The co-speakers (a list).", []),
            },
            conference="track.conference",
            related="proposal",
            links={"proposals_url": "cfp:my_proposals"},
        ),
        "cfp.proposal_accepted": _proposal_mail(
            "Proposal accepted",
            "cfp/proposal_accepted",
            **_CO_SPEAKERS,
            proposal_url=Placeholder("The link to the proposal's page.", ""),
        ),
        "cfp.proposal_rejected": _proposal_mail(
            "Proposal not accepted",
            "cfp/proposal_rejected",
            **_CO_SPEAKERS,
            proposal_url=Placeholder("The link to the proposal's page.", ""),
        ),
    }
    mail_segments = {
        "cfp.accepted_speakers": MailSegment("Accepted speakers", _accepted_speakers),
        "cfp.reviewers_due": MailSegment("Reviewers with reviews due", _reviewers_with_reviews_due),
    }
    demo_loader = "cfp.demo.load"
    dashboard = "cfp.dashboard.panels"
    page_parts = [
        ("home.top", 10, "cfp/parts/home_key_dates.html"),
        ("microconference.after_topics", 10, "cfp/parts/mc_submit_topic.html"),
        ("me.sections", 20, "cfp/parts/me_proposals.html"),
        ("me.sections", 30, "cfp/parts/me_reviews.html"),
        ("home.summary", 20, "cfp/parts/home_summary.html"),
        ("nav.personal", 10, "cfp/parts/nav_personal.html"),
    ]
