"""CFP template tags: deadlines in the edition's zone, UTC and AoE; the home page's key CFP
dates; a microconference page's "Submit a topic" link."""

import datetime as dt

from django import template
from django.utils import timezone

from cfp.models import AOE, Track
from cfp.selectors import public_tracks, speaker_comments
from plumbers import timefmt

register = template.Library()


def deadline_parts(value: dt.datetime, tzname: str, show_aoe: bool = False) -> dict:
    """The same moment in the conference's zone, in UTC and (if asked) Anywhere on Earth."""
    local = timezone.localtime(value, timefmt.as_zone(tzname))
    utc = timezone.localtime(value, dt.UTC)
    parts = {
        "iso": timefmt.iso_utc(value),
        # "Sun 19 Jun 2022, 23:59 (Dublin time, UTC+1)": never a bare "IST" (plumbers.timefmt)
        "local": timefmt.format_time(value, tzname, "D j M Y, H:i"),
        "utc": f"{utc:%H:%M} UTC" if utc.date() == local.date() else f"{utc:%-d %b %H:%M} UTC",
        "aoe": "",
    }
    if show_aoe:
        aoe = value.astimezone(AOE)
        parts["aoe"] = f"{aoe:%a %-d %b %Y, %H:%M} AoE (UTC-12)"
    return parts


@register.simple_tag
def deadline_text(value, tzname, show_aoe=False) -> str:
    """Plain text: "Sun 19 Jun 2022, 23:59 (Dublin time, UTC+1) (22:59 UTC; Sun 19 Jun
    2022, 10:59 AoE (UTC-12))"."""
    if value is None:
        return ""
    p = deadline_parts(value, tzname, show_aoe)
    extra = p["utc"] + (f"; {p['aoe']}" if p["aoe"] else "")
    return f"{p['local']} ({extra})"


@register.inclusion_tag("cfp/includes/when.html")
def deadline_when(value, tzname, show_aoe=False, struck=False):
    """A <time> element with the moment in the conference zone, UTC and optionally AoE;
    ``struck`` wraps it in <del> (an original deadline that was extended)."""
    return {"p": deadline_parts(value, tzname, show_aoe) if value else None, "struck": struck}


@register.inclusion_tag("cfp/includes/track_deadline.html")
def track_deadline(track: Track):
    """The deadline of a track: the current one, and the original struck through if it moved."""
    return {"track": track, "tz": track.conference.timezone}


@register.inclusion_tag("cfp/includes/key_dates.html", takes_context=True)
def cfp_key_dates(context):
    """Home page: the CFP's key dates of the current edition (microconference topic tracks
    are summarised; they are listed on the CFP page)."""
    conference = context.get("current_conference")
    tracks = list(public_tracks(conference=conference)) if conference else []
    return {
        "conference": conference,
        "tracks": [t for t in tracks if t.kind != Track.Kind.MICROCONFERENCE],
        "mc_tracks": sum(1 for t in tracks if t.kind == Track.Kind.MICROCONFERENCE),
    }


@register.inclusion_tag("cfp/includes/mc_submit_topic.html")
def mc_submit_topic(microconference):
    """On a microconference's page: "Submit a topic" while its own CFP track is open."""
    track = (
        Track.objects.filter(microconference=microconference).with_extensions().first()
        if microconference is not None
        else None
    )
    return {"track": track, "is_open": bool(track and track.is_open())}


@register.simple_tag
def speaker_comments_for(proposal) -> list[str]:
    """The reviewers' comments to the speakers, once the decision is sent (cfp.selectors)."""
    return speaker_comments(proposal=proposal)
