"""Request ids: every log line of a request carries the same id, and the response returns it
so a user's error report can be matched with the server's log."""

import contextvars
import logging
import re
import uuid

from plumbers.errors import bad_request

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_VALID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
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
