"""Attendance kinds, registrations (with the waitlist and its offers), priority rules and
complimentary passes.

State fields here are changed only by ``registration.services``: every change that consumes a
seat locks the attendance kind row and recounts, so nothing in this module writes states.
What the database can refuse (one active registration per person and kind, a pass with
exactly one issuer, a waitlist entry without a reason) is a constraint, not only Python.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from plumbers.models import Conference


class AttendanceKind(models.Model):
    """A way to attend one edition ("In person" with a capacity, "Virtual" usually unlimited)."""

    class Kind(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        VIRTUAL = "virtual", "Virtual"

    conference = models.ForeignKey(
        Conference, on_delete=models.PROTECT, related_name="attendance_kinds"
    )
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.IN_PERSON)
    capacity = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Seats. Empty means no limit. Change it with the “Set capacity” action, "
        "which refuses to go below the seats in use and records who changed it.",
    )
    opens_at = models.DateTimeField(help_text="Registration opens at this time.")
    closes_at = models.DateTimeField(
        null=True, blank=True, help_text="Registration closes at this time. Empty: never."
    )
    offer_duration = models.DurationField(
        default=dt.timedelta(hours=72),
        help_text="How long an offered place is held for the person (e.g. 3 days, 0:00:00).",
    )
    auto_offer = models.BooleanField(
        default=False,
        help_text="Offer seats freed by a cancellation, a revoked pass or a capacity raise "
        "to the next people on the waitlist automatically.",
    )
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["conference", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "name"], name="attendance_kind_name_unique_per_edition"
            ),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gte=0),
                name="attendance_kind_capacity_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["in_person", "virtual"]), name="attendance_kind_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(closes_at__isnull=True) | Q(closes_at__gt=models.F("opens_at")),
                name="attendance_kind_closes_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(offer_duration__gt=dt.timedelta(0)),
                name="attendance_kind_offer_duration_positive",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.conference.slug})" if self.conference_id else self.name

    @property
    def is_limited(self) -> bool:
        return self.capacity is not None

    @property
    def is_in_person(self) -> bool:
        return self.kind == self.Kind.IN_PERSON

    def is_open(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.opens_at <= now and (self.closes_at is None or now < self.closes_at)


class RegistrationStatus(models.TextChoices):
    CONFIRMED = "confirmed", "Confirmed"
    WAITLISTED = "waitlisted", "Waitlisted"
    OFFERED = "offered", "Offered a place"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Offer expired"
    CANCELLED = "cancelled", "Cancelled"


# The statuses of a registration that holds or waits for a seat. A person has at most one such
# registration per kind (a database constraint, below). Defined once, here, because the
# constraint, the services and the pages must agree on it.
ACTIVE_STATUSES = (
    RegistrationStatus.CONFIRMED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.OFFERED,
)


class Registration(models.Model):
    """One person's registration for one attendance kind, including the waitlist stage."""

    Status = RegistrationStatus

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="registrations"
    )
    kind = models.ForeignKey(AttendanceKind, on_delete=models.PROTECT, related_name="registrations")
    status = models.CharField(max_length=16, choices=Status.choices)
    reason = models.TextField(
        "reasons for attending", blank=True, help_text="Required to join the waitlist."
    )
    manual_bonus = models.IntegerField(
        default=0, help_text="Priority points an organizer adds to this waitlist entry."
    )
    joined_at = models.DateTimeField(
        null=True, blank=True, help_text="When the person joined the waitlist (tie-breaker)."
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text="When it was declined, expired or cancelled."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=Q(status__in=ACTIVE_STATUSES),
                name="registration_one_active_per_user_and_kind",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RegistrationStatus.values),
                name="registration_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="waitlisted") | (~Q(reason="") & Q(joined_at__isnull=False)),
                name="registration_waitlist_needs_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status="offered")
                | Q(offered_at__isnull=False, offer_expires_at__isnull=False),
                name="registration_offer_has_expiry",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
                name="registration_confirmed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "status"], name="registration_kind_status"),
            models.Index(fields=["status", "offer_expires_at"], name="registration_offer_expiry"),
        ]

    def __str__(self):
        return f"{self.user} – {self.kind.name}" if self.kind_id else str(self.user)

    def offer_lapsed(self, now: dt.datetime | None = None) -> bool:
        return (
            self.status == self.Status.OFFERED
            and self.offer_expires_at is not None
            and self.offer_expires_at <= (now or timezone.now())
        )

    @property
    def effective_status(self) -> str:
        """The status as a person should see it now: an offer past its expiry is expired, even
        before the sweep (``manage.py expire_offers``) has written that down."""
        if self.offer_lapsed():
            return self.Status.EXPIRED
        return self.status

    def get_effective_status_display(self) -> str:
        return self.Status(self.effective_status).label

    @property
    def is_active(self) -> bool:
        return self.effective_status in ACTIVE_STATUSES


class PriorityRule(models.Model):
    """A weighted rule of the waitlist ranking. Scores are computed when ranking, so a talk
    accepted after someone joined the waitlist moves them up."""

    class Kind(models.TextChoices):
        CONTENT_CONTRIBUTOR = "content_contributor", "Content contributor"
        NEW_ATTENDEE = "new_attendee", "New attendee"

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="priority_rules"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    weight = models.IntegerField(default=0, help_text="Points added when the rule matches.")
    order = models.PositiveIntegerField(default=0, help_text="Order the reasons are shown in.")
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["conference", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "kind"], name="priority_rule_unique_per_edition"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["content_contributor", "new_attendee"]),
                name="priority_rule_kind_valid",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} (+{self.weight})"


class ComplimentaryPass(models.Model):
    """A single-use code that confirms an in-person registration without the waitlist. An
    issued, unredeemed pass holds its seat (it counts as a seat in use)."""

    class Status(models.TextChoices):
        ISSUED = "issued", "Issued"
        REDEEMED = "redeemed", "Redeemed"
        REVOKED = "revoked", "Revoked"

    code = models.CharField(max_length=32, unique=True, editable=False)
    kind = models.ForeignKey(
        AttendanceKind, on_delete=models.PROTECT, related_name="complimentary_passes"
    )
    sponsor = models.ForeignKey(
        "sponsors.Sponsor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_passes",
    )
    microconference = models.ForeignKey(
        "microconferences.Microconference",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="issued_passes",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ISSUED)
    redeemed_registration = models.OneToOneField(
        Registration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complimentary_pass",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(default=timezone.now)
    redeemed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["kind", "-issued_at", "id"]
        verbose_name = "complimentary pass"
        verbose_name_plural = "complimentary passes"
        constraints = [
            models.CheckConstraint(
                condition=(Q(sponsor__isnull=False) & Q(microconference__isnull=True))
                | (Q(sponsor__isnull=True) & Q(microconference__isnull=False)),
                name="complimentary_pass_exactly_one_issuer",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["issued", "redeemed", "revoked"]),
                name="complimentary_pass_status_valid",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status="redeemed")
                    & Q(redeemed_registration__isnull=False)
                    & Q(redeemed_at__isnull=False)
                )
                | (~Q(status="redeemed") & Q(redeemed_registration__isnull=True)),
                name="complimentary_pass_redeemed_has_registration",
            ),
        ]
        indexes = [models.Index(fields=["kind", "status"], name="pass_kind_status")]

    def __str__(self):
        return self.display_code

    @property
    def display_code(self) -> str:
        """Upper case in groups of four, easy to read out and type: ABCD-EFGH-JKLM-NPQR."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))

    @property
    def issuer(self):
        return self.sponsor or self.microconference
