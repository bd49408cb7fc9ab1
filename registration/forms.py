from django import forms

from registration.models import AttendanceKind


class RegisterForm(forms.Form):
    """Register for a kind; the reason is required when it means joining the waitlist."""

    reason = forms.CharField(
        label="Why do you want to attend?",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Required to join the waitlist: what you hope to contribute or learn.",
    )

    def __init__(self, *args, waitlist: bool = False, kind: AttendanceKind | None = None, **kw):
        prefix = f"kind{kind.pk}" if kind is not None else None
        super().__init__(*args, prefix=prefix, **kw)
        self.fields["reason"].required = waitlist
        if not waitlist:
            self.fields["reason"].widget = forms.HiddenInput()


class RedeemForm(forms.Form):
    code = forms.CharField(
        label="Pass code",
        max_length=40,
        help_text="The complimentary pass code you were given, e.g. ABCD-EFGH-JKLM-NPQR.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class OfferNextForm(forms.Form):
    count = forms.IntegerField(
        label="Number of places to offer", min_value=1, max_value=10000, initial=1
    )


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label="New capacity", min_value=0, required=False)
    unlimited = forms.BooleanField(label="No limit", required=False)
    reason = forms.CharField(label="Reason", max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if data.get("unlimited"):
            data["capacity"] = None
        elif data.get("capacity") is None and not self.errors:
            raise forms.ValidationError("Give the new capacity, or tick “No limit”.")
        return data


class RevokeForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=500)


class IssuePassesForm(forms.Form):
    kind = forms.ModelChoiceField(
        label="Attendance kind",
        queryset=AttendanceKind.objects.filter(kind=AttendanceKind.Kind.IN_PERSON).select_related(
            "conference"
        ),
    )
    sponsor = forms.ModelChoiceField(label="Sponsor", queryset=None, required=False)
    microconference = forms.ModelChoiceField(label="Microconference", queryset=None, required=False)
    count = forms.IntegerField(label="Number of passes", min_value=1, max_value=1000, initial=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from microconferences.models import Microconference
        from sponsors.models import Sponsor

        self.fields["sponsor"].queryset = Sponsor.objects.select_related("tier__conference")
        self.fields["microconference"].queryset = Microconference.objects.select_related(
            "conference"
        )

    def clean(self):
        data = super().clean()
        if bool(data.get("sponsor")) == bool(data.get("microconference")):
            raise forms.ValidationError(
                "Choose exactly one issuer: a sponsor or a microconference."
            )
        return data
