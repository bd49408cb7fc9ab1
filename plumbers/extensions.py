"""Extension points: how a higher app shows itself on a lower app's page or joins the demo.

The core sits at the bottom of the layers and never imports an app above it. Higher apps
declare on their AppConfig what they add, and the core reads those declarations through the
app registry:

- ``page_parts``: ``(place, order, template)`` triples. A lower app's template marks a place
  with ``{% page_part "home.top" %}`` and every template declared for it is included there,
  in ``order``, with the page's context (plus the tag's keyword arguments). The included
  template belongs to the higher app and loads that app's own tags.
- ``demo_loader``: the dotted path of a ``load(ctx)`` function adding the app's demo data.
  Apps run in ``INSTALLED_APPS`` order, which lists them lowest layer first.
"""

from collections.abc import Callable
from functools import cache

from django.apps import apps
from django.utils.module_loading import import_string

# The places lower apps' templates offer (a typo in a declaration fails the checks).
PLACES = frozenset(
    {
        "home.top",
        "home.bottom",
        "footer",
        "microconference.after_topics",
        "profile.sections",
        # The personal hub (/me/): each app adds its section(s) for the signed-in person.
        "me.sections",
        # One line of the signed-in person's state at the top of the home page.
        "home.summary",
        # Links for the signed-in person in the header ("My proposals", "Review").
        "nav.personal",
    }
)


@cache
def page_part_templates(place: str) -> tuple[str, ...]:
    """The templates declared for ``place``, in order (read once: AppConfigs are static)."""
    if place not in PLACES:
        raise ValueError(f"Unknown page place {place!r}; known: {', '.join(sorted(PLACES))}")
    declared = [
        (order, template)
        for config in apps.get_app_configs()
        for part_place, order, template in getattr(config, "page_parts", ())
        if part_place == place
    ]
    return tuple(template for _, template in sorted(declared))


def demo_loaders() -> list[tuple[str, Callable]]:
    """``(app label, load)`` for every app that has a demo part, lowest layer first."""
    return [
        (config.label, import_string(config.demo_loader))
        for config in apps.get_app_configs()
        if getattr(config, "demo_loader", None)
    ]
