"""State changes of the conference core: profiles, editions, announcements."""

import hashlib

from django.core.files.base import ContentFile
from django.db import transaction

from plumbers.audit import audit_changes, audit_delete, audit_record
from plumbers.images import inspect_image, render_within
from plumbers.models import Announcement, Conference, User

PHOTO_BOX = (400, 400)


def _profile_state(user: User) -> str:
    state = f"{user.display_name} / {user.affiliation}"
    if user.bio:
        state += f" / bio of {len(user.bio)} characters"
    if user.photo:
        state += " / photo"
    return state


@transaction.atomic
def profile_update(
    *,
    user: User,
    display_name: str,
    affiliation: str,
    bio: str | None = None,
    photo=None,
    remove_photo: bool = False,
) -> User:
    """Save how a person is shown. ``bio`` None leaves the bio alone; ``photo`` is an upload
    checked by plumbers.images (the form did so), stored as a re-encoded copy; a replaced or
    removed photo's file is deleted once the change is committed."""
    before = _profile_state(user)
    fields = ["display_name", "affiliation"]
    user.display_name = display_name
    user.affiliation = affiliation
    if bio is not None:
        user.bio = bio
        fields.append("bio")
    old_photo = user.photo.name if user.photo else ""
    if photo is not None:
        inspect_image(photo, noun="photo", max_bytes=4 * 1024 * 1024)
        photo.seek(0)
        data, _, _ = render_within(photo.read(), box=PHOTO_BOX)
        digest = hashlib.sha256(data).hexdigest()[:16]
        user.photo.save(f"{user.pk}-{digest}.webp", ContentFile(data), save=False)
        fields.append("photo")
    elif remove_photo and old_photo:
        user.photo = ""
        fields.append("photo")
    user.full_clean(exclude=["password", "photo"])
    user.save(update_fields=fields)
    new_photo = user.photo.name if user.photo else ""
    if old_photo and old_photo != new_photo:
        storage = user.photo.storage
        transaction.on_commit(lambda: storage.delete(old_photo))
    audit_record(
        obj=user,
        action="profile_update",
        actor=user,
        from_state=before,
        to_state=_profile_state(user),
    )
    return user


CONFERENCE_FIELDS = [
    "name",
    "slug",
    "year",
    "starts_on",
    "ends_on",
    "city",
    "venue",
    "timezone",
    "is_current",
]


@transaction.atomic
def conference_save(*, conference: Conference, actor: User | None) -> Conference:
    """Create or edit an edition (the admin's form has validated it). Which edition is
    current decides what the whole public site shows, so every edit is on the record."""
    before = (
        None
        if conference._state.adding
        else Conference.objects.select_for_update(of=("self",)).get(pk=conference.pk)
    )
    conference.save()
    audit_changes(
        obj=conference,
        before=before,
        fields=CONFERENCE_FIELDS,
        action="conference_create" if before is None else "conference_update",
        actor=actor,
    )
    return conference


@transaction.atomic
def conference_delete(*, conference: Conference, actor: User | None) -> None:
    audit_delete(
        obj=conference,
        action="conference_delete",
        actor=actor,
        from_state=conference.name,
    )


ANNOUNCEMENT_FIELDS = ["conference_id", "title", "slug", "body", "published_at", "author_id"]


@transaction.atomic
def announcement_save(*, announcement: Announcement, actor: User | None) -> Announcement:
    """Create or edit a news post. A new post without an author is signed by whoever
    writes it; the publish time (draft / scheduled / published) is on the record."""
    creating = announcement._state.adding
    before = (
        None
        if creating
        else Announcement.objects.select_for_update(of=("self",)).get(pk=announcement.pk)
    )
    if creating and announcement.author_id is None and getattr(actor, "is_authenticated", False):
        announcement.author = actor
    announcement.save()
    audit_changes(
        obj=announcement,
        before=before,
        fields=ANNOUNCEMENT_FIELDS,
        action="announcement_create" if creating else "announcement_update",
        actor=actor,
    )
    return announcement


@transaction.atomic
def announcement_delete(*, announcement: Announcement, actor: User | None) -> None:
    audit_delete(
        obj=announcement,
        action="announcement_delete",
        actor=actor,
        from_state=announcement.title,
    )
