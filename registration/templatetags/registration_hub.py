"""The signed-in person's registration on the personal hub (/me/) and the home page's
one-line summary (page parts at "me.sections" and "home.summary")."""

import datetime as dt

from django import template

from registration import selectors
from registration.models import ComplimentaryPass, Registration

register = template.Library()
S = Registration.Status


@register.filter
def duration_words(value: dt.timedelta | None) -> str:
    """timedelta(hours=72) → "3 days"; 36 hours → "36 hours"; 90 minutes → "90 minutes"."""
    if not value:
        return ""
    minutes = int(value.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        days = minutes // (24 * 60)
        return f"{days} day{'s' if days != 1 else ''}"
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _my_entries(user, conference) -> list[dict]:
    """The person's registrations of the edition with what the page says about each: the
    state, the waitlist position and its reasons in plain words, why an ended one ended."""
    if conference is None or not user.is_authenticated:
        return []
    mine = selectors.my_registrations(user=user, conference=conference)
    if not mine:
        return []
    regs = sorted(mine.values(), key=lambda reg: (reg.kind.order, reg.kind.name))
    reasons = selectors.end_reasons(registrations=regs)
    entries = []
    for reg in regs:
        position = None
        if reg.effective_status == S.WAITLISTED:
            position = selectors.waitlist_position(registration=reg)
            if position is not None:
                position.plain_reasons = selectors.plain_reasons(position.reasons)
        entries.append(
            {
                "registration": reg,
                "kind": reg.kind,
                "status": reg.effective_status,
                "position": position,
                "end_reason": reasons.get(reg.pk, ""),
                "ended_by_in_person": selectors.ended_by_in_person(registration=reg, mine=regs),
            }
        )
    return entries


@register.simple_tag(takes_context=True)
def my_registrations(context) -> dict:
    """For the hub: ``entries`` (see ``_my_entries``) and the ``passes`` the person redeemed."""
    user, conference = context["user"], context.get("current_conference")
    entries = _my_entries(user, conference)
    passes = []
    if conference is not None and user.is_authenticated:
        passes = list(
            ComplimentaryPass.objects.filter(
                redeemed_registration__user=user, kind__conference=conference
            ).select_related("kind", "sponsor", "microconference")
        )
    return {"entries": entries, "passes": passes}


@register.simple_tag(takes_context=True)
def my_registration_summary(context) -> list[dict]:
    """For the home page's one line: the person's active registrations only."""
    entries = _my_entries(context["user"], context.get("current_conference"))
    return [entry for entry in entries if entry["status"] in (S.CONFIRMED, S.WAITLISTED, S.OFFERED)]
