from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from microconferences.models import Microconference
from registration import selectors, services
from registration.admin.common import edition_time, intermediate
from registration.forms import IssuePassesForm, RevokeForm
from registration.models import ComplimentaryPass
from sponsors.models import Sponsor


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


class PassChangeForm(forms.ModelForm):
    """An issued pass's page revokes it: give the reason and save."""

    class Meta:
        model = ComplimentaryPass
        fields = ["revoke_reason"]
        widgets = {"revoke_reason": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("revoke_reason")
        if field is not None:  # editable on an issued pass only
            field.label = "Revoke with this reason"
            field.help_text = (
                "To revoke this pass, say why and save: the code can no longer be redeemed "
                "and its seat is freed. Leave empty to keep the pass."
            )


def _issuer_from_query(request) -> selectors.PassIssuer | None:
    """The issuer named by ``?sponsor=<id>`` or ``?microconference=<id>`` (the links on the
    sponsor and microconference pages)."""
    sponsor_id = request.GET.get("sponsor", "")
    mc_id = request.GET.get("microconference", "")
    if sponsor_id.isdigit():
        sponsor = Sponsor.objects.select_related("tier__conference").filter(pk=sponsor_id).first()
        return selectors.PassIssuer(sponsor=sponsor) if sponsor else None
    if mc_id.isdigit():
        mc = Microconference.objects.select_related("conference").filter(pk=mc_id).first()
        return selectors.PassIssuer(microconference=mc) if mc else None
    return None


@admin.register(ComplimentaryPass)
class ComplimentaryPassAdmin(admin.ModelAdmin):
    list_display = [
        "display_code",
        "kind",
        "issuer_display",
        "status",
        "redeemed_by",
        "issued",
        "redeemed",
        "revoked",
    ]
    list_filter = ["kind__conference", "kind", "status", IssuerFilter, "sponsor", "microconference"]
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
        "issued",
        "redeemed",
        "revoked",
        "revoke_reason",
    ]
    fields = readonly_fields
    issued = edition_time("issued_at", "issued", "kind__conference__timezone")
    redeemed = edition_time("redeemed_at", "redeemed", "kind__conference__timezone")
    revoked = edition_time("revoked_at", "revoked", "kind__conference__timezone")
    form = PassChangeForm
    actions = ["revoke"]
    change_list_template = "registration/admin/pass_change_list.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status == ComplimentaryPass.Status.ISSUED:
            fields.remove("revoke_reason")
        return fields

    def save_model(self, request, obj, form, change):
        """Nothing of a pass is saved from its form: revoking is the one change, and it goes
        through the service (the seat is freed and offered on, the change audited)."""
        reason = (form.cleaned_data.get("revoke_reason") or "").strip()
        if "revoke_reason" not in form.changed_data or not reason:
            return
        try:
            services.pass_revoke(pass_=obj, actor=request.user, reason=reason)
        except services.RegistrationError as exc:
            self.message_user(request, str(exc), messages.ERROR)

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

    def _issue_initial(self, request) -> dict:
        """For a link from a sponsor's or a microconference's page: that issuer, its
        edition's in-person kind and the passes it may still give out (topping it up to its
        allowance), or why there is nothing to issue."""
        issuer = _issuer_from_query(request)
        if issuer is None:
            return {}
        initial = {"sponsor": issuer.sponsor, "microconference": issuer.microconference}
        kind = selectors.in_person_kind(conference=issuer.conference)
        if kind is None:
            self.message_user(
                request,
                f"{issuer}: {issuer.conference} has no in-person attendance kind yet; create "
                "it in Registration first.",
                messages.ERROR,
            )
        else:
            initial["kind"] = kind
        allowance, given = issuer.allowance, issuer.given()
        if allowance == 0:
            self.message_user(request, f"{issuer} may give out no passes.", messages.WARNING)
        elif given >= allowance:
            self.message_user(request, f"{issuer} already has all {allowance} passes.")
        else:
            initial["count"] = allowance - given
        return initial

    def issue_view(self, request):
        """The one place passes are issued, for a sponsor or a microconference."""
        if not self.has_view_permission(request) or not request.user.has_perm(
            "registration.change_complimentarypass"
        ):
            raise PermissionDenied
        if request.method == "POST":
            form = IssuePassesForm(request.POST)
        else:
            form = IssuePassesForm(initial=self._issue_initial(request))
        if form.is_bound and form.is_valid():
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
                issuer = data["sponsor"] or data["microconference"]
                self.message_user(
                    request,
                    f"Issued {len(passes)} pass{'es' if len(passes) != 1 else ''} for {issuer}: "
                    + ", ".join(p.display_code for p in passes),
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
        return intermediate(
            self,
            request,
            queryset,
            form=form,
            title="Revoke passes",
            action="revoke",
            button="Revoke",
            intro="Revoked codes cannot be redeemed; their seats are freed.",
        )
