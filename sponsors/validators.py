"""Logo validation: a logo is accepted only if Pillow really decodes it as PNG, JPEG or WebP.

The checks themselves are shared with every uploaded picture (speaker photos too) and live
in ``plumbers.images``; this module gives them the logo's limits and words.
"""

from plumbers.images import (
    ACCEPTED_FORMATS,
    ACCEPTED_HUMAN,
    MAX_IMAGE_BYTES,
    MAX_IMAGE_SIDE,
    MIN_IMAGE_SIDE,
    ImageInfo,
    inspect_image,
)

MAX_LOGO_BYTES = MAX_IMAGE_BYTES
MIN_LOGO_SIDE = MIN_IMAGE_SIDE
MAX_LOGO_SIDE = MAX_IMAGE_SIDE
# Pillow's own bomb limit, lowered to what a logo can ever need (4000 × 4000).
MAX_LOGO_PIXELS = MAX_LOGO_SIDE * MAX_LOGO_SIDE
LogoInfo = ImageInfo

__all__ = [
    "ACCEPTED_FORMATS",
    "ACCEPTED_HUMAN",
    "MAX_LOGO_BYTES",
    "MAX_LOGO_PIXELS",
    "MAX_LOGO_SIDE",
    "MIN_LOGO_SIDE",
    "LogoInfo",
    "inspect_logo",
    "validate_logo",
]


def inspect_logo(file) -> LogoInfo:
    """Check an uploaded logo and describe it; raise ValidationError with a readable message.

    ``file`` is anything with read() (an UploadedFile, a File, BytesIO)."""
    return inspect_image(
        file,
        noun="logo",
        max_bytes=MAX_LOGO_BYTES,
        min_side=MIN_LOGO_SIDE,
        max_side=MAX_LOGO_SIDE,
    )


def validate_logo(file) -> None:
    """Django-style validator (form fields, model fields): raises ValidationError or returns."""
    inspect_logo(file)
