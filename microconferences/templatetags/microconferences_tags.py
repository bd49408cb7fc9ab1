from django import template

from microconferences.selectors import public_microconferences
from plumbers.selectors import current_conference

register = template.Library()


@register.inclusion_tag("microconferences/home_section.html", takes_context=True)
def home_microconferences(context):
    """The home page's list of the current edition's accepted MCs (two queries: the MCs
    with their topic counts, and their leads)."""
    conference = context.get("current_conference")
    if conference is None:
        conference = current_conference()
    return {"microconferences": list(public_microconferences(conference=conference))}
