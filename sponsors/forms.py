"""The admin's sponsor form: the logo is checked by decoding it, with our own messages."""

from django import forms

from sponsors.models import Sponsor
from sponsors.validators import ACCEPTED_HUMAN, MAX_LOGO_SIDE, inspect_logo


class _RenditionLink:
    """What the "Currently:" link of the logo widget points at: the wall rendition (the raw
    upload is never served), labelled with the stored file's name."""

    def __init__(self, value):
        self._value = value
        self.url = value.instance.logo_wall_url or "#"

    def __str__(self):
        return str(self._value)


class LogoInput(forms.ClearableFileInput):
    def __init__(self, attrs=None):
        attrs = {"accept": "image/png,image/jpeg,image/webp", **(attrs or {})}
        super().__init__(attrs)

    def format_value(self, value):
        if self.is_initial(value) and getattr(value, "instance", None) is not None:
            return _RenditionLink(value)
        return super().format_value(value)


class LogoField(forms.FileField):
    """A file field that accepts only real PNG/JPEG/WebP images (decoded with Pillow).

    Deliberately not forms.ImageField: its generic "Upload a valid image" message would
    come first and say nothing of what is accepted."""

    widget = LogoInput

    def to_python(self, data):
        uploaded = super().to_python(data)
        if uploaded is None:
            return None
        inspect_logo(uploaded)
        uploaded.seek(0)
        return uploaded


class SponsorAdminForm(forms.ModelForm):
    url = forms.URLField(
        label="URL",
        required=False,
        assume_scheme="https",
        max_length=200,
        help_text='The sponsor\'s site; linked with rel="sponsored noopener".',
    )
    logo = LogoField(
        required=False,
        label="Logo",
        help_text=(
            f"{ACCEPTED_HUMAN}, at most 1 MB and {MAX_LOGO_SIDE}×{MAX_LOGO_SIDE} pixels. "
            "SVG is not accepted. The site shows a resized copy."
        ),
    )

    class Meta:
        model = Sponsor
        fields = ["tier", "name", "url", "logo", "logo_alt", "description", "visible", "order"]
