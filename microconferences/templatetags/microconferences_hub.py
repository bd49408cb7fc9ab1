"""The microconferences the signed-in person leads, on the personal hub (/me/)."""

from django import template

from microconferences.selectors import led_by

register = template.Library()


@register.simple_tag(takes_context=True)
def my_microconferences(context) -> list:
    user, conference = context["user"], context.get("current_conference")
    if conference is None or not user.is_authenticated:
        return []
    return list(led_by(user=user, conference=conference))
