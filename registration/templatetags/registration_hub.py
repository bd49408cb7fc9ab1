"""The signed-in person's registration on the personal hub (/me/) and the home page's
one-line summary (page parts at "me.sections" and "home.summary")."""

import datetime as dt

from django import template

from registration import pagedata, selectors
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


def _my_entries(context, *, with_passes: bool = False) -> tuple[list[dict], bool]:
    """The person's registrations of the edition with what the page says about each: the
    state, the waitlist position and its reasons in plain words, why an ended one ended;
    and whether any was made with a complimentary pass (asked only ``with_passes``). The
    kinds and rules come shared (``registration.pagedata``); the rest is read now."""
    user, conference = context["user"], context.get("current_conference")
    if conference is None or not user.is_authenticated:
        return [], False
    edition = pagedata.SharedReads(conference=conference, request=context.get("request")).edition
    mine, any_pass = selectors.my_registration_rows(
        user=user, conference=conference, kinds=edition.kinds, with_passes=with_passes
    )
    if not mine:
        return [], False
    regs = sorted(mine.values(), key=lambda reg: (reg.kind.order, reg.kind.name))
    reasons = selectors.end_reasons(registrations=regs)
    entries = []
    for reg in regs:
        entries.append(
            {
                "registration": reg,
                "kind": reg.kind,
                "status": reg.effective_status,
                "position": pagedata.own_position(registration=reg, edition=edition, user=user),
                "end_reason": reasons.get(reg.pk, ""),
                "ended_by_in_person": selectors.ended_by_in_person(registration=reg, mine=regs),
            }
        )
    return entries, any_pass


@register.simple_tag(takes_context=True)
def my_registrations(context) -> dict:
    """For the hub: ``entries`` (see ``_my_entries``) and the ``passes`` the person redeemed
    (read only when one of their registrations was made with a pass)."""
    user, conference = context["user"], context.get("current_conference")
    entries, any_pass = _my_entries(context, with_passes=True)
    passes = []
    if any_pass:
        passes = list(
            ComplimentaryPass.objects.filter(
                redeemed_registration__user=user, kind__conference=conference
            ).select_related("kind", "sponsor", "microconference")
        )
    return {"entries": entries, "passes": passes}


@register.simple_tag(takes_context=True)
def my_registration_summary(context) -> list[dict]:
    """For the home page's one line: the person's active registrations only."""
    entries, _ = _my_entries(context)
    return [entry for entry in entries if entry["status"] in (S.CONFIRMED, S.WAITLISTED, S.OFFERED)]
