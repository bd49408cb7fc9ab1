"""The conference core: people, editions, news and the audit trail every app writes to."""

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from plumbers.markdown import RenderedMarkdown, markdown_field, markdown_length_check


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(RenderedMarkdown, AbstractUser):
    """A person: logs in by email; shown by display name, never by email address. A speaker
    of a published program item also has a public page with the optional bio and photo."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=120)
    affiliation = models.CharField(max_length=200, blank=True)
    bio = markdown_field(
        blank=True, more_help="Shown on your public speaker page once you are on the program."
    )
    bio_html = models.TextField(editable=False, default="")
    # Never the raw upload: plumbers.services.profile_update stores a re-encoded copy
    # (plumbers.images.render_within), without the upload's metadata.
    photo = models.ImageField(upload_to="people/photos/", blank=True)

    markdown_fields = {"bio": "bio_html"}

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    objects = UserManager()

    class Meta:
        ordering = ["display_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            markdown_length_check("bio", name="user_bio_length"),
        ]

    def __str__(self):
        return self.display_name or self.email.split("@")[0]

    def get_full_name(self):
        return str(self)

    def get_short_name(self):
        return str(self)


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not an IANA time zone (e.g. Europe/Dublin).")


class ConferenceQuerySet(models.QuerySet):
    def current(self):
        return self.filter(is_current=True).first()


class Conference(models.Model):
    """One yearly edition. Past editions stay: attendance history decides who is new."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=50, unique=True, help_text="Usually the year, e.g. 2022.")
    year = models.PositiveIntegerField()
    starts_on = models.DateField()
    ends_on = models.DateField()
    city = models.CharField(max_length=120)
    venue = models.CharField(max_length=200, blank=True)
    timezone = models.CharField(
        max_length=64, default="UTC", validators=[validate_timezone], help_text="IANA name."
    )
    is_current = models.BooleanField(
        default=False, help_text="The edition the public site shows. Only one can be current."
    )

    objects = ConferenceQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_conference"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="conference_ends_after_start"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": "The conference cannot end before it starts."})


class AnnouncementQuerySet(models.QuerySet):
    def published(self, now=None):
        return self.filter(published_at__isnull=False, published_at__lte=now or timezone.now())


class Announcement(RenderedMarkdown, models.Model):
    """A news post. A publish time in the future schedules it; no time keeps it a draft."""

    markdown_fields = {"body": "body_html"}

    conference = models.ForeignKey(
        Conference, on_delete=models.PROTECT, related_name="announcements", null=True, blank=True
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    body = markdown_field()
    body_html = models.TextField(editable=False, default="")
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="Empty: draft. In the future: scheduled."
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["published_at"])]
        constraints = [markdown_length_check("body", name="announcement_body_length")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("news_detail", kwargs={"slug": self.slug})

    @property
    def is_published(self) -> bool:
        return self.published_at is not None and self.published_at <= timezone.now()


class AuditLog(models.Model):
    """Who changed what, when, from which state to which, and why. Append-only."""

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=200)
    from_state = models.CharField(max_length=200, blank=True)
    to_state = models.CharField(max_length=200, blank=True)
    reason = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class SentMail(models.Model):
    """The mail log: one row per mail handed to the mail server (or refused by it), keyed by
    the identity the mail was given when it was queued: a task that runs again (a worker
    killed after sending, before it marked the task done) finds the row and does not send a
    second copy. Transactional and bulk mail alike; written by the worker when it sends, so
    queueing a mail costs one INSERT (the task) and nothing more."""

    class Status(models.TextChoices):
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    mail_id = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField("time", default=timezone.now)
    recipients = models.TextField("to")
    subject = models.CharField(max_length=255)
    body = models.TextField(blank=True, default="")
    template = models.CharField(
        max_length=100,
        blank=True,
        default="",
        help_text="The mail kind, e.g. registration.offered.",
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.SENT)
    error = models.TextField(blank=True, default="")
    related_type = models.ForeignKey(
        ContentType, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    related_id = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = "mail log entry"
        verbose_name_plural = "mail log"
        indexes = [models.Index(fields=["related_type", "related_id"])]

    def __str__(self):
        return f"{self.sent_at:%Y-%m-%d %H:%M} {self.subject} → {self.recipients}"


class MailTemplate(models.Model):
    """An edition's own text for one kind of mail (plumbers.mail_kinds), replacing the default
    kept in the repository. Validated against the kind's placeholders before it is saved."""

    conference = models.ForeignKey(
        Conference, on_delete=models.CASCADE, related_name="mail_templates"
    )
    key = models.CharField(max_length=100)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["conference", "key"]
        verbose_name = "mail template"
        constraints = [
            models.UniqueConstraint(fields=["conference", "key"], name="mail_template_unique"),
        ]

    def __str__(self):
        return f"{self.key} ({self.conference})"


class BulkMail(models.Model):
    """One bulk send (the outbox): a text to a segment of people, one row per recipient.
    ``token`` is the identity of the send the organizer confirmed: a repeated or
    double-clicked confirmation finds it and adds nobody."""

    conference = models.ForeignKey(Conference, on_delete=models.PROTECT, related_name="bulk_mails")
    token = models.CharField(max_length=64, unique=True, editable=False)
    segment = models.CharField(max_length=100)
    segment_label = models.CharField(max_length=200)
    subject = models.CharField(max_length=255)
    body = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "bulk mail"
        verbose_name_plural = "bulk mail (outbox)"

    def __str__(self):
        return f"{self.subject} → {self.segment_label}"


class BulkMailRecipient(models.Model):
    """One person of a bulk send: queued → sent, or queued → failed (with the error) →
    queued again by "resend failed". Only the worker holding the row's lock sends it."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    bulk_mail = models.ForeignKey(BulkMail, on_delete=models.CASCADE, related_name="recipients")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    error = models.TextField(blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["bulk_mail", "id"]
        constraints = [
            models.UniqueConstraint(fields=["bulk_mail", "user"], name="bulk_mail_once_per_user"),
            models.UniqueConstraint(
                fields=["bulk_mail", "email"], name="bulk_mail_once_per_address"
            ),
            models.CheckConstraint(
                condition=Q(state__in=["queued", "sent", "failed"]),
                name="bulk_mail_recipient_state_valid",
            ),
        ]
        indexes = [models.Index(fields=["bulk_mail", "state"])]

    def __str__(self):
        return f"{self.email} ({self.state})"

    @property
    def mail_id(self) -> str:
        """The mail log identity of this recipient's copy: one per recipient, ever."""
        return f"bulk-{self.bulk_mail_id}-{self.pk}"
