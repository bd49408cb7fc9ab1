import datetime as dt

from django.contrib import admin, messages
from django.db.models import Q
from django.utils import timezone

from plumbers.admin_site import DeletesThroughService
from registration import services
from registration.admin.common import edition_time
from registration.models import PriorityRule, Registration

S = Registration.Status


class OfferFilter(admin.SimpleListFilter):
    """Offers by where they stand now (the dashboard's offer numbers link here)."""

    title = "offer"
    parameter_name = "offer"

    def lookups(self, request, model_admin):
        return [
            ("pending", "Pending"),
            ("expiring", "Expiring within 24 h"),
            ("accepted", "Accepted"),
            ("expired", "Expired"),
        ]

    def queryset(self, request, queryset):
        now = timezone.now()
        value = self.value()
        if value == "pending":
            return queryset.filter(status=S.OFFERED, offer_expires_at__gt=now)
        if value == "expiring":
            return queryset.filter(
                status=S.OFFERED,
                offer_expires_at__gt=now,
                offer_expires_at__lte=now + dt.timedelta(hours=24),
            )
        if value == "accepted":
            return queryset.filter(status=S.CONFIRMED, offered_at__isnull=False)
        if value == "expired":
            return queryset.filter(
                Q(status=S.EXPIRED) | Q(status=S.OFFERED, offer_expires_at__lte=now)
            )
        return queryset


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "email",
        "kind",
        "status_now",
        "joined",
        "offer_expires",
        "manual_bonus",
        "created",
    ]
    list_filter = ["kind__conference", "kind", "status", OfferFilter]
    search_fields = ["user__email", "user__display_name", "user__affiliation", "reason"]
    list_select_related = ["user", "kind__conference"]
    date_hierarchy = "created_at"
    actions = ["cancel_registrations"]
    fields = [
        "user",
        "kind",
        "status",
        "reason",
        "manual_bonus",
        "joined",
        "offered",
        "offer_expires",
        "confirmed",
        "ended",
        "created",
        "updated",
    ]
    readonly_fields = [f for f in fields if f != "manual_bonus"]

    joined = edition_time("joined_at", "joined the waitlist", "kind__conference__timezone")
    offered = edition_time("offered_at", "offered", "kind__conference__timezone")
    offer_expires = edition_time("offer_expires_at", "offer expires", "kind__conference__timezone")
    confirmed = edition_time("confirmed_at", "confirmed", "kind__conference__timezone")
    ended = edition_time("ended_at", "ended", "kind__conference__timezone")
    created = edition_time("created_at", "created", "kind__conference__timezone")
    updated = edition_time("updated_at", "updated", "kind__conference__timezone")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="email", ordering="user__email")
    def email(self, obj):
        return obj.user.email

    @admin.display(description="status", ordering="status")
    def status_now(self, obj):
        return obj.get_effective_status_display()

    def save_model(self, request, obj, form, change):
        if "manual_bonus" in form.changed_data:
            services.registration_set_bonus(
                registration=obj, bonus=form.cleaned_data["manual_bonus"], actor=request.user
            )

    @admin.action(description="Cancel selected registrations")
    def cancel_registrations(self, request, queryset):
        done = 0
        for reg in queryset:
            try:
                services.registration_cancel(
                    registration=reg, actor=request.user, reason="Cancelled by the organizers."
                )
                done += 1
            except services.RegistrationError as exc:
                self.message_user(request, f"{reg}: {exc}", messages.WARNING)
        self.message_user(request, f"{done} registration(s) cancelled.")


@admin.register(PriorityRule)
class PriorityRuleAdmin(DeletesThroughService, admin.ModelAdmin):
    list_display = ["kind", "conference", "weight", "order", "enabled"]
    list_editable = ["weight", "order", "enabled"]
    list_filter = ["conference", "enabled"]

    def save_model(self, request, obj, form, change):
        services.priority_rule_save(rule=obj, actor=request.user)

    def delete_through_service(self, obj, actor):
        services.priority_rule_delete(rule=obj, actor=actor)
