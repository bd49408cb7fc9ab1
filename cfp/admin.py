"""Organizers' CFP admin. Deadlines move only through the "Extend deadline" action and
decisions only through the accept/reject actions: both call the services, so the rules,
the audit log and the mails are the same as in the triage area. Every other save and delete
goes through a service too, so each change an organizer makes here is on the audit record."""

import zoneinfo

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone

from cfp import late_codes, services
from cfp.forms import ExtendDeadlineForm
from cfp.models import Conflict, DeadlineExtension, LateSubmissionCode, Proposal, Review, Track
from cfp.phases import fill_default_phases
from cfp.services import CfpError
from plumbers.admin_site import DeletesThroughService


class DeadlineExtensionInline(admin.TabularInline):
    model = DeadlineExtension
    extra = 0
    can_delete = False
    fields = ["previous", "new", "reason", "extended_by", "at", "announcement"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Track)
class TrackAdmin(DeletesThroughService, admin.ModelAdmin):
    list_display = [
        "name",
        "conference",
        "kind",
        "opens_at",
        "deadline",
        "deadline_policy",
        "sequence",
    ]
    list_filter = ["conference", "kind", "deadline_policy"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["reviewers", "chairs"]
    inlines = [DeadlineExtensionInline]
    actions = ["extend_deadline"]
    list_select_related = ["conference"]
    # Its "Extend deadline" button opens the audited action below for this track.
    change_form_template = "cfp/admin/track_change_form.html"

    def get_readonly_fields(self, request, obj=None):
        # Once a track exists its deadline moves only through the recorded extension
        # (track_save refuses any other move).
        if obj is not None:
            return ["deadline", "sequence"]
        return ["sequence"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # Review depth (issue 14): K may be left empty (the default) on the add form.
        if "min_reviews" in form.base_fields:
            form.base_fields["min_reviews"].required = False
        return form

    def save_model(self, request, obj, form, change):
        # Review depth (issue 14): phases default from the deadline on a new track.
        if obj.min_reviews is None:
            obj.min_reviews = Track._meta.get_field("min_reviews").default
        if not change:
            fill_default_phases(obj)
        services.track_save(
            track=obj,
            actor=request.user,
            reviewers=form.cleaned_data.get("reviewers"),
            chairs=form.cleaned_data.get("chairs"),
        )

    def save_related(self, request, form, formsets, change):
        # The committee was set by track_save (audited); the extensions inline is read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_through_service(self, obj, actor):
        services.track_delete(track=obj, actor=actor)

    @admin.action(description="Extend deadline")
    def extend_deadline(self, request, queryset):
        tracks = list(queryset.select_related("conference").order_by("pk"))
        zones = {t.conference.timezone for t in tracks}
        if len(zones) > 1:
            self.message_user(
                request,
                "Select tracks of editions in one time zone at a time.",
                level=messages.ERROR,
            )
            return None
        tz = zoneinfo.ZoneInfo(zones.pop())
        if "apply" in request.POST:
            with timezone.override(tz):
                form = ExtendDeadlineForm(request.POST)
                valid = form.is_valid()
            if valid:
                for track in tracks:
                    try:
                        services.track_extend_deadline(
                            track=track,
                            new_deadline=form.cleaned_data["new_deadline"],
                            reason=form.cleaned_data["reason"],
                            actor=request.user,
                            publish_announcement=form.cleaned_data["publish_announcement"],
                        )
                    except CfpError as exc:
                        self.message_user(request, str(exc), level=messages.ERROR)
                    else:
                        self.message_user(
                            request,
                            f"The deadline of {track.name} was extended.",
                            level=messages.SUCCESS,
                        )
                return None
        else:
            latest = max(t.deadline for t in tracks)
            with timezone.override(tz):
                form = ExtendDeadlineForm(initial={"new_deadline": timezone.localtime(latest, tz)})
        context = {
            **self.admin_site.each_context(request),
            "title": "Extend deadline",
            "tracks": tracks,
            "form": form,
            "opts": self.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "media": self.media + form.media,
        }
        response = TemplateResponse(request, "cfp/admin/extend_deadline.html", context)
        with timezone.override(tz):  # the boxes show and name the tracks' edition's zone
            return response.render()


def _decide(modeladmin, request, queryset, decision):
    try:
        changed = services.proposal_decide(
            proposals=list(queryset), decision=decision, actor=request.user
        )
    except CfpError as exc:
        modeladmin.message_user(request, str(exc), level=messages.ERROR)
    else:
        modeladmin.message_user(
            request,
            f"{len(changed)} proposal{'s' if len(changed) != 1 else ''} {decision}; "
            "the speakers were mailed.",
            level=messages.SUCCESS,
        )


@admin.register(Proposal)
class ProposalAdmin(DeletesThroughService, admin.ModelAdmin):
    list_display = ["title", "track", "submitter", "state", "created_at", "decided_at"]
    list_filter = ["track__conference", "track", "state"]
    search_fields = ["title", "abstract", "submitter__email", "submitter__display_name"]
    list_select_related = ["track", "track__conference", "submitter"]
    autocomplete_fields = ["submitter", "co_speakers"]
    readonly_fields = ["state", "created_at", "updated_at", "decided_at", "microconference"]
    actions = ["accept", "reject"]
    date_hierarchy = "created_at"

    @admin.action(description="Accept selected proposals (mails the speakers)")
    def accept(self, request, queryset):
        _decide(self, request, queryset, Proposal.State.ACCEPTED)

    @admin.action(description="Reject selected proposals (mails the speakers)")
    def reject(self, request, queryset):
        _decide(self, request, queryset, Proposal.State.REJECTED)

    def save_model(self, request, obj, form, change):
        services.proposal_save(
            proposal=obj, actor=request.user, co_speakers=form.cleaned_data.get("co_speakers")
        )

    def save_related(self, request, form, formsets, change):
        # The co-speakers were set by proposal_save (audited).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def delete_through_service(self, obj, actor):
        services.proposal_delete(proposal=obj, actor=actor)


@admin.register(Review)
class ReviewAdmin(DeletesThroughService, admin.ModelAdmin):
    """Reviews are written by reviewers in the triage area; organizers only read them."""

    list_display = ["proposal", "reviewer", "score", "confidence", "updated_at"]
    list_filter = ["proposal__track__conference", "proposal__track", "score"]
    search_fields = ["proposal__title", "reviewer__email", "reviewer__display_name", "comment"]
    list_select_related = ["proposal", "reviewer"]
    readonly_fields = ["proposal", "reviewer", "score", "confidence", "comment", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_through_service(self, obj, actor):
        services.review_delete(review=obj, actor=actor)


@admin.register(Conflict)
class ConflictAdmin(DeletesThroughService, admin.ModelAdmin):
    list_display = ["reviewer", "proposal", "reason", "declared_at"]
    list_filter = ["proposal__track"]
    search_fields = ["proposal__title", "reviewer__email", "reviewer__display_name"]
    list_select_related = ["proposal", "reviewer"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_through_service(self, obj, actor):
        services.conflict_delete(conflict=obj, actor=actor)


class LateSubmissionCodeForm(forms.ModelForm):
    class Meta:
        model = LateSubmissionCode
        fields = ["track", "email", "max_uses", "expires_at", "reason"]

    def clean_expires_at(self):
        value = self.cleaned_data["expires_at"]
        if value is not None and value <= timezone.now():
            raise forms.ValidationError("The code must be valid until a moment in the future.")
        return value


@admin.register(LateSubmissionCode)
class LateSubmissionCodeAdmin(DeletesThroughService, admin.ModelAdmin):
    """Issued here or by a chair in the triage area (cfp.late_codes): never edited afterwards
    (a code is revoked by deleting it, on the record, and a new one issued)."""

    form = LateSubmissionCodeForm
    list_display = ["email", "track", "code", "uses", "max_uses", "expires_at", "issued_by"]
    list_filter = ["track__conference", "track"]
    search_fields = ["email", "code", "track__name"]
    list_select_related = ["track", "issued_by"]
    readonly_fields = ["code", "uses", "issued_by", "created_at"]

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        code = late_codes.late_code_issue(
            track=obj.track,
            email=obj.email,
            max_uses=obj.max_uses,
            expires_at=obj.expires_at,
            reason=obj.reason,
            actor=request.user,
        )
        obj.pk, obj.code, obj.issued_by, obj.created_at = (
            code.pk,
            code.code,
            code.issued_by,
            code.created_at,
        )
        obj._state.adding = False

    def delete_through_service(self, obj, actor):
        late_codes.late_code_revoke(code=obj, actor=actor)
