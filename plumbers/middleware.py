"""Request ids: every log line of a request carries the same id, and the response returns it
so a user's error report can be matched with the server's log."""

import contextvars
import logging
import os
import re

from csp.constants import HEADER as CSP_HEADER
from csp.utils import build_policy
from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.utils.functional import SimpleLazyObject, empty

from plumbers.errors import bad_request

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # META, not request.headers (which builds a dict of every header on first use), and
        # 16 random bytes in hex (what uuid4().hex is, without building a UUID object).
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if incoming and _VALID.match(incoming) else os.urandom(16).hex()
        # Not reset when the response leaves this middleware: Django logs 4xx/5xx responses
        # after the middleware chain returns, and those lines must carry the id too. The
        # next request on this thread sets its own id first.
        _request_id.set(request_id)
        request.request_id = request_id
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class RejectNulMiddleware:
    """A NUL character in the address is never meaningful, and PostgreSQL refuses it in any
    query ("A string literal cannot contain NUL"), which turned such a request into a 500
    wherever a path or query value reached the database. It is answered with a 400 before
    any view runs. (Form fields refuse NUL themselves, with a message.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
            return bad_request(request)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """The Content-Security-Policy header, built once from ``CONTENT_SECURITY_POLICY`` when
    the server starts (django-csp's middleware rebuilt the same string on every response).
    The site uses no nonces and no per-view policies: every page gets the one policy, unless
    a response already carries its own header."""

    def __init__(self, get_response):
        self.get_response = get_response
        config = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
        self.header = build_policy()  # from CONTENT_SECURITY_POLICY, as django-csp does
        self.exclude = tuple(config.get("EXCLUDE_URL_PREFIXES", None) or ())

    def __call__(self, request):
        response = self.get_response(request)
        if (
            self.header
            and CSP_HEADER not in response
            and not getattr(response, "_csp_exempt", False)
            and not (self.exclude and request.path_info.startswith(self.exclude))
        ):
            response[CSP_HEADER] = self.header
        return response


class LazyMessageMiddleware(MessageMiddleware):
    """Django's messages, with the storage made on first use: most requests (assets-free
    pings, posts that redirect without a message, cached pages) never touch it, and making
    it (a cookie storage and a session storage) was a sizable share of a bare request."""

    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response  # never read nor added to: nothing to store
        return super().process_response(request, response)
