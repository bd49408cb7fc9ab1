from django.contrib import admin
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse

from plumbers.timefmt import format_time


def edition_time(field: str, description: str, zone_path: str):
    """An admin column / read-only field showing ``field`` in the edition's time zone, named
    ("12 September 2022, 09:00 (Dublin time, UTC+1)"), sortable by the field.
    ``zone_path`` is the attribute path to the edition's zone, e.g.
    ``kind__conference__timezone``."""

    @admin.display(description=description, ordering=field)
    def show(self, obj):
        value = getattr(obj, field, None)
        if value is None:
            return "—"
        zone = obj
        for part in zone_path.split("__"):
            zone = getattr(zone, part)
        return format_time(value, zone)

    return show


def csv_response(lines, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def intermediate(modeladmin, request, queryset, *, form, title, action, button, intro=""):
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
