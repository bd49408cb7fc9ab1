from django import forms

from plumbers.models import User


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
    class Meta:
        model = User
        fields = ["display_name", "affiliation"]
        labels = {"display_name": "Display name", "affiliation": "Affiliation"}

    def clean_display_name(self):
        value = " ".join(self.cleaned_data["display_name"].split())
        if not value:
            raise forms.ValidationError("Please enter the name to show on the site.")
        return value
