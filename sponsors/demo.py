"""The five sponsor tiers of LPC 2022 (their names and order are facts) with clearly
fictional sponsors whose logos are drawn here with Pillow, then stored through
sponsors.services so the wall renditions exist exactly as for an uploaded logo.

Idempotent: tiers and sponsors are found by name, and a logo is drawn and stored only when
the sponsor has none (or its file went missing)."""

import io

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw, ImageFont

from sponsors.models import Sponsor, SponsorTier
from sponsors.services import sponsor_save, sponsor_set_logo, tier_save

# (name, order, logo size, complimentary passes, benefits)
TIERS = [
    (
        "Diamond",
        1,
        "large",
        6,
        "Largest logo on every page and on stage; six in-person passes; a keynote slot.",
    ),
    ("Platinum", 2, "large", 4, "Large logo on every page; four in-person passes."),
    ("Gold", 3, "medium", 2, "Logo on every page; two in-person passes."),
    ("Silver", 4, "small", 1, "Logo on the sponsors page and wall; one in-person pass."),
    ("Conference Services Provided by", 5, "small", 0, "Thanks for running the event."),
]

# (tier, name, url, colour, description) — all fictional, on example domains.
SPONSORS = [
    (
        "Diamond",
        "Example Silicon Ltd",
        "https://silicon.example.com/",
        (11, 92, 173),
        "Designs imaginary processors and upstreams every driver for them.",
    ),
    (
        "Platinum",
        "Fictional Cloud Inc.",
        "https://cloud.example.com/",
        (28, 107, 54),
        "Runs a cloud that exists only in demos, on a kernel it keeps close to mainline.",
    ),
    (
        "Platinum",
        "Imaginary Kernel Labs",
        "https://kernel-labs.example.org/",
        (138, 75, 0),
        "A research lab studying schedulers that have not been written yet.",
    ),
    (
        "Platinum",
        "Placeholder Systems",
        "https://placeholder.example.net/",
        (164, 22, 26),
        "Builds servers out of placeholder parts.",
    ),
    (
        "Gold",
        "Hypothetical Hardware Co.",
        "https://hardware.example.com/",
        (90, 40, 160),
        "Boards, firmware and a very patient bring-up team.",
    ),
    (
        "Gold",
        "Notreal Networks",
        "https://networks.example.org/",
        (0, 120, 130),
        "Packet processing for networks nobody has cabled.",
    ),
    (
        "Gold",
        "Pretend Storage Ltd",
        "https://storage.example.net/",
        (60, 60, 70),
        "File systems tested against disks that fail on purpose.",
    ),
    (
        "Silver",
        "Sample Compilers Inc.",
        "https://compilers.example.com/",
        (180, 90, 20),
        "Toolchains for the sample architecture.",
    ),
    (
        "Silver",
        "Demo Devices GmbH",
        "https://devices.example.org/",
        (20, 70, 120),
        "Peripherals built for demonstrations.",
    ),
    (
        "Silver",
        "Fable Firmware",
        "https://firmware.example.net/",
        (120, 30, 90),
        "Open firmware with a story for every boot.",
    ),
    (
        "Conference Services Provided by",
        "Mock Event Services Ltd",
        "https://events.example.com/",
        (70, 70, 70),
        "Registration desk, badges and coffee.",
    ),
]


def initials(name: str) -> str:
    words = [w for w in name.replace(".", " ").split() if w[0].isalnum()]
    return "".join(w[0] for w in words[:2]).upper()


def draw_logo(name: str, colour: tuple[int, int, int]) -> bytes:
    """A simple logo: a coloured badge with the initials, then the name; transparent PNG."""
    width, height = 640, 240
    image = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((10, 20, 210, 220), radius=40, fill=colour + (255,))
    big = ImageFont.load_default(size=96)
    draw.text((110, 120), initials(name), font=big, fill=(255, 255, 255, 255), anchor="mm")
    size = 44
    small = ImageFont.load_default(size=size)
    while size > 18 and draw.textlength(name, font=small) > width - 250:
        size -= 2
        small = ImageFont.load_default(size=size)
    draw.text((235, 120), name, font=small, fill=colour + (255,), anchor="lm")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _logo_present(sponsor: Sponsor) -> bool:
    return bool(
        sponsor.logo
        and sponsor.logo_wall
        and sponsor.logo.storage.exists(sponsor.logo.name)
        and sponsor.logo_wall.storage.exists(sponsor.logo_wall.name)
    )


def load(ctx):
    actor = ctx.accounts.get("organizer")
    tiers: dict[str, SponsorTier] = {}
    new_tiers = 0
    for name, order, logo_size, passes, benefits in TIERS:
        tier = SponsorTier.objects.filter(conference=ctx.conference, name=name).first()
        wanted = {
            "order": order,
            "logo_size": logo_size,
            "complimentary_passes": passes,
            "benefits": benefits,
        }
        if tier is None:
            tier = SponsorTier(conference=ctx.conference, name=name, **wanted)
            tier_save(tier=tier, actor=actor)
            new_tiers += 1
        elif any(getattr(tier, key) != value for key, value in wanted.items()):
            for key, value in wanted.items():
                setattr(tier, key, value)
            tier_save(tier=tier, actor=actor)
        tiers[name] = tier

    new_sponsors = logos = 0
    for order, (tier_name, name, url, colour, description) in enumerate(SPONSORS, start=1):
        tier = tiers[tier_name]
        sponsor = Sponsor.objects.filter(tier__conference=ctx.conference, name=name).first()
        wanted = {"tier": tier, "url": url, "description": description, "order": order}
        if sponsor is None:
            sponsor = sponsor_save(sponsor=Sponsor(name=name, **wanted), actor=actor)
            new_sponsors += 1
        elif any(getattr(sponsor, key) != value for key, value in wanted.items()):
            for key, value in wanted.items():
                setattr(sponsor, key, value)
            sponsor_save(sponsor=sponsor, actor=actor)
        if not _logo_present(sponsor):
            sponsor_set_logo(
                sponsor=sponsor,
                logo=ContentFile(draw_logo(name, colour), name="logo.png"),
                logo_alt=name,
                actor=actor,
            )
            logos += 1
    ctx.extra["sponsors"] = list(
        Sponsor.objects.filter(tier__conference=ctx.conference).select_related("tier")
    )
    ctx.out(
        f"Sponsors: {len(TIERS)} tiers ({new_tiers} new), {len(SPONSORS)} fictional sponsors "
        f"({new_sponsors} new), {logos} logos drawn."
    )
