"""A sponsor's and a microconference's passes, shown on their own admin pages.

Sponsors and microconferences are lower layers and may not know that passes exist, so this
app adds the inline to their registered admins. The inline is for reading only: its rows are
never posted back (issuing and revoking are done on the pass pages, through the services),
so the lower apps' forms post exactly what they did without it.
"""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.http import urlencode

from microconferences.models import Microconference
from registration.admin.common import edition_time
from registration.models import ComplimentaryPass
from sponsors.models import Sponsor


class PassesFormSet(BaseInlineFormSet):
    """Unbound whatever was posted, valid, and saving nothing."""

    def __init__(self, data=None, files=None, **kwargs):
        super().__init__(None, None, **kwargs)
        self.new_objects, self.changed_objects, self.deleted_objects = [], [], []

    def is_valid(self):
        return True

    def save(self, commit=True):
        return []

    @property
    def issue_url(self) -> str:
        if self.instance is None or self.instance.pk is None:
            return ""
        query = urlencode({self.fk.name: self.instance.pk})
        return f"{reverse('admin:registration_complimentarypass_issue')}?{query}"


class PassesInline(admin.TabularInline):
    """The issuer's codes and who redeemed them, with a link to issue more."""

    model = ComplimentaryPass
    formset = PassesFormSet
    template = "registration/admin/passes_inline.html"
    verbose_name = "complimentary pass"
    verbose_name_plural = "complimentary passes"
    fields = ["pass_code", "kind", "status", "redeemed_by", "issued", "redeemed"]
    readonly_fields = fields
    issued = edition_time("issued_at", "issued", "kind__conference__timezone")
    redeemed = edition_time("redeemed_at", "redeemed", "kind__conference__timezone")
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("kind__conference", "redeemed_registration__user")
        )

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="code")
    def pass_code(self, item):
        return item.display_code

    @admin.display(description="redeemed by")
    def redeemed_by(self, item):
        registration = item.redeemed_registration
        return str(registration.user) if registration else "—"


class SponsorPassesInline(PassesInline):
    fk_name = "sponsor"


class MicroconferencePassesInline(PassesInline):
    fk_name = "microconference"


def show_inline(model, inline, site=admin.site) -> None:
    """Add ``inline`` to the admin ``site`` already has for ``model`` (the lower apps' admin
    modules are imported first: INSTALLED_APPS lists them first)."""
    if not site.is_registered(model):
        return
    model_admin = site.get_model_admin(model)
    if inline not in model_admin.inlines:
        model_admin.inlines = [*model_admin.inlines, inline]


show_inline(Sponsor, SponsorPassesInline)
show_inline(Microconference, MicroconferencePassesInline)
