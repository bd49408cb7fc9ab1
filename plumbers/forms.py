from django import forms

from plumbers.images import ACCEPTED_HUMAN, inspect_image
from plumbers.models import User

MAX_PHOTO_BYTES = 2 * 1024 * 1024
MAX_PHOTO_SIDE = 4000
MIN_PHOTO_SIDE = 64


class PhotoField(forms.FileField):
    """A file field that accepts only real PNG/JPEG/WebP pictures (decoded with Pillow), with
    a message that says what is accepted (forms.ImageField's generic one does not)."""

    widget = forms.FileInput

    def to_python(self, data):
        uploaded = super().to_python(data)
        if uploaded is None:
            return None
        inspect_image(
            uploaded,
            noun="photo",
            max_bytes=MAX_PHOTO_BYTES,
            min_side=MIN_PHOTO_SIDE,
            max_side=MAX_PHOTO_SIDE,
        )
        uploaded.seek(0)
        return uploaded


class SignupProfileForm(forms.Form):
    """Extra fields on allauth's sign-up form: how the person is shown on the site."""

    display_name = forms.CharField(
        max_length=120, label="Display name", help_text="Shown on the site instead of your email."
    )
    affiliation = forms.CharField(max_length=200, required=False, label="Affiliation")

    def clean_display_name(self):
        value = " ".join(self.cleaned_data["display_name"].split())
        if not value:
            raise forms.ValidationError("Please enter the name to show on the site.")
        return value

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"]
        user.affiliation = self.cleaned_data.get("affiliation", "")
        user.save(update_fields=["display_name", "affiliation"])


class ProfileForm(forms.ModelForm):
    photo = PhotoField(
        required=False,
        label="Photo",
        help_text=(
            f"Optional, shown on your public speaker page: {ACCEPTED_HUMAN}, at most 2 MB. "
            "The site keeps a resized copy without the file's metadata."
        ),
    )
    remove_photo = forms.BooleanField(required=False, label="Remove my photo")

    class Meta:
        model = User
        fields = ["display_name", "affiliation", "bio"]
        labels = {"display_name": "Display name", "affiliation": "Affiliation", "bio": "Bio"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.photo:
            del self.fields["remove_photo"]

    def clean_display_name(self):
        value = " ".join(self.cleaned_data["display_name"].split())
        if not value:
            raise forms.ValidationError("Please enter the name to show on the site.")
        return value
