from django.contrib import admin, messages

from plumbers.admin_site import DeletesThroughService
from registration import services
from registration.models import PriorityRule, Registration


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = [
        "user",
        "email",
        "kind",
        "status_now",
        "joined_at",
        "offer_expires_at",
        "manual_bonus",
        "created_at",
    ]
    list_filter = ["kind__conference", "kind", "status"]
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
        "joined_at",
        "offered_at",
        "offer_expires_at",
        "confirmed_at",
        "ended_at",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [f for f in fields if f != "manual_bonus"]

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
