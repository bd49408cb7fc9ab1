from django.contrib import admin
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse


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
