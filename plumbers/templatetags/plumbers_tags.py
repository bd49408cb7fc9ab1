from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from plumbers.extensions import page_part_templates

register = template.Library()


@register.filter
def in_tz(value, tzname):
    """A datetime shown in a given IANA zone (the conference's), whatever the server's zone."""
    import zoneinfo

    if value is None:
        return ""
    return timezone.localtime(value, zoneinfo.ZoneInfo(str(tzname)))


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
