"""The middleware stack does per request only what depends on the request (issue 16): the
Content-Security-Policy header is built when the server starts, the message storage is made
only when a view or template uses messages, and neither changes what a visitor gets."""

import pytest
from django.contrib import messages
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import empty

from plumbers import middleware
from plumbers.middleware import ContentSecurityPolicyMiddleware, LazyMessageMiddleware

pytestmark = pytest.mark.django_db


def test_csp_header_is_built_once_when_the_server_starts(client, monkeypatch):
    client.get("/ping")  # the handler (and its middleware) is made on the first request
    builds = []
    monkeypatch.setattr(middleware, "build_policy", lambda *a, **kw: builds.append(1) or "")

    first = client.get("/ping")["Content-Security-Policy"]
    second = client.get("/news/")["Content-Security-Policy"]

    assert builds == []
    assert first == second
    assert "default-src 'self'" in first and "script-src 'self'" in first
    assert "unsafe-inline" not in first


def test_csp_header_keeps_a_header_the_view_set():
    own = "default-src 'none'"

    def view(request):
        response = HttpResponse("x")
        response["Content-Security-Policy"] = own
        return response

    response = ContentSecurityPolicyMiddleware(view)(RequestFactory().get("/x"))

    assert response["Content-Security-Policy"] == own


def _with_session(request):
    from django.contrib.sessions.backends.db import SessionStore

    request.session = SessionStore()
    return request


def test_messages_storage_is_not_made_for_a_request_that_never_uses_it():
    request = _with_session(RequestFactory().get("/ping"))

    response = LazyMessageMiddleware(lambda r: HttpResponse("ok"))(request)

    assert request._messages._wrapped is empty  # never made
    assert "messages" not in response.cookies


def test_messages_added_by_a_view_reach_the_next_page(client, user):
    def view(request):
        messages.success(request, "Your registration is confirmed.")
        return HttpResponse("ok")

    request = _with_session(RequestFactory().post("/x"))
    response = LazyMessageMiddleware(view)(request)

    assert "messages" in response.cookies
    client.cookies["messages"] = response.cookies["messages"].value
    client.force_login(user)
    page = client.get("/news/")
    assert "Your registration is confirmed." in page.content.decode()
