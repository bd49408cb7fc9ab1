"""Sponsor tiers and sponsors of an edition."""

from django.db import models

from plumbers.models import Conference


class SponsorTier(models.Model):
    class LogoSize(models.TextChoices):
        LARGE = "large", "Large"
        MEDIUM = "medium", "Medium"
        SMALL = "small", "Small"

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


class Sponsor(models.Model):
    tier = models.ForeignKey(SponsorTier, on_delete=models.PROTECT, related_name="sponsors")
    name = models.CharField(max_length=200)
    url = models.URLField(blank=True)
    logo = models.ImageField(upload_to="sponsors/logos/", blank=True)
    logo_alt = models.CharField("logo alt text", max_length=200, blank=True)
    description = models.TextField(blank=True)
    visible = models.BooleanField(default=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["tier__order", "order", "name"]

    def __str__(self):
        return self.name
