"""The header's role links ("Admin" for organizers, by the named predicate) and the demo's
banner."""

from django import template
from django.conf import settings
from django.utils import timezone

from plumbers.demo import STORY_STARTS_ON
from plumbers.permissions import is_organizer

register = template.Library()


@register.filter(name="is_organizer")
def is_organizer_filter(user) -> bool:
    return is_organizer(user)


@register.inclusion_tag("plumbers/demo_banner.html", takes_context=True)
def demo_banner(context):
    """The demo's banner (``PLUMBERS_DEMO`` on, as ``make run`` sets it): which day of the
    LPC 2022 story "today" is. The story is shifted by whole days (plumbers.demo), so the
    shift is read back from the edition's dates."""
    conference = context.get("current_conference")
    if not settings.PLUMBERS_DEMO or conference is None or conference.slug != "2022":
        return {"show": False}
    shift = conference.starts_on - STORY_STARTS_ON
    return {
        "show": True,
        "story_today": timezone.localdate() - shift,
        "shifted": bool(shift.days),
        "conference": conference,
    }
