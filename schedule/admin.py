"""The program in the admin: rooms, items (the timetable editor hangs off the items' admin),
and releases (read only: they are made by "Publish" in the editor)."""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.urls import path
from django.utils.html import format_html

from plumbers.admin_site import DeletesThroughService, ReadOnlyAdmin
from schedule import editor, selectors, services
from schedule.models import Item, PublishedSlot, Release, Room


class ServiceErrorsAsMessages:
    """A service refusal in a save or delete is shown as the admin's error message."""

    def _through_service(self, request, call) -> None:
        try:
            call()
        except services.ScheduleError as error:
            self.message_user(request, str(error), messages.ERROR)

    def delete_model(self, request, obj):
        self._through_service(request, lambda: self.delete_through_service(obj, request.user))


class ItemAdminForm(forms.ModelForm):
    class Meta:
        model = Item
        fields = ["conference", "kind", "title", "description"]

    def clean(self):
        data = super().clean()
        instance = self.instance
        sourced = instance.pk and (instance.proposal_id or instance.microconference_id)
        if not sourced and not (data.get("title") or "").strip():
            self.add_error("title", "A break, social event or other plain item needs a title.")
        return data


@admin.register(Room)
class RoomAdmin(ServiceErrorsAsMessages, DeletesThroughService, admin.ModelAdmin):
    list_display = ["name", "conference", "order", "capacity", "stream_url"]
    list_filter = ["conference"]
    list_editable = []
    search_fields = ["name"]
    ordering = ["conference", "order", "name"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_readonly_fields(self, request, obj=None):
        # A room stays in its edition: its items and published slots are there.
        return ["conference"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        self._through_service(request, lambda: services.room_save(room=obj, actor=request.user))

    def delete_through_service(self, obj, actor):
        services.room_delete(room=obj, actor=actor)


@admin.register(Item)
class ItemAdmin(ServiceErrorsAsMessages, DeletesThroughService, admin.ModelAdmin):
    change_list_template = "schedule/admin/item_change_list.html"
    form = ItemAdminForm
    list_display = ["__str__", "kind", "conference", "room", "starts_at", "guid"]
    list_filter = ["conference", "kind", "room"]
    search_fields = ["title", "proposal__title", "microconference__title", "guid"]
    list_select_related = ["room", "proposal", "microconference", "conference"]
    readonly_fields = [
        "guid",
        "proposal",
        "microconference",
        "room",
        "starts_at",
        "ends_at",
        "clash_accepted_reason",
        "editor_link",
    ]
    fields = [
        "conference",
        "kind",
        "title",
        "description",
        "guid",
        "proposal",
        "microconference",
        "room",
        "starts_at",
        "ends_at",
        "clash_accepted_reason",
        "editor_link",
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("conference")
        return fields

    def save_model(self, request, obj, form, change):
        self._through_service(request, lambda: services.item_save(item=obj, actor=request.user))

    def delete_through_service(self, obj, actor):
        services.item_delete(item=obj, actor=actor)

    @admin.display(description="timetable")
    def editor_link(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return format_html(
            '<a href="{}">Place or move it in the timetable editor</a>',
            editor.editor_url(obj.conference, item=selectors.item_key(obj)),
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "editor/",
                wrap(lambda request: editor.index_view(self, request)),
                name="schedule_item_editor_index",
            ),
            path(
                "editor/<slug:slug>/",
                wrap(lambda request, slug: editor.editor_view(self, request, slug)),
                name="schedule_item_editor",
            ),
            path(
                "editor/<slug:slug>/api/",
                wrap(lambda request, slug: editor.api_view(self, request, slug)),
                name="schedule_item_editor_api",
            ),
            *super().get_urls(),
        ]


class PublishedSlotInline(admin.TabularInline):
    model = PublishedSlot
    fields = ["title", "kind", "room", "starts_at", "ends_at", "guid"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    """Releases are made by "Publish" in the timetable editor and never edited."""

    list_display = ["version", "conference", "published_at", "published_by", "comment"]
    list_filter = ["conference"]
    list_select_related = ["conference", "published_by"]
    readonly_fields = [
        "conference",
        "number",
        "version",
        "published_at",
        "published_by",
        "comment",
        "changes",
    ]
    fields = readonly_fields
    inlines = [PublishedSlotInline]

    @admin.display(description="changes against the previous release")
    def changes(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        changes = selectors.changelog(obj)
        if not changes:
            return "No changes."
        return format_html(
            "<ul>{}</ul>",
            format_html(
                "".join("<li>{}: {}</li>" for _ in changes),
                *[value for c in changes for value in (c.label, c.title)],
            ),
        )
