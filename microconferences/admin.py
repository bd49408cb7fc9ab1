"""Organizers edit an MC with its headings and topics inline, in order.

Every save goes through the services the leads' editing page uses, so an organizer's change
is checked and audited exactly like a lead's: the MC itself (``microconference_save``; its
status only through the Accept / Decline actions), each added, renamed, moved or deleted
heading and topic, and the new order.

The inline rows show an "Order" box that is *not* the model's ``order`` column: the database
keeps orders unique within a heading, and those constraints cannot be deferred, so saving
rows one by one with swapped numbers would fail half-way. Instead the rows are saved first
(a new or moved row goes last in its heading), then each heading's topics (and the
headings) are renumbered in the order the organizer asked for, by the same two-phase reorder
services."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import F

from microconferences import services
from microconferences.models import Microconference, Topic, TopicGroup
from plumbers.admin_site import DeletesThroughService


class PositionForm(forms.ModelForm):
    position = forms.IntegerField(
        label="Order",
        required=False,
        min_value=0,
        help_text="Lower numbers come first. Empty: at the end.",
        widget=forms.NumberInput(attrs={"style": "width: 5em"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["position"].initial = self.instance.order


class TopicGroupInline(admin.TabularInline):
    model = TopicGroup
    form = PositionForm
    fields = ["title", "position"]
    ordering = ["order", "pk"]
    extra = 1
    verbose_name = "heading"
    verbose_name_plural = "headings (save once before putting topics under a new heading)"


class TopicInline(admin.TabularInline):
    model = Topic
    form = PositionForm
    fields = ["group", "title", "position"]
    ordering = [F("group__order").asc(nulls_first=True), "order", "pk"]
    extra = 3

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "group":
            # Only this MC's headings; none while the MC is being added.
            object_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = TopicGroup.objects.filter(
                microconference_id=object_id if object_id else None
            ).order_by("order", "pk")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Microconference)
class MicroconferenceAdmin(DeletesThroughService, admin.ModelAdmin):
    list_display = ["title", "conference", "status", "order", "complimentary_passes"]
    list_filter = ["conference", "status"]
    list_select_related = ["conference"]
    search_fields = ["title", "slug", "summary", "leads__display_name", "leads__email"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["leads"]
    inlines = [TopicGroupInline, TopicInline]
    actions = ["accept_selected", "decline_selected"]
    # The status changes only through the Accept / Decline actions (audited services).
    readonly_fields = ["status"]
    fields = [
        "conference",
        "title",
        "slug",
        "status",
        "summary",
        "description",
        "leads",
        "order",
        "complimentary_passes",
    ]

    @admin.action(description="Accept the selected microconferences")
    def accept_selected(self, request, queryset):
        self._decide(request, queryset, services.microconference_accept, "accepted")

    @admin.action(description="Decline the selected microconferences")
    def decline_selected(self, request, queryset):
        self._decide(request, queryset, services.microconference_decline, "declined")

    def _decide(self, request, queryset, service, verb):
        done = 0
        for mc in queryset:
            try:
                service(microconference=mc, actor=request.user, reason="Admin action")
            except services.MicroconferenceError as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                f"{done} microconference{'s' if done != 1 else ''} {verb}.",
                messages.SUCCESS,
            )

    def save_model(self, request, obj, form, change):
        services.microconference_save(
            microconference=obj, actor=request.user, leads=form.cleaned_data.get("leads")
        )

    def save_related(self, request, form, formsets, change):
        # The leads were set by microconference_save (audited): only the inlines are left.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_through_service(self, obj, actor):
        services.microconference_delete(microconference=obj, actor=actor)

    def save_formset(self, request, form, formset, change):
        if formset.model not in (TopicGroup, Topic):
            return super().save_formset(request, form, formset, change)
        mc = form.instance
        # Writes nothing: lists the added, changed and deleted rows for the admin's history.
        formset.save(commit=False)
        with transaction.atomic():
            if formset.model is TopicGroup:
                wanted = self._save_groups(request, mc, formset)
            else:
                wanted = self._save_topics(request, mc, formset)
            self._apply_positions(request, mc, formset.model, wanted)

    @staticmethod
    def _position(row) -> tuple[bool, int]:
        """Sort key of the typed "Order" (rows with no number go last)."""
        position = row.cleaned_data.get("position")
        return (position is None, position or 0)

    def _rows(self, formset):
        """(row, instance, deleted) for every row the organizer filled in or already had;
        the instance already carries what was typed (the form was validated)."""
        deleted = set(formset.deleted_forms)
        for row in formset.forms:
            obj = row.instance
            if obj.pk is None and (row in deleted or not row.has_changed()):
                continue  # an extra row left empty, or added and deleted at once
            yield row, obj, row in deleted

    def _save_groups(self, request, mc, formset) -> dict:
        wanted = {}
        for row, group, deleted in self._rows(formset):
            if deleted:
                services.topic_group_delete(group=group, actor=request.user)
                continue
            if group.pk is None:
                group = services.topic_group_create(
                    microconference=mc, title=group.title, actor=request.user
                )
            elif row.has_changed():
                services.topic_group_update(group=group, title=group.title, actor=request.user)
            wanted[group.pk] = self._position(row)
        return wanted

    def _save_topics(self, request, mc, formset) -> dict:
        # Topics of a heading deleted above went with it (the leads' page does the same).
        groups = set(TopicGroup.objects.filter(microconference=mc).values_list("pk", flat=True))
        topics = set(Topic.objects.filter(microconference=mc).values_list("pk", flat=True))
        wanted = {}
        for row, topic, deleted in self._rows(formset):
            if topic.pk is not None and topic.pk not in topics:
                continue
            if deleted:
                services.topic_delete(topic=topic, actor=request.user)
                continue
            if topic.group_id is not None and topic.group_id not in groups:
                continue
            if topic.pk is None:
                topic = services.topic_create(
                    microconference=mc, title=topic.title, group=topic.group, actor=request.user
                )
            elif row.has_changed():
                services.topic_update(
                    topic=topic, title=topic.title, group=topic.group, actor=request.user
                )
            wanted[topic.pk] = self._position(row)
        return wanted

    def _apply_positions(self, request, mc, model, wanted):
        """Renumber each scope in the order the organizer typed (ties keep the current
        order, rows with no number go last)."""

        def sort_key(obj):
            return (*wanted.get(obj.pk, (True, 0)), obj.order, obj.pk)

        if model is TopicGroup:
            groups = sorted(TopicGroup.objects.filter(microconference=mc), key=sort_key)
            services.topic_group_reorder(
                microconference=mc, group_ids=[g.pk for g in groups], actor=request.user
            )
            return
        scopes: dict[int | None, list[Topic]] = {}
        for topic in Topic.objects.filter(microconference=mc):
            scopes.setdefault(topic.group_id, []).append(topic)
        groups = {g.pk: g for g in TopicGroup.objects.filter(microconference=mc)}
        for group_id, topics in scopes.items():
            services.topic_reorder(
                microconference=mc,
                group=groups.get(group_id),
                topic_ids=[t.pk for t in sorted(topics, key=sort_key)],
                actor=request.user,
            )
