"""State changes of the conference core."""

from django.db import transaction

from plumbers.audit import audit_record
from plumbers.models import User


class ConferenceError(Exception):
    """A change to the conference core that cannot be made, with a reason a person can read."""


@transaction.atomic
def profile_update(*, user: User, display_name: str, affiliation: str) -> User:
    before = f"{user.display_name} / {user.affiliation}"
    user.display_name = display_name
    user.affiliation = affiliation
    user.full_clean(exclude=["password"])
    user.save(update_fields=["display_name", "affiliation"])
    audit_record(
        obj=user,
        action="profile_update",
        actor=user,
        from_state=before,
        to_state=f"{display_name} / {affiliation}",
    )
    return user
