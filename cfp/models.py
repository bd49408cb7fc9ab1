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
    order = models.PositiveIntegerField(default=0)

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
        23:59 IST" (the edition's time zone, not the server's)."""
        local = timezone.localtime(value, self.conference.tzinfo)
        return f"{local:%A %-d %B %Y, %H:%M} {local.tzname()}"

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

    def get_review_url(self):
        return reverse("cfp:review_detail", kwargs={"pk": self.pk})


class Review(models.Model):
    """One reviewer's opinion of one proposal, for the committee only."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cfp_reviews"
    )
    score = models.SmallIntegerField(help_text="-2 (strong reject) to +2 (strong accept).")
    confidence = models.PositiveSmallIntegerField(help_text="1 (low) to 3 (expert).")
    comment = models.TextField("comment for the committee", blank=True)
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
