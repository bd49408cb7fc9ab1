"""Logo validation: a logo is accepted only if Pillow really decodes it as PNG, JPEG or WebP.

The file name and the browser's content type are chosen by the uploader, so neither is
trusted. SVG is refused outright: it is a document that can carry scripts and links, and we
do not sanitize it. The checks are cheap before expensive: byte size, then the image header
(format and pixel size, read without decoding), then a full decode under Pillow's
decompression-bomb guard, so a tiny file that claims to be huge never reaches memory.
"""

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, UnidentifiedImageError

MAX_LOGO_BYTES = 1024 * 1024
MIN_LOGO_SIDE = 16
MAX_LOGO_SIDE = 4000
# Pillow's own bomb limit, lowered to what a logo can ever need (4000 × 4000).
MAX_LOGO_PIXELS = MAX_LOGO_SIDE * MAX_LOGO_SIDE
ACCEPTED_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
ACCEPTED_HUMAN = "PNG, JPEG or WebP"


@dataclass(frozen=True)
class LogoInfo:
    format: str  # "PNG", "JPEG" or "WEBP"
    extension: str  # "png", "jpg" or "webp"
    width: int
    height: int


def _read_all(file) -> bytes:
    if hasattr(file, "seek"):
        try:
            file.seek(0)
        except (OSError, ValueError):
            pass
    data = file.read()
    if hasattr(file, "seek"):
        try:
            file.seek(0)
        except (OSError, ValueError):
            pass
    return data


def _looks_like_svg(head: bytes) -> bool:
    text = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return b"<svg" in text or (text.startswith(b"<?xml") and b"svg" in text)


def inspect_logo(file) -> LogoInfo:
    """Check an uploaded logo and describe it; raise ValidationError with a readable message.

    ``file`` is anything with read() (an UploadedFile, a File, BytesIO)."""
    name = getattr(file, "name", None) or "The file"
    label = f"“{name.rsplit('/', 1)[-1]}”" if name != "The file" else name
    size = getattr(file, "size", None)
    if size is not None and size > MAX_LOGO_BYTES:
        raise ValidationError(
            f"{label} is {filesizeformat(size)}; a logo may be at most "
            f"{filesizeformat(MAX_LOGO_BYTES)}. Export it smaller or as a compressed "
            f"{ACCEPTED_HUMAN}.",
            code="logo_too_large",
        )
    data = _read_all(file)
    if len(data) > MAX_LOGO_BYTES:
        raise ValidationError(
            f"{label} is {filesizeformat(len(data))}; a logo may be at most "
            f"{filesizeformat(MAX_LOGO_BYTES)}.",
            code="logo_too_large",
        )
    if not data:
        raise ValidationError(f"{label} is empty.", code="logo_empty")
    if _looks_like_svg(data):
        raise ValidationError(
            f"{label} is an SVG drawing. SVG logos are not accepted because they can carry "
            f"scripts; please upload a {ACCEPTED_HUMAN} image instead.",
            code="logo_svg",
        )
    not_an_image = ValidationError(
        f"{label} is not a {ACCEPTED_HUMAN} image: its content could not be read as a picture "
        "(whatever its file name says). Please upload the logo as a real "
        f"{ACCEPTED_HUMAN} file.",
        code="logo_not_image",
    )
    with warnings.catch_warnings():
        # Pillow warns (then errors at twice the limit) on decompression bombs; we refuse
        # at the warning already.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as image:
                image_format = image.format
                width, height = image.size
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise _too_many_pixels(label) from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise not_an_image from exc
        if image_format not in ACCEPTED_FORMATS:
            raise ValidationError(
                f"{label} is a {image_format} image; logos must be {ACCEPTED_HUMAN}.",
                code="logo_wrong_format",
            )
        if width > MAX_LOGO_SIDE or height > MAX_LOGO_SIDE or width * height > MAX_LOGO_PIXELS:
            raise _too_many_pixels(label, width, height)
        if width < MIN_LOGO_SIDE or height < MIN_LOGO_SIDE:
            raise ValidationError(
                f"{label} is only {width}×{height} pixels; a logo must be at least "
                f"{MIN_LOGO_SIDE}×{MIN_LOGO_SIDE} pixels to be legible.",
                code="logo_too_small",
            )
        try:
            # verify() checks the container (chunks, checksums) and needs a fresh image;
            # load() then really decodes every pixel, which catches truncated data.
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise _too_many_pixels(label) from exc
        except Exception as exc:  # any decoder failure means "not a usable image"
            raise not_an_image from exc
    return LogoInfo(
        format=image_format,
        extension=ACCEPTED_FORMATS[image_format],
        width=width,
        height=height,
    )


def _too_many_pixels(label: str, width: int | None = None, height: int | None = None):
    size = f" ({width}×{height} pixels)" if width else ""
    return ValidationError(
        f"{label} is too large in pixels{size}; a logo may be at most "
        f"{MAX_LOGO_SIDE}×{MAX_LOGO_SIDE} pixels.",
        code="logo_too_many_pixels",
    )


def validate_logo(file) -> None:
    """Django-style validator (form fields, model fields): raises ValidationError or returns."""
    inspect_logo(file)
