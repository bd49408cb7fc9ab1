"""The call for proposals: tracks with deadlines that move only through a recorded extension
(or never, for a hard deadline), proposals, reviews and declared conflicts.

Every invariant the database can hold is a constraint here; the services in ``services.py``
check the rules that need the clock or other rows (deadline passed, reviewer is a
co-speaker, ...).
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from plumbers.markdown import RenderedMarkdown, markdown_field, markdown_length_check
from plumbers.models import Announcement, Conference
from plumbers.timefmt import format_time

AOE = dt.timezone(dt.timedelta(hours=-12), "AoE")


class TrackQuerySet(models.QuerySet):
    def with_extensions(self):
        """Tracks with their extensions (oldest first) prefetched, for the public pages
        that show the original deadline struck through."""
        return self.select_related("conference", "microconference").prefetch_related(
            models.Prefetch(
                "extensions",
                queryset=DeadlineExtension.objects.select_related("announcement").order_by(
                    "at", "id"
                ),
            )
        )


class Track(RenderedMarkdown, models.Model):
    """A part of the CFP with its own window, deadline policy, reviewers and chairs."""

    class Kind(models.TextChoices):
        REFEREED = "refereed", "Refereed presentations"
        MICROCONFERENCE = "microconference", "Microconference topics"
        MC_PROPOSALS = "mc_proposals", "Microconference proposals"
        KERNEL_SUMMIT = "kernel_summit", "Kernel summit"
        NETWORKING = "networking", "Networking and BPF"
        TOOLCHAINS = "toolchains", "Toolchains"
        BOF = "bof", "Birds of a feather"
        OTHER = "other", "Other"

    class DeadlinePolicy(models.TextChoices):
        EXTENDABLE = "extendable", "Extendable"
        HARD = "hard", "Hard (never extended)"

    conference = models.ForeignKey(Conference, on_delete=models.PROTECT, related_name="tracks")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    description = markdown_field(blank=True)
    description_html = models.TextField(editable=False, default="")
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.REFEREED)
    microconference = models.ForeignKey(
        "microconferences.Microconference",
        on_delete=models.PROTECT,
        related_name="cfp_tracks",
        null=True,
        blank=True,
        help_text="For a microconference's own track: its leads review it.",
    )
    opens_at = models.DateTimeField()
    deadline = models.DateTimeField(
        help_text="Changed only through the “Extend deadline” action once the track exists."
    )
    deadline_policy = models.CharField(
        max_length=16, choices=DeadlinePolicy.choices, default=DeadlinePolicy.EXTENDABLE
    )
    show_aoe = models.BooleanField(
        "show as Anywhere on Earth",
        default=False,
        help_text="Also show the deadline in AoE (UTC-12).",
    )
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="cfp_reviewer_tracks", blank=True
    )
    chairs = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="cfp_chair_tracks", blank=True
    )
    sequence = models.PositiveIntegerField(
        default=0, editable=False, help_text="iCalendar SEQUENCE: number of extensions."
    )
    mc_topics_deadline = models.DateTimeField(
        "microconference topics deadline",
        null=True,
        blank=True,
        help_text="For a microconference-proposals track: the topic-submission deadline "
        "given to the track of each microconference accepted from it (empty: the latest "
        "deadline of the edition's microconference tracks).",
    )
    order = models.PositiveIntegerField(default=0)

    # Review depth (issue 14, the reviewers' half): phases, anonymity, assignment, ranking.
    # Empty phase dates leave that side open, so a track without phases keeps reviews and
    # decisions possible at any time (cfp.phases; the admin fills defaults from the deadline).
    review_opens_at = models.DateTimeField(
        "review phase opens", null=True, blank=True, help_text="Empty: from the track's opening."
    )
    review_closes_at = models.DateTimeField(
        "review phase closes", null=True, blank=True, help_text="Empty: no end."
    )
    decision_opens_at = models.DateTimeField(
        "decision phase opens", null=True, blank=True, help_text="Empty: at any time."
    )
    decision_closes_at = models.DateTimeField(
        "decision phase closes", null=True, blank=True, help_text="Empty: no end."
    )
    anonymised_review = models.BooleanField(
        default=False,
        help_text="Reviewers never see the speakers' names, emails or affiliations "
        "(chairs and organizers do).",
    )
    assigned_only = models.BooleanField(
        "reviewers see only their assignments",
        default=False,
        help_text="Reviewers see only the proposals assigned to them (and those they "
        "reviewed); otherwise every proposal of the track.",
    )
    min_reviews = models.PositiveSmallIntegerField(
        "reviews wanted per proposal (K)",
        default=3,
        help_text="Automatic assignment gives each proposal at least this many reviewers.",
    )
    accept_target = models.PositiveIntegerField(
        "accepted talks wanted",
        null=True,
        blank=True,
        help_text="Where the line falls in the chairs' ranked table.",
    )
    speaker_comments = models.BooleanField(
        "reviewers may write to the speaker",
        default=False,
        help_text="A comment shown to the speakers once the decision is sent.",
    )

    markdown_fields = {"description": "description_html"}

    objects = TrackQuerySet.as_manager()

    class Meta:
        ordering = ["conference", "order", "deadline", "name"]
        constraints = [
            markdown_length_check("description", name="cfp_track_description_length"),
            models.UniqueConstraint(
                fields=["conference", "slug"], name="cfp_track_slug_unique_per_edition"
            ),
            models.CheckConstraint(
                condition=Q(deadline__gt=F("opens_at")), name="cfp_track_deadline_after_opening"
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "refereed",
                        "microconference",
                        "mc_proposals",
                        "kernel_summit",
                        "networking",
                        "toolchains",
                        "bof",
                        "other",
                    ]
                ),
                name="cfp_track_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(deadline_policy__in=["extendable", "hard"]),
                name="cfp_track_policy_valid",
            ),
            models.CheckConstraint(
                condition=Q(microconference__isnull=True) | Q(kind="microconference"),
                name="cfp_track_mc_only_for_mc_kind",
            ),
            models.UniqueConstraint(
                fields=["microconference"],
                condition=Q(microconference__isnull=False),
                name="cfp_one_track_per_mc",
            ),
            models.CheckConstraint(
                condition=Q(review_opens_at__isnull=True)
                | Q(review_closes_at__isnull=True)
                | Q(review_closes_at__gt=F("review_opens_at")),
                name="cfp_track_review_phase_ordered",
            ),
            models.CheckConstraint(
                condition=Q(decision_opens_at__isnull=True)
                | Q(decision_closes_at__isnull=True)
                | Q(decision_closes_at__gt=F("decision_opens_at")),
                name="cfp_track_decision_phase_ordered",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.conference.slug})"

    def get_submit_url(self):
        return reverse("cfp:submit", kwargs={"slug": self.slug})

    @property
    def is_hard(self) -> bool:
        return self.deadline_policy == self.DeadlinePolicy.HARD

    def is_open(self, now: dt.datetime | None = None) -> bool:
        """Open from ``opens_at`` up to and including the deadline's second."""
        now = now or timezone.now()
        return self.opens_at <= now <= self.deadline

    def has_opened(self, now: dt.datetime | None = None) -> bool:
        return (now or timezone.now()) >= self.opens_at

    def local_text(self, value: dt.datetime) -> str:
        """``value`` as this edition's people read it in messages: "Sunday 19 June 2022,
        23:59 (Dublin time, UTC+1)" (plumbers.timefmt: the edition's zone by its city and
        offset, never an abbreviation)."""
        return format_time(value, self.conference.timezone, "l j F Y, H:i")

    @property
    def ordered_extensions(self) -> list["DeadlineExtension"]:
        """Extensions oldest first (uses the prefetch of ``with_extensions`` when present)."""
        return sorted(self.extensions.all(), key=lambda e: (e.at, e.pk))

    @property
    def original_deadline(self) -> dt.datetime:
        """The deadline as first published: the ``previous`` of the first extension."""
        extensions = self.ordered_extensions
        return extensions[0].previous if extensions else self.deadline

    @property
    def last_extension(self) -> "DeadlineExtension | None":
        extensions = self.ordered_extensions
        return extensions[-1] if extensions else None

    @property
    def is_extended(self) -> bool:
        return bool(self.ordered_extensions)


class DeadlineExtension(models.Model):
    """One move of a track's deadline: an event with a record, never a silent field edit."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="extensions")
    previous = models.DateTimeField()
    new = models.DateTimeField()
    reason = models.TextField()
    extended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(default=timezone.now)
    announcement = models.ForeignKey(
        Announcement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deadline_extensions",
    )

    class Meta:
        ordering = ["track", "at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(new__gt=F("previous")), name="cfp_extension_moves_later"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="cfp_extension_has_reason"),
        ]

    def __str__(self):
        return f"{self.track.name}: {self.previous:%Y-%m-%d %H:%M} → {self.new:%Y-%m-%d %H:%M}"


class Proposal(RenderedMarkdown, models.Model):
    """A talk or topic submitted to a track by a speaker, possibly with co-speakers."""

    class State(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        WITHDRAWN = "withdrawn", "Withdrawn"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        # After acceptance the speakers answer: they will give the talk, or they cannot.
        CONFIRMED = "confirmed", "Confirmed by the speakers"
        DECLINED = "declined", "Declined by the speakers"

    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="proposals")
    title = models.CharField(max_length=250)
    abstract = markdown_field()
    abstract_html = models.TextField(editable=False, default="")
    notes = markdown_field(
        "notes for reviewers",
        blank=True,
        more_help="Only the reviewers of the track see these.",
    )
    notes_html = models.TextField(editable=False, default="")
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cfp_proposals"
    )
    co_speakers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="cfp_co_speaking", blank=True
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.SUBMITTED)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # A proposal on a microconference-proposals track becomes this MC when accepted (once:
    # accepting again finds it here instead of creating a second one).
    microconference = models.OneToOneField(
        "microconferences.Microconference",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cfp_proposal",
        editable=False,
    )

    markdown_fields = {"abstract": "abstract_html", "notes": "notes_html"}

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            markdown_length_check("abstract", name="cfp_proposal_abstract_length"),
            markdown_length_check("notes", name="cfp_proposal_notes_length"),
            models.CheckConstraint(
                condition=Q(
                    state__in=[
                        "submitted",
                        "withdrawn",
                        "accepted",
                        "rejected",
                        "confirmed",
                        "declined",
                    ]
                ),
                name="cfp_proposal_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["accepted", "rejected", "confirmed", "declined"])
                | Q(decided_at__isnull=False),
                name="cfp_proposal_decision_has_time",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="cfp_proposal_has_title"),
        ]
        indexes = [models.Index(fields=["track", "state"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        """The speakers' own page of the proposal (its submitter and co-speakers only)."""
        return reverse("cfp:proposal_detail", kwargs={"pk": self.pk})

    def get_review_url(self):
        return reverse("cfp:review_detail", kwargs={"pk": self.pk})

    @property
    def is_accepted(self) -> bool:
        """Accepted by the committee, whether or not the speakers confirmed yet."""
        return self.state in ACCEPTED_STATES


class Review(models.Model):
    """One reviewer's opinion of one proposal, for the committee only."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cfp_reviews"
    )
    score = models.SmallIntegerField(help_text="-2 (strong reject) to +2 (strong accept).")
    confidence = models.PositiveSmallIntegerField(help_text="1 (low) to 3 (expert).")
    comment = models.TextField("comment for the committee", blank=True)
    speaker_comment = models.TextField(
        "comment for the speaker",
        blank=True,
        help_text="Shown to the speakers, without your name, once the decision is sent.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["proposal", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "reviewer"], name="cfp_one_review_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(score__gte=-2, score__lte=2), name="cfp_review_score_range"
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=1, confidence__lte=3),
                name="cfp_review_confidence_range",
            ),
        ]

    def __str__(self):
        return f"{self.reviewer} on {self.proposal}: {self.score:+d}"


class Conflict(models.Model):
    """A reviewer's declared conflict of interest: the proposal disappears from their view."""

    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cfp_conflicts"
    )
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="conflicts")
    reason = models.CharField(max_length=300, blank=True)
    declared_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-declared_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "proposal"], name="cfp_one_conflict_per_reviewer"
            ),
        ]

    def __str__(self):
        return f"{self.reviewer} conflicted on {self.proposal}"


class CoSpeakerInvitation(models.Model):
    """An invitation to co-speak on a proposal, sent to an email address.

    A co-speaker is attached to the proposal only when the invited person accepts, logged in
    with that address: until then they count for nothing (not in conflicts, not in the
    waitlist priority, not listed as a speaker). Known and unknown addresses are invited the
    same way, so the form tells nobody who has an account."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for an answer"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn by the submitter"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    token = models.CharField(max_length=64, unique=True, editable=False)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["proposal", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "proposal",
                condition=Q(state="pending"),
                name="cfp_invitation_one_pending_per_address",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["pending", "accepted", "declined", "withdrawn"]),
                name="cfp_invitation_state_valid",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.proposal}"


# Accepted by the committee and not (yet) declined by the speakers: the states in which a
# proposal is part of the conference (content contributors, the program).
ACCEPTED_STATES = frozenset({Proposal.State.ACCEPTED, Proposal.State.CONFIRMED})


class LateSubmissionCode(models.Model):
    """A chair's exception to a closed (typically hard) deadline, for one named person on one
    track: it admits up to ``max_uses`` submissions after the deadline, until it expires.
    The public deadline does not move. Uses are counted under a row lock."""

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="late_codes")
    email = models.EmailField(help_text="Only the account with this address may use the code.")
    code = models.CharField(max_length=64, unique=True, editable=False)
    max_uses = models.PositiveSmallIntegerField(
        "number of submissions", default=1, help_text="How many proposals it admits."
    )
    uses = models.PositiveSmallIntegerField(default=0, editable=False)
    expires_at = models.DateTimeField("valid until")
    reason = models.TextField(blank=True, help_text="Why the exception (for the record).")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "late-submission code"
        constraints = [
            models.CheckConstraint(
                condition=Q(max_uses__gte=1) & Q(max_uses__lte=100),
                name="cfp_late_code_max_uses_range",
            ),
            models.CheckConstraint(
                condition=Q(uses__lte=F("max_uses")), name="cfp_late_code_uses_within_max"
            ),
            models.CheckConstraint(condition=~Q(code=""), name="cfp_late_code_not_empty"),
        ]

    def __str__(self):
        return f"Late code for {self.email} on {self.track.name}"

    @property
    def uses_left(self) -> int:
        return max(self.max_uses - self.uses, 0)

    def get_use_url(self) -> str:
        return f"{self.track.get_submit_url()}?code={self.code}"


# ------------------------------------------------------ review assignment (issue 14, reviewers)


class ReviewAssignment(models.Model):
    """A chair asks a reviewer to review a proposal. Removing it keeps any review written."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="assignments")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cfp_assignments"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(default=timezone.now)
    automatic = models.BooleanField(default=False)

    class Meta:
        ordering = ["proposal", "assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "reviewer"], name="cfp_one_assignment_per_reviewer"
            ),
        ]

    def __str__(self):
        return f"{self.reviewer} reviews {self.proposal}"


class ReviewerPreference(models.Model):
    """How much a reviewer wants to review a track, and their declared expertise: automatic
    assignment prefers the eager and leaves out those who asked to be spared unless needed."""

    class Level(models.TextChoices):
        EAGER = "eager", "Eager: my field"
        WILLING = "willing", "Willing"
        AVOID = "avoid", "Only if nobody else can"

    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="preferences")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cfp_preferences"
    )
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.WILLING)
    expertise = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["track", "reviewer"]
        constraints = [
            models.UniqueConstraint(
                fields=["track", "reviewer"], name="cfp_one_preference_per_track"
            ),
            models.CheckConstraint(
                condition=Q(level__in=["eager", "willing", "avoid"]),
                name="cfp_preference_level_valid",
            ),
        ]

    def __str__(self):
        return f"{self.reviewer} on {self.track.name}: {self.level}"
