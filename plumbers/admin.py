"""The core's admin, and the guard on every admin page that changes how an account logs in.

allauth registers its email-address admin on the default site; it is registered again here,
guarded, so ``allauth.account.admin`` is imported first (later autodiscovery finds it loaded).
"""

import allauth.account.admin as allauth_account_admin
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode

from plumbers import mail_admin, services
from plumbers.admin_site import DeletesThroughService, ReadOnlyAdmin
from plumbers.models import Announcement, AuditLog, Conference, User
from plumbers.permissions import groups_within, outranking_accounts, outranks


class AccountGuardMixin:
    """An admin of something that authenticates an account (the account itself, its email
    addresses): an account that outranks the person at the keyboard is not listed, not
    changeable, not deletable, not reachable by an action, and not a valid target of a new
    object. ``account_of(obj)`` names the account an object authenticates, and
    ``account_lookup`` the same path in a query."""

    account_lookup = "pk"

    def account_of(self, obj):
        raise NotImplementedError

    def _guarded(self, request, obj) -> bool:
        return obj is not None and outranks(self.account_of(obj), request.user)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.exclude(**{f"{self.account_lookup}__in": outranking_accounts(request.user)})

    def has_change_permission(self, request, obj=None):
        if self._guarded(request, obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._guarded(request, obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if self._guarded(request, obj):
            raise PermissionDenied("That account has permissions beyond yours.")
        super().save_model(request, obj, form, change)


@admin.register(User)
class UserAdmin(AccountGuardMixin, BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "affiliation", "is_staff", "is_active"]
    search_fields = ["email", "display_name", "affiliation"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("display_name", "affiliation")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
        ("Mail", {"fields": ("mail_log",)}),
    )
    readonly_fields = ["mail_log"]

    @admin.display(description="mails to this person")
    def mail_log(self, obj):
        if obj is None or not obj.pk:
            return "—"
        url = reverse("admin:plumbers_sentmail_changelist") + "?" + urlencode({"q": obj.email})
        return format_html('<a href="{}">The mail log of {}</a>', url, obj.email)

    def account_of(self, obj):
        return obj

    def get_readonly_fields(self, request, obj=None):
        """Only a superuser makes or unmakes superusers: organizers manage people, but must
        not be able to lift themselves (or anyone) above the Organizers role."""
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ["is_superuser", "user_permissions"]
        return readonly

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        """Groups on offer: only those granting nothing beyond the person's own permissions."""
        if db_field.name == "groups":
            kwargs["queryset"] = groups_within(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    add_fieldsets = (
        (
            None,
            {"classes": ("wide",), "fields": ("email", "display_name", "password1", "password2")},
        ),
    )


@admin.register(Conference)
class ConferenceAdmin(DeletesThroughService, admin.ModelAdmin):
    list_display = ["name", "slug", "starts_on", "ends_on", "city", "timezone", "is_current"]
    list_filter = ["is_current"]
    search_fields = ["name", "city", "venue"]
    prepopulated_fields = {"slug": ["year"]}

    def save_model(self, request, obj, form, change):
        services.conference_save(conference=obj, actor=request.user)

    def delete_through_service(self, obj, actor):
        services.conference_delete(conference=obj, actor=actor)


@admin.register(Announcement)
class AnnouncementAdmin(DeletesThroughService, admin.ModelAdmin):
    list_display = ["title", "conference", "published_at", "author"]
    list_filter = ["conference"]
    search_fields = ["title", "body"]
    prepopulated_fields = {"slug": ["title"]}
    date_hierarchy = "published_at"
    autocomplete_fields = ["author"]

    def save_model(self, request, obj, form, change):
        services.announcement_save(announcement=obj, actor=request.user)  # signs new posts

    def delete_through_service(self, obj, actor):
        services.announcement_delete(announcement=obj, actor=actor)


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "object_repr", "from_state", "to_state", "actor"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "reason", "actor__email"]
    date_hierarchy = "at"


admin.site.unregister(EmailAddress)


@admin.register(EmailAddress)
class EmailAddressAdmin(AccountGuardMixin, allauth_account_admin.EmailAddressAdmin):
    account_lookup = "user"

    def get_form(self, request, obj=None, **kwargs):
        """A new address for an account that outranks the person is refused with a message."""
        base = super().get_form(request, obj, **kwargs)

        class GuardedEmailAddressForm(base):
            def clean_user(form):
                account = form.cleaned_data.get("user")
                if outranks(account, request.user):
                    raise ValidationError(
                        "This account has permissions beyond yours: only someone with at "
                        "least its permissions can change its email addresses."
                    )
                return account

        return GuardedEmailAddressForm

    def account_of(self, obj):
        return obj.user if obj.user_id else None

    def make_verified(self, request, queryset):
        super().make_verified(request, self.get_queryset(request).filter(pk__in=queryset))

    make_verified.short_description = "Mark selected email addresses as verified"


mail_admin.register(admin.site)
