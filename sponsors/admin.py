"""Organizers manage tiers and sponsors here; every save goes through sponsors.services.

A sponsor's complimentary passes are not this app's: the app that owns them adds them to the
sponsor's page (extension point: the registered ``SponsorAdmin.inlines``)."""

from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html

from sponsors.forms import SponsorAdminForm
from sponsors.models import Sponsor, SponsorTier
from sponsors.services import (
    SponsorError,
    sponsor_delete,
    sponsor_save,
    tier_delete,
    tier_save,
)


@admin.display(description="Logo preview")
def logo_preview(sponsor: Sponsor):
    """The wall rendition, scaled by width/height attributes (the CSP forbids inline
    styles) to fit 200×60."""
    if not sponsor or not sponsor.logo_wall:
        return "No logo" if sponsor and sponsor.pk else "—"
    width, height = sponsor.logo_wall_width or 200, sponsor.logo_wall_height or 60
    scale = min(200 / width, 60 / height, 0.5)
    return format_html(
        '<img src="{}" alt="{}" width="{}" height="{}">',
        sponsor.logo_wall_url,
        sponsor.logo_alt,
        max(round(width * scale), 1),
        max(round(height * scale), 1),
    )


class EditionFilter(admin.RelatedFieldListFilter):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = "edition"


# Links typed without a scheme are https, as Django 6 will assume.
URL_HTTPS = {models.URLField: {"assume_scheme": "https"}}


class SponsorInline(admin.TabularInline):
    model = Sponsor
    formfield_overrides = URL_HTTPS
    form = SponsorAdminForm
    fields = ["name", "url", "logo", "logo_alt", "visible", "order", "preview"]
    readonly_fields = ["preview"]
    extra = 0
    show_change_link = True

    @admin.display(description="Logo preview")
    def preview(self, obj):
        return logo_preview(obj)


@admin.register(SponsorTier)
class SponsorTierAdmin(admin.ModelAdmin):
    list_display = ["name", "conference", "order", "logo_size", "complimentary_passes"]
    list_editable = ["order"]
    list_filter = [("conference", EditionFilter), "logo_size"]
    search_fields = ["name", "benefits", "conference__name"]
    list_select_related = ["conference"]
    inlines = [SponsorInline]

    def save_model(self, request, obj, form, change):
        tier_save(tier=obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for sponsor in formset.deleted_objects:
            sponsor_delete(sponsor=sponsor, actor=request.user)
        for sponsor in instances:
            sponsor_save(sponsor=sponsor, actor=request.user)

    def delete_model(self, request, obj):
        try:
            tier_delete(tier=obj, actor=request.user)
        except SponsorError as error:
            messages.error(request, error.message)


@admin.register(Sponsor)
class SponsorAdmin(admin.ModelAdmin):
    form = SponsorAdminForm
    formfield_overrides = URL_HTTPS
    list_display = ["name", "preview", "tier", "visible", "order"]
    list_editable = ["visible", "order"]
    list_filter = [("tier__conference", EditionFilter), "tier", "visible"]
    search_fields = ["name", "url", "description", "tier__name"]
    list_select_related = ["tier", "tier__conference"]
    readonly_fields = ["preview"]
    fields = [
        "tier",
        "name",
        "url",
        "logo",
        "preview",
        "logo_alt",
        "description",
        "visible",
        "order",
        "contacts",
    ]
    autocomplete_fields = ["contacts"]

    @admin.display(description="Logo preview")
    def preview(self, obj):
        return logo_preview(obj)

    def save_model(self, request, obj, form, change):
        sponsor_save(sponsor=obj, actor=request.user)

    def delete_model(self, request, obj):
        sponsor_delete(sponsor=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for sponsor in queryset:
            sponsor_delete(sponsor=sponsor, actor=request.user)
