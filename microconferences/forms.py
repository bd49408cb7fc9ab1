"""Forms of the lead editing page. They only validate what a person typed; the services
make the change (and re-check everything the database or the outline depends on)."""

from django import forms

from microconferences.models import Microconference, Topic, TopicGroup


def _single_spaced(value: str) -> str:
    return " ".join((value or "").split())


class MicroconferenceContentForm(forms.ModelForm):
    class Meta:
        model = Microconference
        fields = ["summary", "description"]
        labels = {"summary": "Summary", "description": "Description"}
        help_texts = {
            "summary": "One or two sentences, shown on the list of microconferences.",
            "description": "Markdown: paragraphs, lists, links, **bold**, _italic_.",
        }
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}
        error_messages = {"summary": {"required": "Please enter a summary."}}

    def clean_summary(self):
        value = _single_spaced(self.cleaned_data["summary"])
        if not value:
            raise forms.ValidationError("Please enter a summary.")
        return value


class TopicGroupForm(forms.Form):
    title = forms.CharField(
        label="Heading",
        max_length=TopicGroup._meta.get_field("title").max_length,
        error_messages={"required": "Please enter the heading's title."},
    )

    def __init__(self, *args, label: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["title"].label = label

    def clean_title(self):
        value = _single_spaced(self.cleaned_data["title"])
        if not value:
            raise forms.ValidationError("Please enter the heading's title.")
        return value


class TopicForm(forms.Form):
    title = forms.CharField(
        label="Topic",
        max_length=Topic._meta.get_field("title").max_length,
        error_messages={"required": "Please enter the topic's title."},
    )
    group = forms.ModelChoiceField(
        label="Heading",
        queryset=TopicGroup.objects.none(),
        required=False,
        empty_label="(no heading)",
    )

    def __init__(
        self,
        *args,
        microconference: Microconference,
        groups=None,
        title_label: str | None = None,
        group_label: str | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = TopicGroup.objects.filter(
            microconference=microconference
        ).order_by("order", "pk")
        if groups is not None:
            # Reuse the headings already loaded for the page: no query per topic row.
            self.fields["group"].choices = [("", "(no heading)")] + [
                (g.pk, g.title) for g in groups
            ]
        if title_label:
            self.fields["title"].label = title_label
        if group_label:
            self.fields["group"].label = group_label

    def clean_title(self):
        value = _single_spaced(self.cleaned_data["title"])
        if not value:
            raise forms.ValidationError("Please enter the topic's title.")
        return value
