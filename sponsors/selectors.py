"""Reads of sponsors for the public pages: a fixed number of queries however many rows."""

from django.db.models import Prefetch

from sponsors.models import Sponsor, SponsorTier


def tiers_with_public_sponsors(conference) -> list[SponsorTier]:
    """The edition's tiers in tier order, each with ``public_sponsors`` (visible sponsors in
    their order); tiers without a visible sponsor are left out. Two queries."""
    if conference is None:
        return []
    tiers = (
        SponsorTier.objects.filter(conference=conference)
        .order_by("order", "name")
        .prefetch_related(
            Prefetch(
                "sponsors",
                queryset=Sponsor.objects.for_public_display(conference).order_by("order", "name"),
                to_attr="public_sponsors",
            )
        )
    )
    return [tier for tier in tiers if tier.public_sponsors]
