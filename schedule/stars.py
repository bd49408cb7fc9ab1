"""State changes of the attendees' side: stars ("my schedule") and the private calendar feed's
token. Each works on the acting user's own rows only: there is no argument naming somebody
else's star or token, so nobody can touch another person's.

Stars are personal bookmarks and are not audited; creating, replacing and revoking a calendar
feed address is (it is a secret that grants reading someone's plan).
"""

import secrets

from django.db import IntegrityError, transaction

from plumbers.audit import audit_record
from plumbers.models import User
from schedule.models import CalendarToken, Item, Star
from schedule.selectors import latest_release


class StarError(Exception):
    """A star that cannot be added, with a message a person can read."""


@transaction.atomic
def star_add(*, user: User, item: Item) -> Star:
    """Star a published item (an item of the latest release); starring twice is harmless."""
    release = latest_release(item.conference)
    if release is None or not release.slots.filter(item=item).exists():
        raise StarError("Only items of the published program can be starred.")
    existing = Star.objects.filter(user=user, item=item).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            return Star.objects.create(user=user, item=item)
    except IntegrityError:  # the same person starring twice at once
        return Star.objects.get(user=user, item=item)


@transaction.atomic
def star_remove(*, user: User, item: Item) -> bool:
    """Unstar; returns whether there was a star. Works for items no longer published too."""
    deleted, _ = Star.objects.filter(user=user, item=item).delete()
    return bool(deleted)


def _new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits, 43 characters


@transaction.atomic
def calendar_token_regenerate(*, user: User) -> CalendarToken:
    """Create the user's feed address, or replace it: the old address stops working at once."""
    token = CalendarToken.objects.select_for_update(of=("self",)).filter(user=user).first()
    if token is None:
        token = CalendarToken.objects.create(user=user, token=_new_token())
        audit_record(obj=user, action="calendar_feed_create", actor=user, to_state="active")
        return token
    token.token = _new_token()
    token.save(update_fields=["token"])
    audit_record(obj=user, action="calendar_feed_regenerate", actor=user, from_state="old address")
    return token


@transaction.atomic
def calendar_token_revoke(*, user: User) -> bool:
    """Delete the user's feed address; returns whether there was one."""
    deleted, _ = CalendarToken.objects.filter(user=user).delete()
    if deleted:
        audit_record(
            obj=user,
            action="calendar_feed_revoke",
            actor=user,
            from_state="active",
            to_state="revoked",
        )
    return bool(deleted)
