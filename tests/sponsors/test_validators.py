import io

import pytest
from django.core.exceptions import ValidationError

from sponsors.validators import inspect_logo
from tests.sponsors.factories import (
    SVG,
    image_bytes,
    noisy_png,
    png_header_only,
    upload,
)


@pytest.mark.parametrize(
    ("fmt", "name", "extension"),
    [("PNG", "logo.png", "png"), ("JPEG", "logo.jpg", "jpg"), ("WEBP", "logo.webp", "webp")],
)
def test_inspect_logo_accepts_real_png_jpeg_webp(fmt, name, extension):
    info = inspect_logo(upload(name, image_bytes(fmt, size=(320, 160))))
    assert (info.format, info.extension, info.width, info.height) == (fmt, extension, 320, 160)


def test_inspect_logo_judges_content_not_name():
    info = inspect_logo(upload("logo.png", image_bytes("JPEG")))
    assert info.format == "JPEG"


def refusal(file) -> str:
    with pytest.raises(ValidationError) as caught:
        inspect_logo(file)
    return " ".join(caught.value.messages)


def test_inspect_logo_refuses_text_renamed_png_with_clear_message():
    message = refusal(upload("notes.png", b"Hello, I am plain text.\n" * 20))
    assert "“notes.png” is not a PNG, JPEG or WebP image" in message
    assert "whatever its file name says" in message


def test_inspect_logo_refuses_svg_even_named_png():
    message = refusal(upload("logo.png", SVG, "image/svg+xml"))
    assert "SVG" in message and "not accepted" in message


def test_inspect_logo_refuses_gif():
    message = refusal(upload("logo.gif", image_bytes("GIF"), "image/gif"))
    assert "is a GIF image; logos must be PNG, JPEG or WebP" in message


def test_inspect_logo_refuses_file_over_one_megabyte():
    data = noisy_png((800, 800))
    assert len(data) > 1024 * 1024
    message = refusal(upload("big.png", data))
    assert "a logo may be at most 1.0\xa0MB" in message


def test_inspect_logo_refuses_too_many_pixels():
    message = refusal(upload("wide.png", image_bytes("PNG", size=(4100, 20))))
    assert "too large in pixels (4100×20 pixels)" in message
    assert "at most 4000×4000" in message


def test_inspect_logo_refuses_decompression_bomb_header_without_decoding():
    message = refusal(upload("bomb.png", png_header_only(100_000, 100_000)))
    assert "too large in pixels" in message


def test_inspect_logo_refuses_tiny_image():
    message = refusal(upload("dot.png", image_bytes("PNG", size=(8, 8))))
    assert "only 8×8 pixels" in message


def test_inspect_logo_refuses_truncated_png():
    data = image_bytes("PNG", size=(300, 300))
    message = refusal(upload("cut.png", data[: len(data) // 2]))
    assert "is not a PNG, JPEG or WebP image" in message


def test_inspect_logo_reads_plain_file_objects_without_size():
    info = inspect_logo(io.BytesIO(image_bytes("PNG")))
    assert info.format == "PNG"
