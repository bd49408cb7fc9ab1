"""Named predicates for the conference core; other apps build theirs on these."""

import rules

ORGANIZERS_GROUP = "Organizers"


@rules.predicate
def is_organizer(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_plumbers_is_organizer", None)
    if cached is None:
        cached = user.groups.filter(name=ORGANIZERS_GROUP).exists()
        user._plumbers_is_organizer = cached
    return cached


is_verified = rules.predicate(
    lambda user: (
        bool(getattr(user, "is_authenticated", False))
        and user.emailaddress_set.filter(verified=True).exists()
    ),
    name="is_verified",
)
