"""Reads of microconferences shared by pages, the home page and other apps.

Each page read costs a fixed number of queries however many MCs and topics there are: leads,
headings and topics are fetched with one prefetch query each, never one per MC or per row."""

from django.db.models import Count, Prefetch, QuerySet, prefetch_related_objects

from microconferences.models import Microconference, Topic, TopicGroup
from plumbers.models import Conference, User


def _leads_prefetch() -> Prefetch:
    return Prefetch("leads", queryset=User.objects.order_by("display_name", "pk"))


def _outline_prefetches() -> list[Prefetch]:
    return [
        _leads_prefetch(),
        Prefetch(
            "topic_groups",
            queryset=TopicGroup.objects.order_by("order", "pk").prefetch_related(
                Prefetch("topics", queryset=Topic.objects.order_by("order", "pk"))
            ),
        ),
        Prefetch(
            "topics",
            queryset=Topic.objects.filter(group__isnull=True).order_by("order", "pk"),
            to_attr="ungrouped_topics",
        ),
    ]


def public_microconferences(*, conference: Conference | None) -> QuerySet[Microconference]:
    """Accepted MCs of an edition in list order, each with ``topic_count`` and its leads
    (by display name). Three queries in all when evaluated."""
    if conference is None:
        return Microconference.objects.none()
    return (
        Microconference.objects.public()
        .filter(conference=conference)
        .annotate(topic_count=Count("topics"))
        .prefetch_related(_leads_prefetch())
        .order_by("order", "title")
    )


def public_microconference(
    *, conference: Conference | None, slug: str, outline: bool = True
) -> Microconference | None:
    """One accepted MC with its outline (``with_outline``); None when there is no such public
    MC. Proposed and declined MCs are never returned. ``outline=False`` reads the MC alone
    (one query), for a page whose outline usually comes from the fragment cache."""
    if conference is None:
        return None
    mc = Microconference.objects.public().filter(conference=conference, slug=slug).first()
    return with_outline(mc) if mc is not None and outline else mc


def with_outline(mc: Microconference) -> Microconference:
    """``mc`` with its leads, its headings (``topic_groups``, each with ordered ``topics``)
    and its topics without a heading (``ungrouped_topics``): four queries."""
    prefetch_related_objects([mc], *_outline_prefetches())
    return mc


def microconference_for_editing(
    *, conference: Conference | None, slug: str
) -> Microconference | None:
    """Like ``public_microconference`` but whatever the status: leads prepare their page
    before the decision, and organizers edit every MC."""
    if conference is None:
        return None
    return (
        Microconference.objects.filter(conference=conference, slug=slug)
        .prefetch_related(*_outline_prefetches())
        .first()
    )


def lead_user_ids(*, conference: Conference) -> set[int]:
    """Ids of the people leading an accepted MC of this edition (content contributors for
    the registration priority rules and the CFP). One query."""
    through = Microconference.leads.through
    return set(
        through.objects.filter(
            microconference__conference=conference,
            microconference__status=Microconference.Status.ACCEPTED,
        ).values_list("user_id", flat=True)
    )


def led_by(*, user, conference: Conference) -> QuerySet[Microconference]:
    """The MCs of this edition the person leads, whatever their status (callers wanting only
    public ones add ``.public()``)."""
    if not getattr(user, "is_authenticated", False):
        return Microconference.objects.none()
    return Microconference.objects.filter(conference=conference, leads=user).order_by(
        "order", "title"
    )
