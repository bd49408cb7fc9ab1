"""Sponsors in Chromium: the tiers in order with real logos (alt text), an organizer's
upload in the admin reaching the footer wall, and a fake image refused with a message."""

import pytest
from playwright.sync_api import expect

from sponsors.models import Sponsor
from sponsors.services import sponsor_set_logo
from tests.conftest import log_in
from tests.sponsors.factories import SponsorFactory, SponsorTierFactory, image_bytes, png_upload

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("media_root")]

ALL_LOADED = "imgs => imgs.length > 0 && imgs.every(i => i.complete && i.naturalWidth > 0)"


def test_sponsors_visitor_sees_tiers_in_order_with_logos_and_alt_text(page, conference, organizer):
    for order, (tier_name, sponsor_name) in enumerate(
        [
            ("Silver", "Fable Firmware"),
            ("Diamond", "Example Silicon Ltd"),
            ("Gold", "Notreal Networks"),
            ("Platinum", "Fictional Cloud Inc."),
        ]
    ):
        rank = ["Diamond", "Platinum", "Gold", "Silver"].index(tier_name)
        tier = SponsorTierFactory(conference=conference, name=tier_name, order=rank)
        sponsor = SponsorFactory(tier=tier, name=sponsor_name, order=order)
        sponsor_set_logo(
            sponsor=sponsor,
            logo=png_upload(color=(20 * order, 80, 160)),
            logo_alt=f"{sponsor_name} logo",
            actor=organizer,
        )
    SponsorFactory(tier=tier, name="Hidden Example", visible=False)

    page.goto("/")
    page.get_by_role("link", name="Sponsors", exact=True).first.click()
    page.get_by_role("heading", name="Sponsors", level=1).wait_for()

    headings = page.locator("main").get_by_role("heading", level=2).all_inner_texts()
    assert headings == ["Diamond", "Platinum", "Gold", "Silver"]
    main = page.locator("main")
    for name in ["Example Silicon Ltd", "Fictional Cloud Inc.", "Notreal Networks"]:
        logo = main.get_by_role("img", name=f"{name} logo")
        expect(logo).to_be_visible()
    assert main.locator("img").evaluate_all(ALL_LOADED)
    assert main.locator("img:not([alt]), img[alt='']").count() == 0
    assert page.get_by_text("Hidden Example").count() == 0
    link = main.get_by_role("link", name="Example Silicon Ltd")
    assert set(link.get_attribute("rel").split()) == {"sponsored", "noopener"}

    wall = page.locator("footer .sponsor-wall")
    expect(wall.get_by_role("img", name="Example Silicon Ltd logo")).to_be_visible()
    assert wall.locator("img").evaluate_all(ALL_LOADED)


def test_sponsors_organizer_uploads_logo_in_admin_and_it_appears_on_wall(
    page, conference, organizer
):
    sponsor = SponsorFactory(
        tier=SponsorTierFactory(conference=conference, name="Gold"), name="Pretend Storage Ltd"
    )
    log_in(page, organizer.email)
    page.goto(f"/admin/sponsors/sponsor/{sponsor.pk}/change/")
    page.get_by_label("Logo:", exact=True).set_input_files(
        files=[{"name": "storage.png", "mimeType": "image/png", "buffer": image_bytes("PNG")}]
    )
    page.get_by_label("Logo alt text").fill("Pretend Storage")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_text("was changed successfully").wait_for()

    sponsor.refresh_from_db()
    assert sponsor.logo_wall
    page.goto("/news/")
    logo = page.locator("footer").get_by_role("img", name="Pretend Storage")
    expect(logo).to_be_visible()
    assert logo.get_attribute("src") == sponsor.logo_wall_url
    assert page.locator("footer img").evaluate_all(ALL_LOADED)


def test_sponsors_admin_refuses_text_file_renamed_png_with_message(page, conference, organizer):
    sponsor = SponsorFactory(tier=SponsorTierFactory(conference=conference), name="Demo Devices")
    log_in(page, organizer.email)
    page.goto(f"/admin/sponsors/sponsor/{sponsor.pk}/change/")
    page.get_by_label("Logo:", exact=True).set_input_files(
        files=[{"name": "notes.png", "mimeType": "image/png", "buffer": b"just text\n" * 50}]
    )
    page.get_by_label("Logo alt text").fill("Demo Devices")
    page.get_by_role("button", name="Save", exact=True).click()

    error = page.locator(".errorlist").filter(has_text="notes.png")
    error.wait_for()
    assert "is not a PNG, JPEG or WebP image" in error.inner_text()
    assert not Sponsor.objects.get(pk=sponsor.pk).logo
