from django import template
from django.utils import timezone

from registration import pagedata

register = template.Library()


@register.inclusion_tag("registration/home_status.html", takes_context=True)
def registration_status(context, conference):
    """The registration status of an edition for the home page: open / sold out, waitlist
    open / virtual available. Kinds and seat counts come shared (``registration.pagedata``:
    the counts lag other people's registrations by ``LEDGER_TTL`` seconds at most)."""
    now = timezone.now()
    summaries = []
    if conference is not None:
        shared = pagedata.SharedReads(conference=conference, request=context.get("request"))
        summaries = shared.summaries()
    return {"conference": conference, "summaries": summaries, "now": now}
