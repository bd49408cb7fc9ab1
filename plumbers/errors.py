"""Error pages that never read the request body.

Django's default error views are wrapped in ``requires_csrf_token``, which runs the CSRF
check and so parses the body: a POST carrying a malformed multipart body (no boundary) to
an unknown URL turned its 404 into a 500. These render the same templates from the request's
headers alone; the CSRF token the templates show comes from the cookie, not the body.
"""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render
from django.template import loader

# Seconds a client should wait before trying again while the database is away.
RETRY_AFTER_SECONDS = 30


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    """The reason a view gave (``PermissionDenied("Only its leads ...")``) is shown."""
    message = str(exception) if exception is not None else ""
    return render(request, "403.html", {"exception": message}, status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    """500, or 503 with Retry-After when the database is away (a restart, a failover): the
    request may succeed in a moment, and Django reconnects by itself on the next request.
    Both pages render without the request's context, which would query the database."""
    if isinstance(sys.exc_info()[1], OperationalError | InterfaceError):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponse(loader.render_to_string("500.html"), status=500)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
