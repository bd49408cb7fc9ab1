"""Organizers' side of registration. Every state change goes through the services: the
admin shows states read-only and offers actions (offer the next N places, set capacity,
cancel, revoke) that call them."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Now
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from plumbers.audit import audit_record
from registration import exports, selectors, services
from registration.forms import CapacityForm, IssuePassesForm, OfferNextForm, RevokeForm
from registration.models import AttendanceKind, ComplimentaryPass, PriorityRule, Registration

S = Registration.Status


def _csv_response(lines, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _intermediate(modeladmin, request, queryset, *, form, title, action, button, intro=""):
    """The confirmation page of an admin action that needs input (Django's own pattern)."""
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "objects": queryset,
        "action": action,
        "button": button,
        "intro": intro,
        "opts": modeladmin.model._meta,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "registration/admin/action_form.html", context)


@admin.register(AttendanceKind)
class AttendanceKindAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "conference",
        "kind",
        "capacity_display",
        "confirmed_n",
        "offered_n",
        "passes_n",
        "waitlisted_n",
        "seats_left",
        "auto_offer",
        "links",
    ]
    list_filter = ["conference", "kind", "auto_offer"]
    search_fields = ["name", "conference__name"]
    actions = [
        "offer_next_places",
        "set_capacity",
        "expire_lapsed_offers",
        "export_attendees",
        "export_waitlist",
    ]
    readonly_fields = ["summary"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("conference")
            .annotate(
                confirmed_n=Count(
                    "registrations", filter=Q(registrations__status=S.CONFIRMED), distinct=True
                ),
                offered_n=Count(
                    "registrations",
                    filter=Q(
                        registrations__status=S.OFFERED,
                        registrations__offer_expires_at__gt=Now(),
                    ),
                    distinct=True,
                ),
                waitlisted_n=Count(
                    "registrations", filter=Q(registrations__status=S.WAITLISTED), distinct=True
                ),
                passes_n=Count(
                    "complimentary_passes",
                    filter=Q(complimentary_passes__status=ComplimentaryPass.Status.ISSUED),
                    distinct=True,
                ),
            )
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("capacity")  # changed only by the audited "Set capacity" action
        return fields

    @admin.display(description="capacity", ordering="capacity")
    def capacity_display(self, obj):
        return "no limit" if obj.capacity is None else obj.capacity

    @admin.display(description="confirmed", ordering="confirmed_n")
    def confirmed_n(self, obj):
        return obj.confirmed_n

    @admin.display(description="offered", ordering="offered_n")
    def offered_n(self, obj):
        return obj.offered_n

    @admin.display(description="passes held", ordering="passes_n")
    def passes_n(self, obj):
        return obj.passes_n

    @admin.display(description="waitlisted", ordering="waitlisted_n")
    def waitlisted_n(self, obj):
        return obj.waitlisted_n

    @admin.display(description="seats left")
    def seats_left(self, obj):
        if obj.capacity is None:
            return "—"
        return max(obj.capacity - obj.confirmed_n - obj.offered_n - obj.passes_n, 0)

    @admin.display(description="waitlist and exports")
    def links(self, obj):
        return format_html(
            '<a href="{}">Waitlist</a> · <a href="{}">Attendees CSV</a> · '
            '<a href="{}">Waitlist CSV</a>',
            reverse("admin:registration_attendancekind_waitlist", args=[obj.pk]),
            reverse("admin:registration_attendancekind_attendees_csv", args=[obj.pk]),
            reverse("admin:registration_attendancekind_waitlist_csv", args=[obj.pk]),
        )

    @admin.display(description="capacity and waitlist")
    def summary(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        (s,) = selectors.kind_summaries(kinds=[obj])
        left = "no limit" if s.seats_left is None else s.seats_left
        return format_html(
            "Capacity {}: {} confirmed, {} offered, {} held by passes, {} seats left; "
            "{} on the waitlist. {}",
            "no limit" if obj.capacity is None else obj.capacity,
            s.confirmed,
            s.offered,
            s.passes_held,
            left,
            s.waitlisted,
            self.links(obj),
        )

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/waitlist/",
                wrap(self.waitlist_view),
                name="registration_attendancekind_waitlist",
            ),
            path(
                "<int:pk>/attendees.csv",
                wrap(self.attendees_csv_view),
                name="registration_attendancekind_attendees_csv",
            ),
            path(
                "<int:pk>/waitlist.csv",
                wrap(self.waitlist_csv_view),
                name="registration_attendancekind_waitlist_csv",
            ),
            *super().get_urls(),
        ]

    def _kind(self, request, pk):
        kind = get_object_or_404(AttendanceKind.objects.select_related("conference"), pk=pk)
        if not self.has_view_permission(request, kind):
            raise PermissionDenied
        return kind

    def waitlist_view(self, request, pk):
        kind = self._kind(request, pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Waitlist of {kind}",
            "kind": kind,
            "entries": selectors.waitlist_ranking(kind=kind),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "registration/admin/waitlist.html", context)

    def attendees_csv_view(self, request, pk):
        kind = self._kind(request, pk)
        rows = exports.attendee_rows(kinds=[kind])
        return _csv_response(exports.csv_lines(rows), f"attendees-{kind.conference.slug}.csv")

    def waitlist_csv_view(self, request, pk):
        kind = self._kind(request, pk)
        rows = exports.waitlist_rows(kinds=[kind])
        return _csv_response(exports.csv_lines(rows), f"waitlist-{kind.conference.slug}.csv")

    @admin.action(description="Offer the next N places")
    def offer_next_places(self, request, queryset):
        form = OfferNextForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            for kind in queryset:
                try:
                    offered = services.waitlist_offer_next(
                        kind=kind, count=form.cleaned_data["count"], actor=request.user
                    )
                except services.RegistrationError as exc:
                    self.message_user(request, f"{kind}: {exc}", messages.ERROR)
                else:
                    self.message_user(
                        request,
                        f"{kind}: offered {len(offered)} place{'s' if len(offered) != 1 else ''}"
                        + (f" to {', '.join(str(r.user) for r in offered)}." if offered else "."),
                        messages.SUCCESS,
                    )
            return None
        return _intermediate(
            self,
            request,
            queryset,
            form=form,
            title="Offer the next places",
            action="offer_next_places",
            button="Offer places",
            intro="The next people on the waitlist, in priority order, get an offer that holds "
            "a seat until it expires. At most the free seats are offered.",
        )

    @admin.action(description="Set capacity")
    def set_capacity(self, request, queryset):
        form = CapacityForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            for kind in queryset:
                try:
                    services.attendance_kind_set_capacity(
                        kind=kind,
                        capacity=form.cleaned_data["capacity"],
                        actor=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                except services.RegistrationError as exc:
                    self.message_user(request, f"{kind}: {exc}", messages.ERROR)
                else:
                    self.message_user(request, f"{kind}: capacity set.", messages.SUCCESS)
            return None
        return _intermediate(
            self,
            request,
            queryset,
            form=form,
            title="Set capacity",
            action="set_capacity",
            button="Set capacity",
            intro="The capacity cannot go below the seats in use. With auto-offer on, new "
            "seats are offered to the waitlist at once.",
        )

    @admin.action(description="Expire lapsed offers now")
    def expire_lapsed_offers(self, request, queryset):
        total = sum(services.offer_expire_lapsed(kind=k, actor=request.user) for k in queryset)
        self.message_user(request, f"{total} lapsed offer(s) expired; their seats were offered on.")

    @admin.action(description="Export attendees (CSV)")
    def export_attendees(self, request, queryset):
        rows = exports.attendee_rows(kinds=list(queryset))
        return _csv_response(exports.csv_lines(rows), "attendees.csv")

    @admin.action(description="Export waitlist with rank and score (CSV)")
    def export_waitlist(self, request, queryset):
        rows = exports.waitlist_rows(kinds=list(queryset))
        return _csv_response(exports.csv_lines(rows), "waitlist.csv")


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
class PriorityRuleAdmin(admin.ModelAdmin):
    list_display = ["kind", "conference", "weight", "order", "enabled"]
    list_editable = ["weight", "order", "enabled"]
    list_filter = ["conference", "enabled"]

    @staticmethod
    def _state(rule: PriorityRule) -> str:
        return f"weight {rule.weight}, order {rule.order}, {'on' if rule.enabled else 'off'}"

    def save_model(self, request, obj, form, change):
        """A weight change reorders the whole waitlist: record who changed it and how."""
        before = ""
        if change and obj.pk:
            previous = PriorityRule.objects.filter(pk=obj.pk).first()
            before = self._state(previous) if previous else ""
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit_record(
                obj=obj,
                action="priority_rule_change" if change else "priority_rule_add",
                actor=request.user,
                from_state=before,
                to_state=self._state(obj),
            )

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_record(
                obj=obj,
                action="priority_rule_delete",
                actor=request.user,
                from_state=self._state(obj),
            )
            super().delete_model(request, obj)


class IssuerFilter(admin.SimpleListFilter):
    title = "issuer"
    parameter_name = "issuer"

    def lookups(self, request, model_admin):
        return [("sponsor", "Sponsors"), ("microconference", "Microconferences")]

    def queryset(self, request, queryset):
        if self.value() == "sponsor":
            return queryset.filter(sponsor__isnull=False)
        if self.value() == "microconference":
            return queryset.filter(microconference__isnull=False)
        return queryset


@admin.register(ComplimentaryPass)
class ComplimentaryPassAdmin(admin.ModelAdmin):
    list_display = [
        "display_code",
        "kind",
        "issuer_display",
        "status",
        "redeemed_by",
        "issued_at",
        "redeemed_at",
        "revoked_at",
    ]
    list_filter = ["kind", "status", IssuerFilter, "sponsor", "microconference"]
    search_fields = [
        "code",
        "redeemed_registration__user__email",
        "redeemed_registration__user__display_name",
        "sponsor__name",
        "microconference__title",
    ]
    list_select_related = [
        "kind__conference",
        "sponsor",
        "microconference",
        "redeemed_registration__user",
    ]
    readonly_fields = [
        "display_code",
        "kind",
        "sponsor",
        "microconference",
        "status",
        "redeemed_by",
        "issued_by",
        "issued_at",
        "redeemed_at",
        "revoked_at",
        "revoke_reason",
    ]
    fields = readonly_fields
    actions = ["revoke"]
    change_list_template = "registration/admin/pass_change_list.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        normalized = services.normalize_code(search_term)
        queryset, distinct = super().get_search_results(request, queryset, search_term)
        if normalized and normalized != search_term:
            queryset |= self.model.objects.filter(code=normalized)
        return queryset, distinct

    @admin.display(description="code", ordering="code")
    def display_code(self, obj):
        return obj.display_code

    @admin.display(description="issuer")
    def issuer_display(self, obj):
        return obj.issuer

    @admin.display(description="redeemed by")
    def redeemed_by(self, obj):
        reg = obj.redeemed_registration
        return f"{reg.user} <{reg.user.email}>" if reg else "—"

    def get_urls(self):
        return [
            path(
                "issue/",
                self.admin_site.admin_view(self.issue_view),
                name="registration_complimentarypass_issue",
            ),
            *super().get_urls(),
        ]

    def issue_view(self, request):
        if not self.has_view_permission(request) or not request.user.has_perm(
            "registration.change_complimentarypass"
        ):
            raise PermissionDenied
        form = IssuePassesForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                passes = services.pass_issue(
                    kind=data["kind"],
                    sponsor=data["sponsor"],
                    microconference=data["microconference"],
                    count=data["count"],
                    actor=request.user,
                )
            except services.RegistrationError as exc:
                form.add_error(None, str(exc))
            else:
                self.message_user(
                    request,
                    "Issued: " + ", ".join(p.display_code for p in passes),
                    messages.SUCCESS,
                )
                return redirect("admin:registration_complimentarypass_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Issue complimentary passes",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "registration/admin/issue_passes.html", context)

    @admin.action(description="Revoke selected passes")
    def revoke(self, request, queryset):
        form = RevokeForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid():
            done = 0
            for item in queryset:
                try:
                    services.pass_revoke(
                        pass_=item, actor=request.user, reason=form.cleaned_data["reason"]
                    )
                    done += 1
                except services.RegistrationError as exc:
                    self.message_user(request, str(exc), messages.WARNING)
            self.message_user(request, f"{done} pass(es) revoked; their seats are free.")
            return None
        return _intermediate(
            self,
            request,
            queryset,
            form=form,
            title="Revoke passes",
            action="revoke",
            button="Revoke",
            intro="Revoked codes cannot be redeemed; their seats are freed.",
        )
