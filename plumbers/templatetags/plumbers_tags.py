from django import template
from django.utils import timezone

from plumbers.markdown import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text):
    return render_markdown(text)


@register.filter
def in_tz(value, tzname):
    """A datetime shown in a given IANA zone (the conference's), whatever the server's zone."""
    import zoneinfo

    if value is None:
        return ""
    return timezone.localtime(value, zoneinfo.ZoneInfo(str(tzname)))
