"""Tags for the program's page parts on other apps' pages (microconference, profile, /me/)."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from plumbers import timefmt
from schedule import public
from schedule.models import CalendarToken
from schedule.selectors import latest_release, published_release

register = template.Library()


@register.simple_tag
def published_block(microconference):
    """The microconference's block in the latest release (None while not published)."""
    if microconference is None:
        return None
    release = latest_release(microconference.conference)
    if release is None:
        return None
    slot = (
        release.slots.select_related("room")
        .filter(item__microconference_id=microconference.pk)
        .first()
    )
    return slot


@register.simple_tag(takes_context=True)
def my_starred_entries(context, user, conference, limit=5):
    """The user's starred items on the published program of ``conference`` (the page's
    current edition, read once per request) for the personal hub's list."""
    if not getattr(user, "is_authenticated", False) or conference is None:
        return []
    release = published_release(conference, request=context.get("request"))
    entries = [e for e in public.my_program(user, release) if e.slot][:limit]
    for entry in entries:
        entry.tz = conference.timezone
    return entries


@register.simple_tag(takes_context=True)
def calendar_feed_url(context, user):
    """The absolute address of the user's private calendar feed ("" without one)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    token = CalendarToken.objects.filter(user=user).first()
    if token is None:
        return ""
    path = reverse("schedule:my_feed", kwargs={"token": token.token})
    request = context.get("request")
    return request.build_absolute_uri(path) if request else path


@register.simple_tag
def clock(value, tzname):
    """``<time datetime="…Z" data-clock>09:00</time>``: a time of day inside a grid or list
    whose heading names the zone (``show_time``'s label), so the label is not repeated in
    every cell; schedule.js adds the visitor's own time of day when their zone differs
    (localtime.js, which adds a full date to ``show_time``'s elements, leaves these alone)."""
    if value is None:
        return ""
    local = timezone.localtime(value, timefmt.as_zone(tzname))
    return format_html(
        '<time datetime="{}" data-clock>{}</time>',
        timefmt.iso_utc(value),
        local.strftime("%H:%M"),
    )
