"""Forms of the organizers' capacity and waitlist pages."""

from django import forms

from registration.services.waitlist import MAX_EXTENSION_HOURS


class CapacityPageForm(forms.Form):
    capacity = forms.IntegerField(
        label="New capacity", min_value=0, max_value=1_000_000, required=False
    )
    unlimited = forms.BooleanField(label="No limit", required=False)
    offer_now = forms.BooleanField(
        label="Offer the free seats to the waitlist now",
        required=False,
        initial=True,
        help_text="The next people in priority order get an offer for every free seat.",
    )
    reason = forms.CharField(label="Reason", max_length=500, required=False)

    def clean(self):
        data = super().clean()
        if data.get("unlimited"):
            data["capacity"] = None
        elif data.get("capacity") is None and not self.errors:
            raise forms.ValidationError("Give the new capacity, or tick “No limit”.")
        return data


class OfferCountForm(forms.Form):
    count = forms.IntegerField(
        label="Number of places to offer", min_value=1, max_value=10_000, initial=1
    )


class ExtendOfferForm(forms.Form):
    hours = forms.IntegerField(
        label="Extend by (hours)", min_value=1, max_value=MAX_EXTENSION_HOURS, initial=24
    )
    reason = forms.CharField(label="Reason", max_length=500, required=False)


class WithdrawOfferForm(forms.Form):
    reason = forms.CharField(
        label="Reason (mailed to the person)",
        max_length=500,
        help_text="The person goes back to the waitlist with the place they had.",
    )
