import io

import pytest
from django.db import IntegrityError, transaction
from PIL import Image

from plumbers.models import AuditLog
from sponsors.models import Sponsor, SponsorTier
from sponsors.services import (
    SponsorError,
    sponsor_delete,
    sponsor_save,
    sponsor_set_logo,
    tier_delete,
    tier_save,
)
from tests.sponsors.factories import (
    SponsorFactory,
    SponsorTierFactory,
    image_bytes,
    png_upload,
    upload,
)


def rendition(sponsor) -> Image.Image:
    with sponsor.logo_wall.open("rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
    return image


def test_sponsor_set_logo_makes_webp_rendition_fitting_tier_box(db, organizer):
    sponsor = SponsorFactory(tier=SponsorTierFactory(logo_size="large"))
    sponsor_set_logo(
        sponsor=sponsor, logo=png_upload(size=(1200, 300)), logo_alt="Example", actor=organizer
    )
    sponsor.refresh_from_db()
    image = rendition(sponsor)
    assert image.format == "WEBP"
    assert image.size == (600, 150)  # large box 300×150 at 2×, aspect kept
    assert (sponsor.logo_wall_width, sponsor.logo_wall_height) == (600, 150)
    assert sponsor.logo_wall.name.startswith(f"sponsors/wall/{sponsor.pk}-")
    assert (
        sponsor.logo_wall_url
        == f"/sponsors/logo/{sponsor.pk}/" + sponsor.logo_wall.name.rsplit("/", 1)[-1]
    )


def test_sponsor_set_logo_never_enlarges_small_logos(db, organizer):
    sponsor = SponsorFactory()
    sponsor_set_logo(sponsor=sponsor, logo=png_upload(size=(40, 20)), logo_alt="X", actor=organizer)
    assert rendition(sponsor).size == (40, 20)


def test_sponsor_set_logo_stores_file_under_its_real_format(db, organizer):
    sponsor = SponsorFactory(name="Example Silicon Ltd")
    sponsor_set_logo(
        sponsor=sponsor,
        logo=upload("logo.png", image_bytes("JPEG")),
        logo_alt="Example Silicon",
        actor=organizer,
    )
    assert sponsor.logo.name.startswith("sponsors/logos/example-silicon-ltd")
    assert sponsor.logo.name.endswith(".jpg")


def test_sponsor_set_logo_refuses_text_file_and_changes_nothing(db, organizer):
    sponsor = SponsorFactory()
    with pytest.raises(SponsorError) as caught:
        sponsor_set_logo(
            sponsor=sponsor, logo=upload("x.png", b"not an image"), logo_alt="X", actor=organizer
        )
    assert "is not a PNG, JPEG or WebP image" in caught.value.message
    sponsor.refresh_from_db()
    assert not sponsor.logo and not sponsor.logo_wall


def test_sponsor_set_logo_requires_alt_text(db, organizer):
    sponsor = SponsorFactory()
    with pytest.raises(SponsorError) as caught:
        sponsor_set_logo(sponsor=sponsor, logo=png_upload(), logo_alt="  ", actor=organizer)
    assert "Describe the logo" in caught.value.message
    assert not Sponsor.objects.get(pk=sponsor.pk).logo


def test_database_refuses_logo_without_alt_text(db):
    sponsor = SponsorFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Sponsor.objects.filter(pk=sponsor.pk).update(logo="sponsors/logos/x.png", logo_alt="")


def test_database_refuses_duplicate_sponsor_name_in_tier(db):
    sponsor = SponsorFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Sponsor.objects.create(tier=sponsor.tier, name=sponsor.name)


def test_sponsor_set_logo_audits_and_replacing_deletes_old_files(
    db, organizer, django_capture_on_commit_callbacks
):
    sponsor = SponsorFactory()
    with django_capture_on_commit_callbacks(execute=True):
        sponsor_set_logo(sponsor=sponsor, logo=png_upload(), logo_alt="Old", actor=organizer)
    old_logo, old_wall = sponsor.logo.name, sponsor.logo_wall.name
    storage = sponsor.logo.storage
    with django_capture_on_commit_callbacks(execute=True):
        sponsor_set_logo(
            sponsor=sponsor,
            logo=png_upload(color=(0, 90, 200)),
            logo_alt="New",
            actor=organizer,
        )
    assert sponsor.logo_wall.name != old_wall
    assert storage.exists(sponsor.logo.name) and storage.exists(sponsor.logo_wall.name)
    assert not storage.exists(old_wall)
    assert not storage.exists(old_logo)
    actions = list(
        AuditLog.objects.filter(object_id=str(sponsor.pk), action="sponsor_set_logo").values_list(
            "actor", flat=True
        )
    )
    assert actions == [organizer.pk, organizer.pk]


def test_sponsor_set_logo_none_removes_logo_and_rendition(db, organizer):
    sponsor = SponsorFactory()
    sponsor_set_logo(sponsor=sponsor, logo=png_upload(), logo_alt="X", actor=organizer)
    sponsor_set_logo(sponsor=sponsor, logo=None, logo_alt="", actor=organizer)
    sponsor.refresh_from_db()
    assert not sponsor.logo and not sponsor.logo_wall and sponsor.logo_wall_url == ""


def test_tier_save_new_logo_size_rerenders_sponsor_logos(db, organizer):
    tier = SponsorTierFactory(logo_size="large")
    sponsor = SponsorFactory(tier=tier)
    sponsor_set_logo(
        sponsor=sponsor, logo=png_upload(size=(1200, 600)), logo_alt="X", actor=organizer
    )
    assert rendition(sponsor).size == (600, 300)
    tier.logo_size = SponsorTier.LogoSize.SMALL
    tier_save(tier=tier, actor=organizer)
    sponsor.refresh_from_db()
    assert rendition(sponsor).size == (300, 150)
    assert AuditLog.objects.filter(action="tier_update", object_id=str(tier.pk)).exists()


def test_sponsor_save_moving_to_another_tier_rerenders(db, organizer):
    sponsor = SponsorFactory(tier=SponsorTierFactory(logo_size="large"))
    sponsor_set_logo(
        sponsor=sponsor, logo=png_upload(size=(1200, 600)), logo_alt="X", actor=organizer
    )
    sponsor.tier = SponsorTierFactory(conference=sponsor.tier.conference, logo_size="medium")
    sponsor_save(sponsor=sponsor, actor=organizer)
    assert rendition(sponsor).size == (440, 220)


def test_sponsor_save_audits_creation_and_changes(db, organizer):
    tier = SponsorTierFactory()
    sponsor = sponsor_save(sponsor=Sponsor(tier=tier, name="Fictional Cloud Inc."), actor=organizer)
    sponsor.visible = False
    sponsor_save(sponsor=sponsor, actor=organizer)
    rows = AuditLog.objects.filter(object_id=str(sponsor.pk)).order_by("id")
    assert [(r.action, r.from_state, r.to_state) for r in rows] == [
        ("sponsor_create", "", "visible"),
        ("sponsor_update", "visible", "hidden"),
    ]
    assert rows[1].data == {"changed": ["visible"]}


def test_tier_save_refuses_duplicate_name_in_edition(db, organizer):
    tier = SponsorTierFactory(name="Gold")
    with pytest.raises(SponsorError) as caught:
        tier_save(tier=SponsorTier(conference=tier.conference, name="Gold"), actor=organizer)
    assert "Gold" in caught.value.message or "already exists" in caught.value.message


def test_tier_delete_refused_while_it_has_sponsors(db, organizer):
    sponsor = SponsorFactory()
    with pytest.raises(SponsorError) as caught:
        tier_delete(tier=sponsor.tier, actor=organizer)
    assert "still has sponsors" in caught.value.message
    sponsor_delete(sponsor=sponsor, actor=organizer)
    tier_delete(tier=sponsor.tier, actor=organizer)
    assert not SponsorTier.objects.filter(pk=sponsor.tier_id).exists()
