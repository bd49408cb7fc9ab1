"""{% sponsor_wall %} (every page's footer) and {% sponsors_section %} (home page).

Both render the current edition's visible sponsors and cache the HTML per edition; the
cache is cleared by sponsors.signals when a tier or sponsor changes."""

from django import template
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from plumbers.fragments import local_value
from sponsors.cache import WALL_TIMEOUT, fragment_key
from sponsors.selectors import tiers_with_public_sponsors

register = template.Library()


def _cached_fragment(fragment: str, template_name: str, context) -> str:
    conference = context.get("current_conference")
    if conference is None:
        return ""
    key = fragment_key(fragment, conference.id)

    def shared() -> str:
        html = cache.get(key)
        if html is None:
            tiers = tiers_with_public_sponsors(conference)
            html = render_to_string(template_name, {"tiers": tiers, "conference": conference})
            cache.set(key, html, WALL_TIMEOUT)
        return html

    # Every page's footer: the process keeps it for the content version, which any change
    # of a sponsor or tier bumps, so most pages make no round trip for it.
    html = local_value(key, shared, request=context.get("request"))
    return mark_safe(html)  # rendered by our own autoescaping template


@register.simple_tag(takes_context=True)
def sponsor_wall(context):
    return _cached_fragment("wall", "sponsors/wall.html", context)


@register.simple_tag(takes_context=True)
def sponsors_section(context):
    return _cached_fragment("home", "sponsors/home_section.html", context)
