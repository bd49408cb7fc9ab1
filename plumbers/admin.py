from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from plumbers.models import Announcement, AuditLog, Conference, User

admin.site.site_header = "Plumbers organizers"
admin.site.site_title = "Plumbers admin"
admin.site.index_title = "Run the conference"


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "affiliation", "is_staff", "is_active"]
    search_fields = ["email", "display_name", "affiliation"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "affiliation")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )

    def get_readonly_fields(self, request, obj=None):
        """Only a superuser makes or unmakes superusers: organizers manage people, but must
        not be able to lift themselves (or anyone) above the Organizers role."""
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "display_name", "password1", "password2")},
        ),
    )


@admin.register(Conference)
class ConferenceAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "starts_on", "ends_on", "city", "timezone", "is_current"]
    list_filter = ["is_current"]
    search_fields = ["name", "city", "venue"]
    prepopulated_fields = {"slug": ["year"]}


@admin.register(Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ["title", "conference", "published_at", "author"]
    list_filter = ["conference"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    autocomplete_fields = ["author"]

    def save_model(self, request, obj, form, change):
        if not change and obj.author_id is None:
            obj.author = request.user
        super().save_model(request, obj, form, change)


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["at", "action", "object_repr", "from_state", "to_state", "actor"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "reason", "actor__email"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
