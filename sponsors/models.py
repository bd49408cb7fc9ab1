"""Sponsor tiers and sponsors of an edition."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from plumbers.markdown import RenderedMarkdown, markdown_field, markdown_length_check
from plumbers.models import Conference


class SponsorTier(models.Model):
    class LogoSize(models.TextChoices):
        LARGE = "large", "Large"
        MEDIUM = "medium", "Medium"
        SMALL = "small", "Small"

    # The box (CSS pixels, width × height) a logo of each size fits into on the sponsors
    # page; renditions are made at twice that for high-density screens.
    LOGO_BOXES = {"large": (300, 150), "medium": (220, 110), "small": (150, 75)}

    conference = models.ForeignKey(
        Conference, on_delete=models.PROTECT, related_name="sponsor_tiers"
    )
    name = models.CharField(max_length=100)
    order = models.PositiveIntegerField(default=0)
    logo_size = models.CharField(max_length=10, choices=LogoSize.choices, default=LogoSize.MEDIUM)
    benefits = models.TextField(blank=True)
    complimentary_passes = models.PositiveIntegerField(
        default=0, help_text="In-person passes each sponsor of this tier may give out."
    )

    class Meta:
        ordering = ["conference", "order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "name"], name="tier_name_unique_per_edition"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.conference.slug})" if self.conference_id else self.name

    @property
    def logo_box(self) -> tuple[int, int]:
        return self.LOGO_BOXES.get(self.logo_size, self.LOGO_BOXES["medium"])


class SponsorQuerySet(models.QuerySet):
    def for_public_display(self, conference):
        """Visible sponsors of an edition, in wall order (tier order, then sponsor order)."""
        return (
            self.filter(visible=True, tier__conference=conference)
            .select_related("tier")
            .order_by("tier__order", "tier__name", "order", "name")
        )


class Sponsor(RenderedMarkdown, models.Model):
    tier = models.ForeignKey(SponsorTier, on_delete=models.PROTECT, related_name="sponsors")
    name = models.CharField(max_length=200)
    url = models.URLField(blank=True)
    logo = models.ImageField(
        upload_to="sponsors/logos/",
        blank=True,
        help_text="PNG, JPEG or WebP, at most 1 MB and 4000×4000 pixels. Never shown as "
        "uploaded: the site shows a resized copy.",
    )
    logo_alt = models.CharField(
        "logo alt text",
        max_length=200,
        blank=True,
        help_text="Required with a logo: what the logo says, usually the sponsor's name.",
    )
    description = markdown_field(blank=True)
    description_html = models.TextField(editable=False, default="")
    visible = models.BooleanField(default=True)
    order = models.PositiveIntegerField(default=0)
    contacts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="sponsor_contacts",
        help_text="People at the sponsor who get the organizers' mail to sponsors (bulk mail "
        "segment “Sponsor contacts”); each needs an account.",
    )
    # The resized copy shown on the wall and the sponsors page, made by
    # sponsors.services from ``logo`` for the tier's logo size; never uploaded directly.
    logo_wall = models.FileField(upload_to="sponsors/wall/", blank=True, editable=False)
    logo_wall_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    logo_wall_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    logo_wall_source = models.CharField(
        max_length=300,
        blank=True,
        editable=False,
        help_text="The logo file and tier size the rendition was made from.",
    )

    markdown_fields = {"description": "description_html"}

    objects = SponsorQuerySet.as_manager()

    class Meta:
        ordering = ["tier__order", "order", "name"]
        constraints = [
            markdown_length_check("description", name="sponsor_description_length"),
            models.UniqueConstraint(fields=["tier", "name"], name="sponsor_name_unique_per_tier"),
            models.CheckConstraint(
                condition=Q(logo="") | ~Q(logo_alt=""), name="sponsor_logo_has_alt_text"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        self.logo_alt = (self.logo_alt or "").strip()
        if self.logo and not self.logo_alt:
            raise ValidationError(
                {
                    "logo_alt": "Describe the logo for people who cannot see it (usually the "
                    "sponsor's name)."
                }
            )

    @property
    def logo_wall_url(self) -> str:
        """Where the rendition is served (sponsors:logo); empty without a rendition."""
        if not self.logo_wall:
            return ""
        filename = self.logo_wall.name.rsplit("/", 1)[-1]
        return reverse("sponsors:logo", kwargs={"pk": self.pk, "filename": filename})
