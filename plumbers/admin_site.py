"""The organizers' admin site: Django's, plus the dashboard, one way to show times, and one
guard for hostile filter values.

The index shows the organizers' dashboard (plumbers/dashboard.py) of the current edition,
or of ``?edition=<slug>``; ``/admin/dashboard/<slug>/`` shows any edition's, and
``/admin/dashboard/<slug>/<chart>.csv`` downloads a chart's numbers. Organizers only.

Every date and time in the admin is shown, and every typed one read, in the current edition's
zone (``admin_zone``), named (plumbers.timefmt): admin views run with that zone active, and
every date-time picker (one kind everywhere: date and time boxes) says which zone it is.

A changelist applies whatever filter values the address carries; some cannot become SQL (a
year of 99999, a NUL byte on PostgreSQL, an integer beyond 64 bits) and raised a 500 from
deep inside the query, while those Django catches itself end on its "database error" page.
Both are answered with the unfiltered list and a message saying which filter was dropped.
"""

import contextvars
import datetime as dt
import logging
from functools import wraps

from django.contrib import admin, messages
from django.contrib.admin import helpers as admin_helpers
from django.contrib.admin import options as admin_options
from django.contrib.admin import utils as admin_utils
from django.contrib.admin import widgets as admin_widgets
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import PermissionDenied
from django.db import DataError, models, transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html

from plumbers.admin_labels import with_labelled_widgets
from plumbers.dashboard import build_dashboard
from plumbers.models import Conference
from plumbers.permissions import is_organizer
from plumbers.selectors import request_conference
from plumbers.timefmt import format_time, zone_label

logger = logging.getLogger(__name__)

UNUSABLE_FILTER = (ValueError, OverflowError, DataError)


def _is_filtered_changelist(request) -> bool:
    match = request.resolver_match
    return (
        request.method == "GET"
        and bool(request.GET)
        and match is not None
        and (match.url_name or "").endswith("_changelist")
    )


def _whole_list(request) -> HttpResponseRedirect:
    params = ", ".join(sorted(p for p in request.GET if p != ERROR_FLAG))
    messages.error(
        request,
        f"The filter or search in the address could not be applied ({params}), so the whole "
        "list is shown.",
    )
    return HttpResponseRedirect(request.path)


# --------------------------------------------------------------------------- admin times
#
# One zone for the whole admin: the current edition's (``admin_zone``). Admin views run with
# it active (``PlumbersAdminSite.admin_view``, rendering included), so Django's own form
# fields read typed times in it and its widgets show stored ones in it; every date and time
# the admin shows (list columns, read-only fields) is written the one way (plumbers.timefmt:
# "12 September 2022, 09:00 (Dublin time, UTC+1)"), whichever model it belongs to. Django
# formats those itself in ``display_for_field``; the site replaces that one function for
# date-times. The zone is read once per admin request, with the edition the page shows anyway.

_ADMIN_ZONE: contextvars.ContextVar = contextvars.ContextVar("plumbers_admin_zone", default=None)


def admin_zone(request=None) -> str:
    """The zone admin pages show and read times in: the current edition's (UTC when there is
    none). Within an admin view it is the one read for the request, with the edition the
    page's header shows (plumbers.selectors.request_conference: no query of its own)."""
    zone = _ADMIN_ZONE.get()
    if zone is None:
        conference = (
            request_conference(request) if request is not None else Conference.objects.current()
        )
        zone = conference.timezone if conference is not None else "UTC"
    return zone


_django_display_for_field = admin_utils.display_for_field


def display_for_field(value, field, empty_value_display, avoid_link=False):
    if (
        isinstance(field, models.DateTimeField)
        and isinstance(value, dt.datetime)
        and timezone.is_aware(value)
        and not getattr(field, "flatchoices", None)
    ):
        return format_time(value, admin_zone())
    return _django_display_for_field(value, field, empty_value_display, avoid_link)


admin_utils.display_for_field = display_for_field
admin_list.display_for_field = display_for_field
admin_helpers.display_for_field = display_for_field


def in_admin_zone(view):
    """``view`` run, and its response rendered, with the admin zone active."""

    @wraps(view)
    def zoned(request, *args, **kwargs):
        zone = admin_zone(request)
        token = _ADMIN_ZONE.set(zone)
        try:
            with timezone.override(zone):
                response = view(request, *args, **kwargs)
                if callable(getattr(response, "render", None)) and not response.is_rendered:
                    response.render()  # widgets and columns convert while the zone is active
        finally:
            _ADMIN_ZONE.reset(token)
        return response

    return zoned


class ZonedSplitDateTime(admin_widgets.AdminSplitDateTime):
    """The admin's date and time boxes (one picker, one format everywhere: the site's date
    input format and 24-hour HH:MM:SS), read in the active zone and saying which it is:
    "Dublin time, UTC+1" (the offset of the time shown, or of now when the boxes are empty)."""

    def render(self, name, value, attrs=None, renderer=None):
        zone = timezone.get_current_timezone()
        moment = value if isinstance(value, dt.datetime) and timezone.is_aware(value) else None
        return format_html(
            '{} <span class="help timezone-name">{}</span>',
            super().render(name, value, attrs, renderer),
            zone_label(moment or timezone.now(), zone),
        )


admin_options.FORMFIELD_FOR_DBFIELD_DEFAULTS[models.DateTimeField] = {
    **admin_options.FORMFIELD_FOR_DBFIELD_DEFAULTS[models.DateTimeField],
    "widget": ZonedSplitDateTime,
}


class PlumbersAdminSite(admin.AdminSite):
    site_header = "Plumbers organizers"
    site_title = "Plumbers admin"
    index_title = "Run the conference"
    index_template = "admin/dashboard_index.html"

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every admin page's controls carry their field's name (plumbers.admin_labels)."""
        super().register(model_or_iterable, with_labelled_widgets(admin_class), **options)

    # -- the dashboard (plumbers/dashboard.py): the index shows it for the current edition
    # (or ``?edition=<slug>``), /admin/dashboard/<slug>/ for any edition.

    def get_urls(self):
        return [
            path("dashboard/<slug:slug>/", self.admin_view(self.dashboard_view), name="dashboard"),
            path(
                "dashboard/<slug:slug>/<slug:chart>.csv",
                self.admin_view(self.dashboard_csv_view),
                name="dashboard_csv",
            ),
            *super().get_urls(),
        ]

    def _dashboard_context(self, request, conference) -> dict:
        return {
            "dashboard": build_dashboard(conference),
            "conference": conference,
            "editions": list(Conference.objects.order_by("-starts_on", "-pk")),
        }

    def index(self, request, extra_context=None):
        context = dict(extra_context or {})
        if is_organizer(request.user):
            slug = request.GET.get("edition", "")
            if slug:
                conference = Conference.objects.filter(slug=slug).first()
                if conference is None:
                    messages.error(
                        request, f"There is no edition {slug!r}; the current one is shown."
                    )
            if not slug or conference is None:
                conference = Conference.objects.current()
            context.update(self._dashboard_context(request, conference))
        return super().index(request, extra_context=context)

    def dashboard_view(self, request, slug):
        if not is_organizer(request.user):
            raise PermissionDenied
        conference = get_object_or_404(Conference, slug=slug)
        context = {
            **self.each_context(request),
            **self._dashboard_context(request, conference),
            "title": f"Dashboard of {conference}",
        }
        return TemplateResponse(request, "admin/dashboard_page.html", context)

    def dashboard_csv_view(self, request, slug, chart):
        if not is_organizer(request.user):
            raise PermissionDenied
        conference = get_object_or_404(Conference, slug=slug)
        found = build_dashboard(conference).chart(chart)
        if found is None:
            raise Http404("No such chart.")
        response = HttpResponse(found.csv(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{conference.slug}-{chart}.csv"'
        return response

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(in_admin_zone(view), cacheable)

        @wraps(view)
        def refusing_unusable_filters(request, *args, **kwargs):
            try:
                response = guarded(request, *args, **kwargs)
            except UNUSABLE_FILTER as exc:
                if not _is_filtered_changelist(request):
                    raise
                logger.info("Unusable changelist filter on %s: %s", request.path, exc)
                return _whole_list(request)
            if _is_filtered_changelist(request) and response.get("Location", "").endswith(
                f"?{ERROR_FLAG}=1"
            ):
                return _whole_list(request)  # Django refused the lookup itself
            return response

        return refusing_unusable_filters


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records that are written by the site and never edited by hand (the audit log, the
    mail log, published releases): listed and shown, never added, changed or deleted."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeletesThroughService:
    """Deleting in the admin, one object or a selection, goes through the app's audited
    delete service (``delete_through_service``), all in one transaction."""

    def delete_through_service(self, obj, actor) -> None:
        raise NotImplementedError

    def delete_model(self, request, obj):
        self.delete_through_service(obj, request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_through_service(obj, request.user)
