from django import forms
from django.core.validators import validate_email

from cfp.models import Proposal
from plumbers.admin_labels import label_widget
from plumbers.admin_site import ZonedSplitDateTime
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
    speaker_comment = forms.CharField(
        label="Comment for the speaker (optional)",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Shown to the speakers, without your name, once the decision is sent.",
    )
    override_reason = forms.CharField(
        label="Reason for overriding the review phase",
        required=False,
        max_length=300,
        help_text="The review phase is closed; as a chair you may still review, on the record.",
    )

    def __init__(self, *args, speaker_comments: bool = False, override: bool = False, **kw):
        super().__init__(*args, **kw)
        if not speaker_comments:
            del self.fields["speaker_comment"]
        if not override:
            del self.fields["override_reason"]


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
    override_reason = forms.CharField(
        label="Reason for deciding outside the decision phase",
        required=False,
        max_length=300,
        help_text="Only needed outside the decision phase; kept on the record.",
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
    override_reason = forms.CharField(
        label="Reason for deciding outside the decision phase",
        required=False,
        max_length=300,
        help_text="Only needed outside the decision phase; kept on the record.",
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposals"].queryset = queryset


class ExtendDeadlineForm(forms.Form):
    """The admin action's intermediate form. The new deadline is typed in the admin's date and
    time boxes (the one picker of every admin form) and read in the edition's time zone (the
    admin action activates it while validating and rendering)."""

    new_deadline = forms.SplitDateTimeField(label="New deadline", widget=ZonedSplitDateTime)
    reason = forms.CharField(
        label="Reason (shown publicly)", widget=forms.Textarea(attrs={"rows": 3})
    )
    publish_announcement = forms.BooleanField(
        label="Publish a news announcement about the extension", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        label_widget(self.fields["new_deadline"].widget, "New deadline")


class SubmitForm(ProposalForm):
    """The submit form; once the deadline has passed it also asks for a late-submission code
    (a chair's exception for one person: ``cfp.late_codes``)."""

    late_code = forms.CharField(
        label="Late-submission code",
        required=False,
        max_length=64,
        help_text="The deadline has passed. If a chair of this track sent you a code, it lets "
        "you submit from the account with the address it was sent to.",
    )

    def __init__(self, *args, with_code: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_code:
            del self.fields["late_code"]

    def clean_late_code(self) -> str:
        return "".join(self.cleaned_data.get("late_code", "").split())


class LateCodeForm(forms.Form):
    """Asks for a code on a closed track's submit page (a GET: the code goes in the URL)."""

    code = forms.CharField(label="Late-submission code", max_length=64)


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional, for the organizers)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LateCodeIssueForm(forms.Form):
    """A chair issues a late-submission code (the expiry is read in the edition's zone)."""

    track = forms.TypedChoiceField(label="Track", coerce=int, choices=[])
    email = forms.EmailField(label="Email address of the person", max_length=254)
    max_uses = forms.IntegerField(
        label="Number of submissions it admits", min_value=1, max_value=100, initial=1
    )
    expires_at = forms.DateTimeField(
        label="Valid until",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    reason = forms.CharField(
        label="Reason (for the record)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, tracks, **kwargs):
        super().__init__(*args, **kwargs)
        self.tracks = {track.pk: track for track in tracks}
        self.fields["track"].choices = [(pk, track.name) for pk, track in self.tracks.items()]

    def clean_track(self):
        return self.tracks[self.cleaned_data["track"]]


# ------------------------------------------------ review depth (issue 14, the reviewers' half)


class AutoAssignForm(forms.Form):
    k = forms.IntegerField(
        label="Reviewers per proposal (K)",
        min_value=1,
        max_value=20,
        help_text="Every submitted proposal gets at least this many reviewers, balanced by "
        "load; existing assignments and reviews count and stay.",
    )


class IdChoiceField(forms.ModelChoiceField):
    """Refuses ids that cannot exist before the database sees them (SQLite raises
    OverflowError on a parameter beyond 64 bits)."""

    def to_python(self, value):
        text = str(value or "").strip()
        if text and (not text.isdigit() or int(text) > 2**63 - 1):
            raise forms.ValidationError("Choose from the list.", code="invalid_choice")
        return super().to_python(value)


class AssignForm(forms.Form):
    proposal = IdChoiceField(queryset=Proposal.objects.none(), label="Proposal")
    reviewer = IdChoiceField(queryset=User.objects.none(), label="Reviewer")

    def __init__(self, *args, proposals, reviewers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposal"].queryset = proposals
        self.fields["reviewer"].queryset = reviewers


class UnassignForm(forms.Form):
    assignment = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class PreferenceForm(forms.Form):
    level = forms.ChoiceField(
        label="How much do you want to review this track?",
        choices=[
            ("eager", "Eager: my field"),
            ("willing", "Willing"),
            ("avoid", "Only if nobody else can"),
        ],
    )
    expertise = forms.CharField(
        label="Your expertise (optional)",
        required=False,
        max_length=300,
        help_text="E.g. “memory management, NUMA”. The chairs read it when assigning.",
    )
