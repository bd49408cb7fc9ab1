"""The person's own marks on the shared program grid.

The program's day grid is the same for everybody who asks for the same day and filters, so
it is rendered once per content version and shared (plumbers.fragments); what differs per
person, the star buttons (each a form with the person's CSRF token) and the "in your
program" marks, is left in it as markers and filled in here, per request, by string
substitution rather than by rendering the grid again.

The markers hold only escaped text (the template's autoescaping turns ``>`` into ``&gt;``,
so ``-->`` cannot occur inside one). The star button is ``schedule/parts/star_form.html``,
rendered once per request in each state and then given each slot's address and title.
"""

import re

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

_MARK = re.compile(r"<!--(starred-mark|star-form):(\d+)(?:\|([^|]*)\|(.*?))?-->", re.S)

# Stand-ins the star form is rendered with, then replaced by each slot's own values.
_URL = "/__star-url__/"
_TITLE = "__star-title__"
_ITEM = -1


def _star_forms(request) -> tuple[str, str]:
    """The star form for an unstarred and for a starred slot, with stand-ins."""
    slot = {"star_url": _URL, "title": _TITLE, "item_id": _ITEM}
    star = render_to_string(
        "schedule/parts/star_form.html", {"slot": slot, "starred": set()}, request
    )
    unstar = render_to_string(
        "schedule/parts/star_form.html", {"slot": slot, "starred": {_ITEM}}, request
    )
    return star, unstar


def personalise(html: str, request, starred: set[int]) -> SafeString:
    """``html`` (the shared grid) with the person's star buttons and marks filled in;
    anonymous visitors get neither."""
    signed_in = request.user.is_authenticated
    if signed_in:
        star, unstar = _star_forms(request)
        mark = render_to_string("schedule/parts/starred_mark.html").strip()

    def fill(match: re.Match) -> str:
        kind, item_id = match.group(1), int(match.group(2))
        if not signed_in:
            return ""
        if kind == "starred-mark":
            return mark if item_id in starred else ""
        form = unstar if item_id in starred else star
        # Both values come escaped from the shared template.
        return " " + form.replace(_URL, match.group(3)).replace(_TITLE, match.group(4))

    return mark_safe(_MARK.sub(fill, html))
