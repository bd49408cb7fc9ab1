"""The program: rooms, the organizers' draft timetable (items and their placement) and the
numbered releases the public sees.

The draft lives on ``Item`` (room, start, end; all empty while unscheduled). Publishing copies
every placed item into a ``Release`` as ``PublishedSlot`` rows; the public site reads only the
latest release, so drafts stay invisible outside the admin. An item's ``guid`` never changes:
exports, calendar UIDs and the changelog follow it across moves and releases.

No two items overlap in one room: an exclusion constraint on PostgreSQL, and the same check
under a lock in ``services.item_place`` on every database.
"""

import uuid

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary, RangeOperators
from django.db import models
from django.db.models import F, Func, Q
from django.utils import timezone

from cfp.models import Proposal
from microconferences.models import Microconference
from plumbers.models import Conference


class TsTzRange(Func):
    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint on PostgreSQL and nothing elsewhere: SQLite has no GiST, so
    there the service's check under the write lock is the guard."""

    def _on_postgres(self, schema_editor) -> bool:
        return schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        return (
            super().constraint_sql(model, schema_editor)
            if self._on_postgres(schema_editor)
            else None
        )

    def create_sql(self, model, schema_editor):
        return (
            super().create_sql(model, schema_editor) if self._on_postgres(schema_editor) else None
        )

    def remove_sql(self, model, schema_editor):
        return (
            super().remove_sql(model, schema_editor) if self._on_postgres(schema_editor) else None
        )

    def validate(self, model, instance, exclude=None, using="default"):
        from django.db import connections

        if connections[using].vendor == "postgresql":
            super().validate(model, instance, exclude=exclude, using=using)


class Room(models.Model):
    """A room of one edition; the editor shows rooms as columns in ``order``."""

    conference = models.ForeignKey(Conference, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=120)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    order = models.PositiveIntegerField(default=0)
    stream_url = models.URLField("stream URL", blank=True)

    class Meta:
        ordering = ["conference", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "name"], name="schedule_room_name_unique_per_edition"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="schedule_room_has_name"),
        ]

    def __str__(self):
        return self.name


class ItemQuerySet(models.QuerySet):
    def with_people(self):
        """Items with what the editor and the clash check read: room, proposal with its track
        and speakers, microconference with its leads."""
        return self.select_related(
            "room", "proposal__track", "proposal__submitter", "microconference"
        ).prefetch_related("proposal__co_speakers", "microconference__leads")

    def placed(self):
        return self.filter(room__isnull=False)

    def unscheduled(self):
        return self.filter(room__isnull=True)


class Item(models.Model):
    """Something on the program: an accepted talk, an accepted microconference's block, or a
    plain item (break, social event...). Its draft placement is room + start + end."""

    class Kind(models.TextChoices):
        TALK = "talk", "Talk"
        MICROCONFERENCE = "microconference", "Microconference"
        BOF = "bof", "Birds of a feather"
        KEYNOTE = "keynote", "Keynote"
        BREAK = "break", "Break"
        SOCIAL = "social", "Social event"

    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    conference = models.ForeignKey(
        Conference, on_delete=models.PROTECT, related_name="schedule_items"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.TALK)
    proposal = models.OneToOneField(
        Proposal,
        on_delete=models.PROTECT,
        related_name="schedule_item",
        null=True,
        blank=True,
    )
    microconference = models.OneToOneField(
        Microconference,
        on_delete=models.PROTECT,
        related_name="schedule_item",
        null=True,
        blank=True,
    )
    title = models.CharField(
        max_length=250, blank=True, help_text="For plain items; talks and blocks use their own."
    )
    description = models.TextField(blank=True)
    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, related_name="items", null=True, blank=True
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    clash_accepted_reason = models.TextField(
        blank=True, help_text="Why a speaker clash of this item is accepted (set by a service)."
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["conference", "starts_at", "id"]
        indexes = [models.Index(fields=["conference", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    kind__in=["talk", "microconference", "bof", "keynote", "break", "social"]
                ),
                name="schedule_item_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(proposal__isnull=True) | Q(microconference__isnull=True),
                name="schedule_item_one_source",
            ),
            models.CheckConstraint(
                condition=Q(proposal__isnull=False)
                | Q(microconference__isnull=False)
                | ~Q(title=""),
                name="schedule_item_plain_has_title",
            ),
            models.CheckConstraint(
                condition=Q(room__isnull=True, starts_at__isnull=True, ends_at__isnull=True)
                | Q(room__isnull=False, starts_at__isnull=False, ends_at__isnull=False),
                name="schedule_item_placement_complete",
            ),
            models.CheckConstraint(
                condition=Q(starts_at__isnull=True) | Q(ends_at__gt=F("starts_at")),
                name="schedule_item_ends_after_start",
            ),
            PostgresExclusionConstraint(
                name="schedule_item_no_overlap_in_room",
                expressions=[
                    (TsTzRange("starts_at", "ends_at", RangeBoundary()), RangeOperators.OVERLAPS),
                    ("room", RangeOperators.EQUAL),
                ],
                condition=Q(room__isnull=False),
                violation_error_message="Another item is already in this room at that time.",
            ),
        ]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self) -> str:
        if self.proposal_id:
            return self.proposal.title
        if self.microconference_id:
            return self.microconference.title
        return self.title

    @property
    def is_placed(self) -> bool:
        return self.room_id is not None

    @property
    def track(self):
        """The CFP track of a talk (None for other items)."""
        return self.proposal.track if self.proposal_id else None

    @property
    def is_unconfirmed(self) -> bool:
        """A talk accepted but not yet confirmed by its speakers."""
        return bool(self.proposal_id) and self.proposal.state == Proposal.State.ACCEPTED

    @property
    def people(self) -> list:
        """The speakers of a talk (submitter first) or the leads of a microconference."""
        if self.proposal_id:
            return [self.proposal.submitter, *self.proposal.co_speakers.all()]
        if self.microconference_id:
            return list(self.microconference.leads.all())
        return []

    @property
    def duration_minutes(self) -> int | None:
        if self.starts_at is None:
            return None
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class Release(models.Model):
    """A published version of the program: number 1, 2, ... per edition."""

    conference = models.ForeignKey(
        Conference, on_delete=models.PROTECT, related_name="schedule_releases"
    )
    number = models.PositiveIntegerField()
    version = models.CharField(max_length=20, help_text='Shown to the public, e.g. "1.0".')
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["conference", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "number"], name="schedule_release_number_unique"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="schedule_release_number_1"),
        ]

    def __str__(self):
        return f"{self.conference.slug} program version {self.version}"


class PublishedSlot(models.Model):
    """One item as a release published it: a snapshot of its place, time, title and kind."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="slots")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="published_slots")
    guid = models.UUIDField()
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="published_slots")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    title = models.CharField(max_length=250)
    kind = models.CharField(max_length=20, choices=Item.Kind.choices)

    class Meta:
        ordering = ["release", "starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["release", "item"], name="schedule_slot_item_once"),
            models.UniqueConstraint(fields=["release", "guid"], name="schedule_slot_guid_once"),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="schedule_slot_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.starts_at:%Y-%m-%d %H:%M})"

    @classmethod
    def of(cls, item: Item, release: Release | None = None) -> "PublishedSlot":
        """The slot ``release`` publishes for a placed ``item`` (unsaved): the one place
        that says what a release snapshots, for publishing and for the draft's preview."""
        return cls(
            release=release,
            item=item,
            guid=item.guid,
            room=item.room,
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            title=item.display_title,
            kind=item.kind,
        )


# --- attendees' side


class Star(models.Model):
    """An item someone marked for their own program ("my schedule"). Follows the item (its
    GUID), not a release's slot, so a star survives moves and new releases."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="schedule_stars"
    )
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="stars")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "item"], name="schedule_star_once"),
        ]

    def __str__(self):
        return f"{self.user} ★ {self.item_id}"


class CalendarToken(models.Model):
    """The secret in someone's private calendar feed address (/schedule/mine/<token>.ics).
    Unguessable (256 random bits); revoking deletes it, regenerating replaces it, and an
    unknown token is simply not found."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_token"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(token__regex=r"^[A-Za-z0-9_-]{40,64}$"),
                name="schedule_calendar_token_long",
            ),
        ]

    def __str__(self):
        return f"calendar feed of {self.user}"
