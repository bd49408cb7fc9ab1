"""The organizers' admin site: Django's, plus one guard for hostile filter values.

A changelist applies whatever filter values the address carries; some cannot become SQL (a
year of 99999, a NUL byte on PostgreSQL, an integer beyond 64 bits) and raised a 500 from
deep inside the query, while those Django catches itself end on its "database error" page.
Both are answered with the unfiltered list and a message saying which filter was dropped.
"""

import logging
from functools import wraps

from django.contrib import admin, messages
from django.contrib.admin.views.main import ERROR_FLAG
from django.db import DataError, transaction
from django.http import HttpResponseRedirect

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


class PlumbersAdminSite(admin.AdminSite):
    site_header = "Plumbers organizers"
    site_title = "Plumbers admin"
    index_title = "Run the conference"

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

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
