"""Uploaded pictures (sponsor logos, speaker photos): accepted only if Pillow really decodes
them as PNG, JPEG or WebP.

The file name and the browser's content type are chosen by the uploader, so neither is
trusted. SVG is refused outright: it is a document that can carry scripts and links, and we
do not sanitize it. The checks are cheap before expensive: byte size, then the image header
(format and pixel size, read without decoding), then a full decode under Pillow's
decompression-bomb guard, so a tiny file that claims to be huge never reaches memory.

``inspect_image`` says what a picture is (or why it is refused, in words that name the kind
of picture: "a logo may be at most 1 MB"); ``render_within`` re-encodes a checked picture
into a box, which also drops whatever metadata (EXIF, GPS position) the upload carried.
"""

import io
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_IMAGE_BYTES = 1024 * 1024
MIN_IMAGE_SIDE = 16
MAX_IMAGE_SIDE = 4000
ACCEPTED_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}
ACCEPTED_HUMAN = "PNG, JPEG or WebP"


@dataclass(frozen=True)
class ImageInfo:
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


def inspect_image(
    file,
    *,
    noun: str = "picture",
    max_bytes: int = MAX_IMAGE_BYTES,
    min_side: int = MIN_IMAGE_SIDE,
    max_side: int = MAX_IMAGE_SIDE,
) -> ImageInfo:
    """Check an uploaded picture and describe it; raise ValidationError with a readable
    message naming the ``noun`` ("logo", "photo").

    ``file`` is anything with read() (an UploadedFile, a File, BytesIO)."""
    max_pixels = max_side * max_side
    name = getattr(file, "name", None) or "The file"
    label = f"“{name.rsplit('/', 1)[-1]}”" if name != "The file" else name
    size = getattr(file, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            f"{label} is {filesizeformat(size)}; a {noun} may be at most "
            f"{filesizeformat(max_bytes)}. Export it smaller or as a compressed "
            f"{ACCEPTED_HUMAN}.",
            code=f"{noun}_too_large",
        )
    data = _read_all(file)
    if len(data) > max_bytes:
        raise ValidationError(
            f"{label} is {filesizeformat(len(data))}; a {noun} may be at most "
            f"{filesizeformat(max_bytes)}.",
            code=f"{noun}_too_large",
        )
    if not data:
        raise ValidationError(f"{label} is empty.", code=f"{noun}_empty")
    if _looks_like_svg(data):
        raise ValidationError(
            f"{label} is an SVG drawing. SVG {noun}s are not accepted because they can carry "
            f"scripts; please upload a {ACCEPTED_HUMAN} image instead.",
            code=f"{noun}_svg",
        )
    not_an_image = ValidationError(
        f"{label} is not a {ACCEPTED_HUMAN} image: its content could not be read as a picture "
        f"(whatever its file name says). Please upload the {noun} as a real "
        f"{ACCEPTED_HUMAN} file.",
        code=f"{noun}_not_image",
    )

    def too_many_pixels(width: int | None = None, height: int | None = None):
        size = f" ({width}×{height} pixels)" if width else ""
        return ValidationError(
            f"{label} is too large in pixels{size}; a {noun} may be at most "
            f"{max_side}×{max_side} pixels.",
            code=f"{noun}_too_many_pixels",
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
            raise too_many_pixels() from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise not_an_image from exc
        if image_format not in ACCEPTED_FORMATS:
            raise ValidationError(
                f"{label} is a {image_format} image; {noun}s must be {ACCEPTED_HUMAN}.",
                code=f"{noun}_wrong_format",
            )
        if width > max_side or height > max_side or width * height > max_pixels:
            raise too_many_pixels(width, height)
        if width < min_side or height < min_side:
            raise ValidationError(
                f"{label} is only {width}×{height} pixels; a {noun} must be at least "
                f"{min_side}×{min_side} pixels to be legible.",
                code=f"{noun}_too_small",
            )
        try:
            # verify() checks the container (chunks, checksums) and needs a fresh image;
            # load() then really decodes every pixel, which catches truncated data.
            with Image.open(io.BytesIO(data)) as image:
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
            raise too_many_pixels() from exc
        except Exception as exc:  # any decoder failure means "not a usable image"
            raise not_an_image from exc
    return ImageInfo(
        format=image_format,
        extension=ACCEPTED_FORMATS[image_format],
        width=width,
        height=height,
    )


def render_within(data: bytes, *, box: tuple[int, int]) -> tuple[bytes, int, int]:
    """A checked picture (``inspect_image`` said yes) re-encoded as WebP, fitted inside
    ``box`` (never enlarged) and turned upright by its EXIF orientation; no metadata is
    copied. Returns ``(bytes, width, height)``."""
    with Image.open(io.BytesIO(data)) as image:
        image = ImageOps.exif_transpose(image)
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        image.thumbnail(box)
        out = io.BytesIO()
        image.save(out, format="WEBP", quality=85)
        return out.getvalue(), image.width, image.height
