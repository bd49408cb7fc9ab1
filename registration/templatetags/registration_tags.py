from django import template
from django.utils import timezone

from registration import selectors

register = template.Library()


@register.inclusion_tag("registration/home_status.html")
def registration_status(conference):
    """The registration status of an edition for the home page: open / sold out, waitlist
    open / virtual available (three queries)."""
    now = timezone.now()
    kinds = selectors.current_kinds(conference=conference)
    return {
        "conference": conference,
        "summaries": selectors.kind_summaries(kinds=kinds, now=now),
        "now": now,
    }
