"""Error pages that never read the request body.

Django's default error views are wrapped in ``requires_csrf_token``, which runs the CSRF
check and so parses the body: a POST carrying a malformed multipart body (no boundary) to
an unknown URL turned its 404 into a 500. These render the same templates from the request's
headers alone; the CSRF token the templates show comes from the cookie, not the body.
"""

from django.shortcuts import render


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)
