"""Sponsors' part of the organizers' dashboard (declared on SponsorsConfig): sponsors per
tier, in one query."""

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode

from plumbers.dashboard import Card, Cell, Row
from plumbers.models import Conference
from sponsors.models import SponsorTier


def _sponsors_url(**filters) -> str:
    return f"{reverse('admin:sponsors_sponsor_changelist')}?{urlencode(filters)}"


def panels(conference: Conference, *, now: dt.datetime) -> list:
    tiers = (
        SponsorTier.objects.filter(conference=conference)
        .annotate(
            sponsor_n=Count("sponsors"),
            visible_n=Count("sponsors", filter=Q(sponsors__visible=True)),
        )
        .order_by("order", "name")
    )
    rows = [
        Row(
            label=tier.name,
            cells=[
                Cell(tier.sponsor_n, _sponsors_url(tier__id__exact=tier.pk)),
                Cell(tier.visible_n, _sponsors_url(tier__id__exact=tier.pk, visible__exact=1)),
            ],
        )
        for tier in tiers
    ]
    return [
        Card(
            key="sponsors",
            title="Sponsors per tier",
            columns=["sponsors", "shown on the wall"],
            rows=rows,
            order=70,
            empty="No sponsor tier yet.",
        )
    ]
