from django import template
from django.template.defaulttags import CsrfTokenNode
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from plumbers import timefmt
from plumbers.extensions import page_part_templates
from plumbers.fragments import shared_fragment

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


class SharedFragmentNode(template.Node):
    def __init__(self, name, vary, nodelist):
        self.name, self.vary, self.nodelist = name, vary, nodelist

    def render(self, context):
        vary = tuple(str(v.resolve(context)) for v in self.vary)
        return shared_fragment(
            self.name.resolve(context),
            lambda: self.nodelist.render(context),
            *vary,
            request=context.get("request"),
        )


@register.tag
def shared(parser, token):
    """``{% shared "name" var… %}…{% endshared %}``: a part of the page that is the same for
    everybody at one content version, given ``var…`` (plumbers.fragments). Nothing personal
    goes inside: the first person's rendering is what everybody gets."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% shared %} needs a fragment name")
    nodelist = parser.parse(("endshared",))
    parser.delete_first_token()
    if nodelist.get_nodes_by_type(CsrfTokenNode):
        raise template.TemplateSyntaxError(
            "{% csrf_token %} is personal: it cannot be inside {% shared %}"
        )
    return SharedFragmentNode(
        parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]], nodelist
    )


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
