"""An organizer builds the timetable in the admin editor: three talks placed with the
keyboard, a break dragged with the mouse, an overlap refused with its reason, release 1
published; then a talk moved and release 2 published: the changelog calls it "moved" and
its speaker got a mail."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from schedule import selectors
from schedule.models import Item, Release
from tests.conftest import log_in
from tests.factories import UserFactory
from tests.schedule.factories import ItemFactory, RoomFactory, confirmed_proposal, local

pytestmark = pytest.mark.e2e


def _pick_and_drop(page, name: str, keys: list[str]) -> None:
    """Focus the item called ``name``, pick it up, press ``keys``, drop it (then the page
    reloads with the server's grid)."""
    item = page.get_by_role("group", name=re.compile(f"^{re.escape(name)},"))
    item.focus()
    page.keyboard.press("Enter")
    for key in keys:
        page.keyboard.press(key)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_organizer_builds_publishes_and_moves_program(page, conference, organizer):
    speaker = UserFactory(display_name="Sam Speaker")
    hall = RoomFactory(conference=conference, name="Main hall", order=1)
    ballroom = RoomFactory(conference=conference, name="Ballroom A", order=2)
    first = confirmed_proposal(conference, title="Rust in the kernel", submitter=speaker)
    confirmed_proposal(conference, title="Writeback woes")
    confirmed_proposal(conference, title="io_uring everywhere")
    ItemFactory(conference=conference, title="Lunch")
    day = conference.starts_on.isoformat()
    log_in(page, organizer.email)
    page.set_viewport_size({"width": 1400, "height": 1100})  # the grid and the list in view

    page.goto("/admin/")
    page.get_by_role("link", name="Items").click()
    page.get_by_role("link", name="Timetable editor").click()
    page.get_by_role("link", name=conference.name).click()
    expect(page.get_by_role("heading", name=f"Timetable of {conference.name}")).to_be_visible()

    # Keyboard: picked up from the list it starts at 08:00 in the first room.
    _pick_and_drop(page, "Rust in the kernel", ["ArrowDown"] * 8)  # 10:00, Main hall
    expect(page.get_by_text("“Rust in the kernel” is now in Main hall")).to_be_visible()
    _pick_and_drop(page, "Writeback woes", ["ArrowRight"] + ["ArrowDown"] * 8)  # Ballroom A
    _pick_and_drop(page, "io_uring everywhere", ["ArrowDown"] * 12)  # 11:00, Main hall
    # The mouse: drag the break onto Ballroom A at 12:00.
    source = page.locator("#tt-candidates").get_by_role("group", name=re.compile("^Lunch,"))
    target = page.locator(f".tt-cell[data-room='{ballroom.pk}'][data-start='{day}T12:00']")
    with page.expect_navigation():
        source.drag_to(target)
    expect(page.get_by_text("“Lunch” is now in Ballroom A")).to_be_visible()

    grid = page.locator("#tt-grid")
    lunch = grid.get_by_role("group", name=re.compile("^Lunch, Ballroom A, 12:00 to 12:30"))
    expect(lunch).to_be_visible()
    # Resize: the mouse drags Lunch's bottom bar 30 minutes down; "+" on Writeback adds 5.
    handle = lunch.locator(".tt-resize").bounding_box()
    row = page.locator(".tt-cell").first.bounding_box()["height"] / 3
    with page.expect_navigation():
        page.mouse.move(handle["x"] + 10, handle["y"] + 2)
        page.mouse.down()
        page.mouse.move(handle["x"] + 10, handle["y"] + 2 + 6 * row, steps=6)
        page.mouse.up()
    expect(
        grid.get_by_role("group", name=re.compile("^Lunch, Ballroom A, 12:00 to 13:00"))
    ).to_be_visible()
    grid.get_by_role("group", name=re.compile("^Writeback woes,")).focus()
    with page.expect_navigation():
        page.keyboard.press("+")

    placed = {i.display_title: (i.room, i.starts_at, i.ends_at) for i in Item.objects.placed()}
    assert placed == {
        "Rust in the kernel": (hall, local(conference, 0, 10), local(conference, 0, 10, 45)),
        "Writeback woes": (ballroom, local(conference, 0, 10), local(conference, 0, 10, 50)),
        "io_uring everywhere": (hall, local(conference, 0, 11), local(conference, 0, 11, 45)),
        "Lunch": (ballroom, local(conference, 0, 12), local(conference, 0, 13)),
    }

    # An overlap: io_uring moved up onto Rust's slot is refused, with the reason, in place.
    talk = page.get_by_role("group", name=re.compile("^io_uring everywhere,"))
    talk.focus()
    page.keyboard.press("Enter")
    for _ in range(4):
        page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text(
        "Main hall is taken then by “Rust in the kernel”"
    )
    assert Item.objects.get(proposal__title="io_uring everywhere").starts_at == local(
        conference, 0, 11
    )

    # Release 1.
    page.get_by_role("button", name="Publish version 1.0").click()
    expect(page.get_by_text("Published version 1.0 (4 items).")).to_be_visible()
    assert speaker.email in {m.to[0] for m in mail.outbox}
    mail.outbox.clear()

    # Move Rust to 14:00 with the keyboard, see the preview, publish release 2.
    _pick_and_drop(page, "Rust in the kernel", ["ArrowDown"] * 16)
    preview = page.locator("#tt-draft-changes")
    expect(preview).to_contain_text("moved: “Rust in the kernel” from Main hall")
    page.get_by_label("Comment (shown with the release)").fill("Rust moves after lunch.")
    page.get_by_role("button", name="Publish version 2.0").click()
    expect(page.get_by_text("Published version 2.0 (4 items).")).to_be_visible()

    release = Release.objects.get(number=2)
    assert [(c.kind, c.title) for c in selectors.changelog(release)] == [
        ("moved", "Rust in the kernel")
    ]
    page.goto(f"/admin/schedule/release/{release.pk}/change/")
    expect(page.get_by_text("moved: Rust in the kernel")).to_be_visible()
    assert [m.to for m in mail.outbox] == [[speaker.email]]
    assert "“Rust in the kernel” has moved" in mail.outbox[0].subject
    assert first.schedule_item.starts_at == local(conference, 0, 14)
