"""Microconferences: a track of the conference with its own leads and a structured topic list."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from plumbers.markdown import RenderedMarkdown, markdown_field, markdown_length_check
from plumbers.models import Conference


class MicroconferenceQuerySet(models.QuerySet):
    def public(self):
        return self.filter(status=Microconference.Status.ACCEPTED)


class Microconference(RenderedMarkdown, models.Model):
    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    conference = models.ForeignKey(
        Conference, on_delete=models.PROTECT, related_name="microconferences"
    )
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=100)
    summary = models.CharField(max_length=500, help_text="One or two sentences for the list page.")
    description = markdown_field(blank=True)
    description_html = models.TextField(editable=False, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    leads = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="led_microconferences", blank=True
    )
    order = models.PositiveIntegerField(default=0)
    complimentary_passes = models.PositiveIntegerField(
        default=0, help_text="In-person passes this MC may give its speakers."
    )

    markdown_fields = {"description": "description_html"}

    objects = MicroconferenceQuerySet.as_manager()

    class Meta:
        ordering = ["conference", "order", "title"]
        constraints = [
            markdown_length_check("description", name="mc_description_length"),
            models.UniqueConstraint(
                fields=["conference", "slug"], name="mc_slug_unique_per_edition"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["proposed", "accepted", "declined"]), name="mc_status_valid"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="mc_title_not_empty"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("microconferences:detail", kwargs={"slug": self.slug})


class TopicGroup(models.Model):
    """An optional heading inside an MC's topic list, e.g. "PCI", "VFIO", "IOMMU"."""

    microconference = models.ForeignKey(
        Microconference, on_delete=models.CASCADE, related_name="topic_groups"
    )
    title = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["microconference", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["microconference", "order"], name="topicgroup_order_unique_per_mc"
            ),
            models.CheckConstraint(condition=~Q(title=""), name="topicgroup_title_not_empty"),
        ]

    def __str__(self):
        return self.title


class Topic(models.Model):
    """One item of an MC's topic list, under a heading or (group empty) directly under the MC."""

    microconference = models.ForeignKey(
        Microconference, on_delete=models.CASCADE, related_name="topics"
    )
    group = models.ForeignKey(
        TopicGroup, on_delete=models.CASCADE, related_name="topics", null=True, blank=True
    )
    title = models.CharField(max_length=300)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["microconference", "group__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "order"],
                condition=Q(group__isnull=False),
                name="topic_order_unique_per_group",
            ),
            models.UniqueConstraint(
                fields=["microconference", "order"],
                condition=Q(group__isnull=True),
                name="topic_order_unique_ungrouped",
            ),
            models.CheckConstraint(condition=~Q(title=""), name="topic_title_not_empty"),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        # A heading of another MC would put the topic on two pages at once; the database
        # cannot express this cross-table rule, so the model refuses it before saving.
        if (
            self.group_id is not None
            and self.microconference_id is not None
            and self.group.microconference_id != self.microconference_id
        ):
            raise ValidationError({"group": "This heading belongs to another microconference."})
