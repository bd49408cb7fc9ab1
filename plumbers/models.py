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


class User(AbstractUser):
    """A person: logs in by email; shown by display name, never by email address."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    display_name = models.CharField(max_length=120)
    affiliation = models.CharField(max_length=200, blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["display_name"]

    objects = UserManager()

    class Meta:
        ordering = ["display_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
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
    """One row per mail handed to the mail server, keyed by the identity the mail was given
    when it was queued: a task that runs again (a worker killed after sending, before it
    marked the task done) finds the row and does not send a second copy."""

    mail_id = models.CharField(max_length=64, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)
    recipients = models.TextField()
    subject = models.CharField(max_length=255)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = "sent mail"
        verbose_name_plural = "sent mail"

    def __str__(self):
        return f"{self.sent_at:%Y-%m-%d %H:%M} {self.subject} → {self.recipients}"
