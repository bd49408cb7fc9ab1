from django import forms
from django.core.validators import validate_email

from cfp.models import Proposal
from plumbers.markdown import MARKDOWN_MAX_LENGTH, MarkdownFormField
from plumbers.models import User

SCORE_CHOICES = [
    (2, "+2 — strong accept"),
    (1, "+1 — accept"),
    (0, "0 — borderline"),
    (-1, "-1 — reject"),
    (-2, "-2 — strong reject"),
]
CONFIDENCE_CHOICES = [(3, "3 — expert"), (2, "2 — knowledgeable"), (1, "1 — low")]


class ProposalForm(forms.Form):
    """Submit or edit a proposal. Co-speakers are given by email and invited."""

    title = forms.CharField(max_length=250)
    abstract = MarkdownFormField(
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=f"Markdown, at most {MARKDOWN_MAX_LENGTH:,} characters. Shown to reviewers "
        "and, if accepted, on the schedule.",
    )
    notes = MarkdownFormField(
        label="Notes for reviewers",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=f"Private: only the track's reviewers see these (Markdown, at most "
        f"{MARKDOWN_MAX_LENGTH:,} characters).",
    )
    co_speakers = forms.CharField(
        label="Co-speakers' email addresses",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="One per line (or separated by commas). Each gets an invitation by mail "
        "and becomes a co-speaker on accepting it; anyone without an account can sign up "
        "with that address first.",
    )

    def __init__(self, *args, submitter: User, **kwargs):
        self.submitter = submitter
        super().__init__(*args, **kwargs)

    @classmethod
    def initial_for(cls, proposal: Proposal) -> dict:
        return {
            "title": proposal.title,
            "abstract": proposal.abstract,
            "notes": proposal.notes,
            "co_speakers": "\n".join(
                [p.email for p in proposal.co_speakers.all()]
                + [i.email for i in proposal.invitations.filter(state="pending")]
            ),
        }

    MAX_CO_SPEAKERS = 10

    def clean_co_speakers(self) -> list[str]:
        """Addresses, checked for form only: whether an account exists is never said here
        (every address gets the same invitation), so the form reveals nobody."""
        raw = self.cleaned_data.get("co_speakers", "")
        emails: list[str] = []
        for part in raw.replace(",", "\n").replace(";", "\n").split():
            email = part.strip()
            if email and email.lower() not in {e.lower() for e in emails}:
                emails.append(email)
        if len(emails) > self.MAX_CO_SPEAKERS:
            raise forms.ValidationError(
                f"At most {self.MAX_CO_SPEAKERS} co-speakers, please ({len(emails)} given)."
            )
        errors = []
        for email in emails:
            try:
                validate_email(email)
            except forms.ValidationError:
                shown = email if len(email) <= 80 else email[:77] + "…"
                errors.append(f"“{shown}” is not an email address.")
            if email.lower() == self.submitter.email.lower():
                errors.append("You are the submitter; do not list yourself as a co-speaker.")
        if errors:
            raise forms.ValidationError(errors)
        return emails


class ReviewForm(forms.Form):
    score = forms.TypedChoiceField(choices=SCORE_CHOICES, coerce=int, label="Score")
    confidence = forms.TypedChoiceField(choices=CONFIDENCE_CHOICES, coerce=int, label="Confidence")
    comment = forms.CharField(
        label="Comment for the committee",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Seen by the other reviewers and chairs of this track, never by the speaker.",
    )


class ConflictForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        max_length=300,
        help_text="For the chairs, e.g. “same employer”.",
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (Proposal.State.ACCEPTED, "Accept"),
            (Proposal.State.REJECTED, "Reject"),
        ]
    )


class ProposalChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids that cannot exist (not digits, beyond 64 bits) before the database sees
    them: SQLite raises OverflowError on such a parameter instead of finding nothing."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk)
            if not text.isdigit() or int(text) > 2**63 - 1:
                raise forms.ValidationError(
                    "Select proposals from the list.", code="invalid_choice"
                )
        return super()._check_values(value)


class BulkDecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision for the selected proposals",
        choices=[
            (Proposal.State.ACCEPTED, "Accept"),
            (Proposal.State.REJECTED, "Reject"),
        ],
    )
    proposals = ProposalChoiceField(
        queryset=Proposal.objects.none(),
        error_messages={"required": "Select at least one proposal."},
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposals"].queryset = queryset


class ExtendDeadlineForm(forms.Form):
    """The admin action's intermediate form. The new deadline is read in the edition's time
    zone (the admin view activates it while validating)."""

    new_deadline = forms.DateTimeField(
        label="New deadline",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(
        label="Reason (shown publicly)", widget=forms.Textarea(attrs={"rows": 3})
    )
    publish_announcement = forms.BooleanField(
        label="Publish a news announcement about the extension", required=False
    )
