"""Organizers edit an MC with its headings and topics inline, in order.

The inline rows show an "Order" box that is *not* the model's ``order`` column: the database
keeps orders unique within a heading, and those constraints cannot be deferred, so saving
rows one by one with swapped numbers would fail half-way. Instead the rows are saved first,
then each heading's topics (and the headings) are renumbered in the order the organizer
asked for, by the same reorder services the leads' page uses (two-phase, audited)."""

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import F, Max

from microconferences import services
from microconferences.models import Microconference, Topic, TopicGroup


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
class MicroconferenceAdmin(admin.ModelAdmin):
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

    def save_formset(self, request, form, formset, change):
        if formset.model not in (TopicGroup, Topic):
            return super().save_formset(request, form, formset, change)
        mc = form.instance
        with transaction.atomic():
            model = formset.model
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                obj.delete()
            # Park every new or changed row above all existing orders of this MC: it cannot
            # collide there, whatever heading it moved to.
            top = model.objects.filter(microconference=mc).aggregate(m=Max("order"))["m"] or 0
            for index, obj in enumerate(instances):
                obj.order = top + 1 + index
                obj.save()
            formset.save_m2m()
            self._apply_positions(request, mc, formset)

    def _apply_positions(self, request, mc, formset):
        """Renumber each scope in the order the organizer typed (ties keep the old order,
        rows with no number go last)."""
        wanted = {}
        for row in formset.forms:
            obj = row.instance
            if obj.pk is None or row in formset.deleted_forms:
                continue
            position = row.cleaned_data.get("position") if hasattr(row, "cleaned_data") else None
            wanted[obj.pk] = (position is None, position or 0)

        def sort_key(obj):
            return (*wanted.get(obj.pk, (True, 0)), obj.order, obj.pk)

        if formset.model is TopicGroup:
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
