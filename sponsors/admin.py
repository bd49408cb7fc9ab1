"""Organizers manage tiers and sponsors here; every save goes through sponsors.services."""

from django.contrib import admin, messages
from django.db import models
from django.utils.html import format_html

from registration.models import AttendanceKind, ComplimentaryPass
from registration.services import RegistrationError, pass_issue
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


class ComplimentaryPassInline(admin.TabularInline):
    """The sponsor's codes and who redeemed them; read-only (issue with the action, revoke
    in the registration admin)."""

    model = ComplimentaryPass
    fk_name = "sponsor"
    verbose_name = "complimentary pass"
    verbose_name_plural = "complimentary passes"
    fields = ["pass_code", "status", "redeemed_by", "issued_at", "redeemed_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("redeemed_registration__user")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("registration.view_complimentarypass")

    @admin.display(description="code")
    def pass_code(self, item):
        return item.display_code

    @admin.display(description="redeemed by")
    def redeemed_by(self, item):
        registration = item.redeemed_registration
        return str(registration.user) if registration else "—"


@admin.register(Sponsor)
class SponsorAdmin(admin.ModelAdmin):
    form = SponsorAdminForm
    formfield_overrides = URL_HTTPS
    inlines = [ComplimentaryPassInline]
    actions = ["generate_passes"]
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
    ]

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

    @admin.action(description="Generate complimentary passes")
    def generate_passes(self, request, queryset):
        """Top each selected sponsor up to its tier's allowance of in-person passes (revoked
        codes do not count). Refusals (no seat free, over the limit) are shown as given."""
        for sponsor in queryset.select_related("tier__conference"):
            allowance = sponsor.tier.complimentary_passes
            if allowance == 0:
                messages.warning(
                    request, f"{sponsor}: the {sponsor.tier.name} tier gives no passes."
                )
                continue
            kind = (
                AttendanceKind.objects.filter(
                    conference_id=sponsor.tier.conference_id,
                    kind=AttendanceKind.Kind.IN_PERSON,
                )
                .order_by("order", "id")
                .first()
            )
            if kind is None:
                messages.error(
                    request,
                    f"{sponsor}: {sponsor.tier.conference} has no in-person attendance kind "
                    "yet; create it in Registration first.",
                )
                continue
            held = (
                ComplimentaryPass.objects.filter(sponsor=sponsor)
                .exclude(status=ComplimentaryPass.Status.REVOKED)
                .count()
            )
            missing = allowance - held
            if missing <= 0:
                messages.info(request, f"{sponsor} already has all {allowance} passes.")
                continue
            try:
                issued = pass_issue(kind=kind, sponsor=sponsor, count=missing, actor=request.user)
            except RegistrationError as error:
                messages.error(request, f"{sponsor}: {error}")
                continue
            codes = ", ".join(item.display_code for item in issued)
            messages.success(request, f"{sponsor}: issued {len(issued)} passes ({codes}).")
