"""The organizers' capacity and waitlist pages of an attendance kind: the seat ledger, the
open offers with their expiry, the ranked waitlist, and the actions on them (set capacity
and offer the freed seats, offer the next N, extend or withdraw an offer). Every action calls
an audited service; every refusal is a message on the page, nothing typed is lost."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from plumbers.timefmt import format_time
from registration import selectors, services
from registration.admin.forms import (
    CapacityPageForm,
    ExtendOfferForm,
    OfferCountForm,
    WithdrawOfferForm,
)
from registration.models import AttendanceKind, Registration

S = Registration.Status


def _people(registrations) -> str:
    return ", ".join(f"{r.user} <{r.user.email}>" for r in registrations)


def _seats_text(free, waiting) -> str:
    free_text = (
        "no limit on seats" if free is None else f"{free} seat{'s' if free != 1 else ''} free"
    )
    return f"{free_text}, {waiting} waiting"


def capacity_message(change: services.CapacityChange) -> str:
    """What a capacity change did, in a sentence: who got offers, or plainly why nobody."""
    kind = change.kind
    before = "no limit" if change.before is None else change.before
    after = "no limit" if change.after is None else change.after
    text = f"{kind}: capacity {before} → {after}. "
    if change.offered:
        expiry = format_time(change.offered[0].offer_expires_at, kind.conference.timezone)
        n = len(change.offered)
        text += (
            f"Offered {n} seat{'s' if n != 1 else ''} to {_people(change.offered)} "
            f"(held until {expiry}). "
        )
    else:
        text += f"No offers made: {change.no_offer_reason}. "
    return text + f"Now {_seats_text(change.free, change.waiting)}."


class WaitlistPages:
    """Mixed into AttendanceKindAdmin: the capacity and waitlist pages and their actions."""

    def waitlist_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:pk>/waitlist/",
                wrap(self.waitlist_view),
                name="registration_attendancekind_waitlist",
            ),
            path(
                "<int:pk>/capacity/",
                wrap(self.capacity_view),
                name="registration_attendancekind_capacity",
            ),
            path(
                "<int:pk>/waitlist/offer/",
                wrap(self.offer_next_view),
                name="registration_attendancekind_offer_next",
            ),
            path(
                "<int:pk>/offers/<int:registration>/extend/",
                wrap(self.offer_extend_view),
                name="registration_attendancekind_offer_extend",
            ),
            path(
                "<int:pk>/offers/<int:registration>/withdraw/",
                wrap(self.offer_withdraw_view),
                name="registration_attendancekind_offer_withdraw",
            ),
        ]

    def _kind(self, request, pk, *, change=False):
        kind = get_object_or_404(AttendanceKind.objects.select_related("conference"), pk=pk)
        allowed = (
            self.has_change_permission(request, kind)
            if change
            else self.has_view_permission(request, kind)
        )
        if not allowed:
            raise PermissionDenied
        return kind

    def _offer(self, kind, registration_id):
        return get_object_or_404(
            Registration.objects.select_related("user"), pk=registration_id, kind=kind
        )

    def _page(self, request, template, kind, title, **context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "title": title,
                "kind": kind,
                "conference": kind.conference,
                "summary": selectors.seat_summary(kind=kind),
                "opts": self.model._meta,
                **context,
            },
        )

    def _to_waitlist(self, kind):
        return redirect(reverse("admin:registration_attendancekind_waitlist", args=[kind.pk]))

    # -- pages

    def waitlist_view(self, request, pk):
        kind = self._kind(request, pk)
        summary = selectors.seat_summary(kind=kind)
        offers = list(
            Registration.objects.filter(kind=kind, status=S.OFFERED)
            .select_related("user")
            .order_by("offer_expires_at", "id")
        )
        free = summary.seats_left
        suggested = summary.waitlisted if free is None else min(free, summary.waitlisted)
        return self._page(
            request,
            "registration/admin/waitlist.html",
            kind,
            f"Waitlist of {kind}",
            entries=selectors.waitlist_ranking(kind=kind),
            offers=offers,
            offer_form=OfferCountForm(initial={"count": max(suggested, 1)}),
            extend_form=ExtendOfferForm(),
            withdraw_form=WithdrawOfferForm(),
            can_change=self.has_change_permission(request, kind),
        )

    def capacity_view(self, request, pk):
        kind = self._kind(request, pk, change=True)
        form = CapacityPageForm(
            request.POST if request.method == "POST" else None,
            initial={"capacity": kind.capacity, "unlimited": kind.capacity is None},
        )
        if form.is_bound and form.is_valid():
            try:
                change = services.attendance_kind_change_capacity(
                    kind=kind,
                    capacity=form.cleaned_data["capacity"],
                    actor=request.user,
                    offer_now=form.cleaned_data["offer_now"],
                    reason=form.cleaned_data["reason"],
                )
            except services.RegistrationError as exc:
                form.add_error(None, str(exc))
            else:
                level = messages.SUCCESS if change.offered else messages.WARNING
                if not change.offered and change.no_offer_reason == "nobody is waiting":
                    level = messages.SUCCESS
                self.message_user(request, capacity_message(change), level)
                return self._to_waitlist(kind)
        return self._page(
            request,
            "registration/admin/capacity.html",
            kind,
            f"Set capacity of {kind}",
            form=form,
        )

    def offer_next_view(self, request, pk):
        kind = self._kind(request, pk, change=True)
        form = OfferCountForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                offered = services.waitlist_offer_next(
                    kind=kind, count=form.cleaned_data["count"], actor=request.user
                )
            except services.RegistrationError as exc:
                form.add_error(None, str(exc))
            else:
                summary = selectors.seat_summary(kind=kind)
                n = len(offered)
                expiry = (
                    format_time(offered[0].offer_expires_at, kind.conference.timezone)
                    if offered
                    else ""
                )
                self.message_user(
                    request,
                    f"{kind}: offered {n} place{'s' if n != 1 else ''} to {_people(offered)} "
                    f"(held until {expiry}). Now "
                    f"{_seats_text(summary.seats_left, summary.waitlisted)}.",
                    messages.SUCCESS,
                )
                return self._to_waitlist(kind)
        return self._page(
            request,
            "registration/admin/offer_action.html",
            kind,
            f"Offer the next places of {kind}",
            form=form,
            action_url=reverse("admin:registration_attendancekind_offer_next", args=[kind.pk]),
            button="Offer places",
            intro="The next people on the waitlist, in priority order, get an offer that "
            "holds a seat until it expires. At most the free seats are offered.",
        )

    def offer_extend_view(self, request, pk, registration):
        kind = self._kind(request, pk, change=True)
        offer = self._offer(kind, registration)
        form = ExtendOfferForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                reg = services.offer_extend(
                    registration=offer,
                    hours=form.cleaned_data["hours"],
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except services.RegistrationError as exc:
                form.add_error(None, str(exc))
            else:
                expiry = format_time(reg.offer_expires_at, kind.conference.timezone)
                self.message_user(
                    request,
                    f"The offer to {reg.user} is now held until {expiry}; they were mailed.",
                    messages.SUCCESS,
                )
                return self._to_waitlist(kind)
        return self._page(
            request,
            "registration/admin/offer_action.html",
            kind,
            f"Extend the offer to {offer.user}",
            form=form,
            offer=offer,
            action_url=reverse(
                "admin:registration_attendancekind_offer_extend", args=[kind.pk, offer.pk]
            ),
            button="Extend offer",
            intro="The offer's expiry moves later by the hours given; the person is mailed.",
        )

    def offer_withdraw_view(self, request, pk, registration):
        kind = self._kind(request, pk, change=True)
        offer = self._offer(kind, registration)
        form = WithdrawOfferForm(request.POST if request.method == "POST" else None)
        if form.is_bound and form.is_valid():
            try:
                reg = services.offer_withdraw(
                    registration=offer, actor=request.user, reason=form.cleaned_data["reason"]
                )
            except services.RegistrationError as exc:
                form.add_error(None, str(exc))
            else:
                summary = selectors.seat_summary(kind=kind)
                self.message_user(
                    request,
                    f"The offer to {reg.user} was withdrawn; they are back on the waitlist and "
                    f"were mailed. Now {_seats_text(summary.seats_left, summary.waitlisted)}: "
                    "offer the free seats when you choose.",
                    messages.SUCCESS,
                )
                return self._to_waitlist(kind)
        return self._page(
            request,
            "registration/admin/offer_action.html",
            kind,
            f"Withdraw the offer to {offer.user}",
            form=form,
            offer=offer,
            action_url=reverse(
                "admin:registration_attendancekind_offer_withdraw", args=[kind.pk, offer.pk]
            ),
            button="Withdraw offer",
            intro="The person goes back to the waitlist with the place they had, and is "
            "mailed the reason. The seat is free; it is not offered on by itself.",
        )
