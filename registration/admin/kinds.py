from django.contrib import admin, messages
from django.urls import path, reverse
from django.utils.html import format_html

from plumbers.admin_site import DeletesThroughService
from registration import exports, selectors, services
from registration.admin.common import csv_response, intermediate
from registration.admin.waitlist import WaitlistPages, capacity_message
from registration.forms import CapacityForm, OfferNextForm
from registration.models import AttendanceKind


@admin.register(AttendanceKind)
class AttendanceKindAdmin(WaitlistPages, DeletesThroughService, admin.ModelAdmin):
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
        return selectors.with_seat_counts(
            super().get_queryset(request).select_related("conference")
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields.append("capacity")  # changed only by the audited "Set capacity" action
        return fields

    def save_model(self, request, obj, form, change):
        if change:
            services.attendance_kind_update(kind=obj, actor=request.user)
        else:
            services.attendance_kind_create(kind=obj, actor=request.user)

    def delete_through_service(self, obj, actor):
        services.attendance_kind_delete(kind=obj, actor=actor)

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
        left = selectors.KindSummary.of(obj).seats_left
        return "—" if left is None else left

    @admin.display(description="waitlist and exports")
    def links(self, obj):
        return format_html(
            '<a href="{}">Waitlist</a> · <a href="{}">Set capacity</a> · '
            '<a href="{}">Attendees CSV</a> · <a href="{}">Waitlist CSV</a>',
            reverse("admin:registration_attendancekind_waitlist", args=[obj.pk]),
            reverse("admin:registration_attendancekind_capacity", args=[obj.pk]),
            reverse("admin:registration_attendancekind_attendees_csv", args=[obj.pk]),
            reverse("admin:registration_attendancekind_waitlist_csv", args=[obj.pk]),
        )

    @admin.display(description="capacity and waitlist")
    def summary(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        s = selectors.seat_summary(kind=obj)
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
            *self.waitlist_urls(),
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

    def attendees_csv_view(self, request, pk):
        kind = self._kind(request, pk)
        rows = exports.attendee_rows(kinds=[kind])
        return csv_response(exports.csv_lines(rows), f"attendees-{kind.conference.slug}.csv")

    def waitlist_csv_view(self, request, pk):
        kind = self._kind(request, pk)
        rows = exports.waitlist_rows(kinds=[kind])
        return csv_response(exports.csv_lines(rows), f"waitlist-{kind.conference.slug}.csv")

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
        return intermediate(
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
                    change = services.attendance_kind_change_capacity(
                        kind=kind,
                        capacity=form.cleaned_data["capacity"],
                        actor=request.user,
                        offer_now=kind.auto_offer,
                        reason=form.cleaned_data["reason"],
                    )
                except services.RegistrationError as exc:
                    self.message_user(request, f"{kind}: {exc}", messages.ERROR)
                else:
                    self.message_user(
                        request, f"New capacity set. {capacity_message(change)}", messages.SUCCESS
                    )
            return None
        return intermediate(
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
        return csv_response(exports.csv_lines(rows), "attendees.csv")

    @admin.action(description="Export waitlist with rank and score (CSV)")
    def export_waitlist(self, request, queryset):
        rows = exports.waitlist_rows(kinds=list(queryset))
        return csv_response(exports.csv_lines(rows), "waitlist.csv")
