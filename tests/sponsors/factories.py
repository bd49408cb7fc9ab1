"""Factories and real image files for the sponsors tests."""

import io
import struct
import zlib

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from sponsors.models import Sponsor, SponsorTier
from tests.factories import ConferenceFactory


class SponsorTierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SponsorTier

    conference = factory.SubFactory(ConferenceFactory)
    name = factory.Sequence(lambda n: f"Tier {n}")
    order = factory.Sequence(lambda n: n)
    logo_size = SponsorTier.LogoSize.MEDIUM


class SponsorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sponsor

    tier = factory.SubFactory(SponsorTierFactory)
    name = factory.Sequence(lambda n: f"Example Sponsor {n}")
    url = factory.Sequence(lambda n: f"https://sponsor{n}.example.org/")
    description = "Makes *fictional* things."
    visible = True
    order = factory.Sequence(lambda n: n)


def image_bytes(fmt: str = "PNG", size=(200, 100), color=(200, 30, 30)) -> bytes:
    """A real image in the given Pillow format, with a shape drawn on it."""
    mode = "RGBA" if fmt in {"PNG", "WEBP"} else "RGB"
    image = Image.new(mode, size, color)
    ImageDraw.Draw(image).ellipse((2, 2, size[0] - 3, size[1] - 3), fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


def upload(name: str, data: bytes, content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_upload(name: str = "logo.png", size=(200, 100), color=(200, 30, 30)):
    return upload(name, image_bytes("PNG", size, color))


def noisy_png(size) -> bytes:
    """A PNG that does not compress (random pixels), to exceed the byte limit."""
    import os

    image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims a size but has no pixel data: a decompression-bomb probe."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


SVG = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50">'
    b'<script>alert(1)</script><rect width="100" height="50"/></svg>'
)
