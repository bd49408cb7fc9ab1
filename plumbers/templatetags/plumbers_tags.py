from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from plumbers import timefmt
from plumbers.extensions import page_part_templates

register = template.Library()


@register.filter
def in_tz(value, tzname):
    """A datetime shown in a given IANA zone (the conference's), whatever the server's zone."""
    if value is None:
        return ""
    return timezone.localtime(value, timefmt.as_zone(tzname))


@register.simple_tag
def described(field):
    """Render a bound field's widget with its help text and errors tied to it, so assistive
    technology reads them with the field (aria-describedby, aria-invalid)."""
    ids = []
    if field.errors:
        ids.append(f"{field.auto_id}_errors")
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    attrs = {}
    if ids:
        attrs["aria-describedby"] = " ".join(ids)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


@register.simple_tag(takes_context=True)
def page_part(context, place, **extra):
    """What higher apps add at ``place`` of this page (see plumbers.extensions), rendered with
    the page's context as ``{% include %}`` would."""
    engine = context.template.engine
    with context.push(**extra):
        html = "".join(
            engine.get_template(name).render(context) for name in page_part_templates(place)
        )
    return mark_safe(html)  # our own autoescaping templates


@register.simple_tag
def show_time(value, tzname, fmt="j F Y, H:i"):
    """``<time datetime="…Z">12 September 2022, 09:00 (Dublin time, UTC+1)</time>``: the one
    way pages show a moment (plumbers.timefmt); localtime.js adds the visitor's own time."""
    if value is None:
        return ""
    return format_html(
        '<time datetime="{}" data-local>{}</time>',
        timefmt.iso_utc(value),
        timefmt.format_time(value, tzname, fmt),
    )


@register.filter
def zone_label(value, tzname):
    """ "Dublin time, UTC+1" for the moment ``value`` in the zone ``tzname``."""
    return "" if value is None else timefmt.zone_label(value, tzname)


@register.filter
def plain_time(value, tzname):
    """The text of show_time without markup, for mails: "12 September 2022, 09:00 (Dublin
    time, UTC+1)"."""
    return timefmt.format_time(value, tzname)


@register.filter
def iso_utc(value):
    """The machine-readable moment for ``<time datetime>``: UTC, whole seconds, a Z."""
    return "" if value is None else timefmt.iso_utc(value)
