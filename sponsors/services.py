"""State changes of tiers and sponsors.

Every write goes through here so that three things always happen together: the model is
validated (an uploaded logo really decoded), the wall rendition is regenerated whenever the
logo or the tier's logo size changes (the raw upload is never shown), and the change is
audited. The footer wall cache is cleared by sponsors.signals on commit, so even a change
made outside these functions cannot leave a stale wall behind.
"""

import hashlib
import io
import os

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils.text import slugify
from PIL import Image, ImageOps

from plumbers.audit import audit_delete, audit_record
from sponsors.models import Sponsor, SponsorTier
from sponsors.validators import inspect_logo

RENDITION_FORMAT = "WEBP"
RENDITION_EXTENSION = "webp"
RENDITION_CONTENT_TYPE = "image/webp"


class SponsorError(Exception):
    """A sponsor change was refused; ``message`` says why, for a person."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _messages(error: ValidationError) -> str:
    if hasattr(error, "error_dict"):
        parts = []
        for field, errors in error.message_dict.items():
            prefix = "" if field == "__all__" else f"{field.replace('_', ' ').capitalize()}: "
            parts.extend(prefix + message for message in errors)
        return " ".join(parts)
    return " ".join(error.messages)


def _validate(obj, *, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        raise SponsorError(_messages(error)) from error


def _delete_files_on_commit(*names: str, storage) -> None:
    """Remove replaced files once the change is committed (never before: a rollback would
    leave the row pointing at a missing file)."""
    names = [name for name in names if name]
    if not names:
        return

    def delete():
        for name in names:
            still_used = (
                Sponsor.objects.filter(logo=name).exists()
                or Sponsor.objects.filter(logo_wall=name).exists()
            )
            if not still_used:
                storage.delete(name)

    transaction.on_commit(delete)


def _rendition_source(sponsor: Sponsor) -> str:
    return f"{sponsor.logo.name}@{sponsor.tier.logo_size}" if sponsor.logo else ""


def render_logo(data: bytes, *, box: tuple[int, int]) -> tuple[bytes, int, int]:
    """The wall copy of a logo: upright (EXIF), fitted into twice the tier's box (for
    high-density screens), never enlarged, transparency kept, re-encoded by us so no
    uploaded byte reaches a visitor."""
    with Image.open(io.BytesIO(data)) as original:
        image = ImageOps.exif_transpose(original)
        image = image.convert("RGBA")
        image.thumbnail((box[0] * 2, box[1] * 2), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, RENDITION_FORMAT, quality=90, method=4)
        return out.getvalue(), image.width, image.height


RENDITION_FIELDS = ["logo_wall", "logo_wall_width", "logo_wall_height", "logo_wall_source"]


def _refresh_rendition(sponsor: Sponsor, to_delete: list[str]) -> bool:
    """Make the rendition match the logo and the tier's size. Returns whether the sponsor's
    rendition fields changed (to be saved); replaced files are added to ``to_delete``."""
    source = _rendition_source(sponsor)
    old = sponsor.logo_wall.name if sponsor.logo_wall else ""
    if source == sponsor.logo_wall_source and bool(old) == bool(source):
        return False
    if not source:
        sponsor.logo_wall = ""
        sponsor.logo_wall_width = sponsor.logo_wall_height = None
        sponsor.logo_wall_source = ""
        to_delete.append(old)
        return True
    with sponsor.logo.open("rb") as handle:
        data = handle.read()
    rendered, width, height = render_logo(data, box=sponsor.tier.logo_box)
    digest = hashlib.sha256(rendered).hexdigest()[:16]
    name = f"sponsors/wall/{sponsor.pk}-{digest}.{RENDITION_EXTENSION}"
    storage = sponsor.logo_wall.storage
    if storage.exists(name):
        sponsor.logo_wall.name = name
    else:
        sponsor.logo_wall.save(os.path.basename(name), ContentFile(rendered), save=False)
    sponsor.logo_wall_width, sponsor.logo_wall_height = width, height
    sponsor.logo_wall_source = source
    if old and old != sponsor.logo_wall.name:
        to_delete.append(old)
    return True


@transaction.atomic
def sponsor_save(*, sponsor: Sponsor, actor) -> Sponsor:
    """Create or update a sponsor: a newly attached logo is checked by decoding it and
    stored under a name that says what it really is, the wall rendition follows the logo
    and the tier, and the change is audited."""
    creating = sponsor._state.adding
    previous = None
    if not creating:
        previous = Sponsor.objects.select_related("tier").filter(pk=sponsor.pk).first()
    to_delete: list[str] = []
    new_upload = bool(sponsor.logo) and not getattr(sponsor.logo, "_committed", True)
    if new_upload:
        upload = sponsor.logo.file
        try:
            info = inspect_logo(upload)
        except ValidationError as error:
            raise SponsorError(_messages(error)) from error
        upload.seek(0)
        data = upload.read()
        # Stored under the sponsor's name and the extension of what it really is; the
        # file is written by save() below, only once the sponsor validated.
        base = slugify(sponsor.name)[:60] or "logo"
        sponsor.logo = ContentFile(data, name=f"{base}.{info.extension}")
    _validate(sponsor)
    sponsor.save()
    if previous is not None and previous.logo and previous.logo.name != sponsor.logo.name:
        to_delete.append(previous.logo.name)
    if _refresh_rendition(sponsor, to_delete):
        sponsor.save(update_fields=RENDITION_FIELDS)
    _delete_files_on_commit(*to_delete, storage=sponsor.logo.storage)

    tracked = ["tier_id", "name", "url", "logo_alt", "description", "visible", "order"]
    if creating:
        audit_record(
            obj=sponsor,
            action="sponsor_create",
            actor=actor,
            to_state="visible" if sponsor.visible else "hidden",
            data={"tier": sponsor.tier.name},
        )
    else:
        changed = [f for f in tracked if getattr(previous, f) != getattr(sponsor, f)]
        if changed or new_upload or (previous.logo.name or "") != (sponsor.logo.name or ""):
            audit_record(
                obj=sponsor,
                action="sponsor_update",
                actor=actor,
                from_state="visible" if previous.visible else "hidden",
                to_state="visible" if sponsor.visible else "hidden",
                data={"changed": changed},
            )
    if new_upload or (previous is not None and previous.logo and not sponsor.logo):
        audit_record(
            obj=sponsor,
            action="sponsor_set_logo",
            actor=actor,
            from_state=previous.logo.name if previous is not None and previous.logo else "",
            to_state=sponsor.logo.name or "",
        )
    return sponsor


def sponsor_set_logo(*, sponsor: Sponsor, logo: File | None, logo_alt: str, actor) -> Sponsor:
    """Replace (or, with ``logo=None``, remove) a sponsor's logo and its alt text."""
    sponsor.logo = logo if logo is not None else ""
    sponsor.logo_alt = logo_alt
    return sponsor_save(sponsor=sponsor, actor=actor)


@transaction.atomic
def sponsor_delete(*, sponsor: Sponsor, actor) -> None:
    """Delete a sponsor and, once committed, its files. Refused while passes point at it
    (the database protects them)."""
    names = [
        sponsor.logo.name if sponsor.logo else "",
        sponsor.logo_wall.name if sponsor.logo_wall else "",
    ]
    storage = sponsor.logo.storage
    audit_delete(
        obj=sponsor,
        action="sponsor_delete",
        actor=actor,
        from_state="visible" if sponsor.visible else "hidden",
    )
    _delete_files_on_commit(*names, storage=storage)


@transaction.atomic
def tier_save(*, tier: SponsorTier, actor) -> SponsorTier:
    """Create or update a tier; a new logo size re-renders its sponsors' wall logos."""
    creating = tier._state.adding
    previous = None if creating else SponsorTier.objects.filter(pk=tier.pk).first()
    _validate(tier)
    tier.save()
    if creating:
        audit_record(obj=tier, action="tier_create", actor=actor, to_state=tier.name)
        return tier
    tracked = ["name", "order", "logo_size", "benefits", "complimentary_passes"]
    changed = [f for f in tracked if getattr(previous, f) != getattr(tier, f)]
    if "logo_size" in changed:
        for sponsor in tier.sponsors.select_related("tier").exclude(logo=""):
            sponsor.tier = tier
            names: list[str] = []
            if _refresh_rendition(sponsor, names):
                sponsor.save(update_fields=RENDITION_FIELDS)
            _delete_files_on_commit(*names, storage=sponsor.logo.storage)
    if changed:
        audit_record(
            obj=tier,
            action="tier_update",
            actor=actor,
            from_state=f"{previous.name} #{previous.order} {previous.logo_size}",
            to_state=f"{tier.name} #{tier.order} {tier.logo_size}",
            data={"changed": changed},
        )
    return tier


@transaction.atomic
def tier_delete(*, tier: SponsorTier, actor) -> None:
    if tier.sponsors.exists():
        raise SponsorError(f"The tier “{tier.name}” still has sponsors; move or delete them first.")
    audit_delete(obj=tier, action="tier_delete", actor=actor, from_state=tier.name)
