"""A shared cache for public pages seen by anonymous visitors.

Public pages (home, news, microconferences, CFP, sponsors) are the same for every anonymous
visitor, so their rendered responses are cached in the shared cache (Redis in production)
under a key that includes a *content version*. Any save or delete of a model in the public
apps bumps the version, so a change is visible on the next request on every server; entries
also expire after ``PUBLIC_PAGE_TTL`` seconds because some content changes with time alone
(a scheduled post goes live, a deadline passes).

Never cached: logged-in users, anyone with a session cookie (they may have flash messages or
per-user content), non-GET requests, responses that set cookies or are not 200.

A page declares the query parameters it reads (``@public_page(reads=("page",))``); the view
sees only those and the cache key holds only those, so ``/?x=<random>`` is the same cached
page as ``/`` and nobody can force a fresh render per request by varying the address.
"""

import functools
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import QueryDict
from django.utils.cache import patch_vary_headers

VERSION_KEY = "public-pages:version"
PUBLIC_PAGE_TTL = 30
PUBLIC_APP_LABELS = {"plumbers", "microconferences", "cfp", "registration", "sponsors"}
# Not shown on public pages, or shown only as a count that may lag by PUBLIC_PAGE_TTL
# (registration status on the home page): a registration rush must not empty the cache
# on every registration.
NOT_CONTENT = {
    ("plumbers", "auditlog"),
    ("registration", "registration"),
    ("registration", "complimentarypass"),
}


def content_version() -> int:
    """The current content version. A cache that lost it (flushed, restarted) starts again
    from the clock, never from a number it has used: processes keep fragments of earlier
    versions in memory (plumbers/fragments.py), which must not come back."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns() // 1000, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def bump_content_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, time.time_ns() // 1000, timeout=None)


def _on_model_change(sender, **kwargs):
    meta = getattr(sender, "_meta", None)
    if meta is None or meta.app_label not in PUBLIC_APP_LABELS:
        return
    if (meta.app_label, meta.model_name) in NOT_CONTENT:
        return
    if kwargs.get("update_fields") and set(kwargs["update_fields"]) <= {"last_login"}:
        return  # a login, not content
    if (meta.app_label, meta.model_name) == ("plumbers", "user") and kwargs.get("created"):
        return  # a signup: nobody new is on a public page until they are linked to content
    content_changed()


def _bump_after_commit() -> None:
    bump_content_version()


def content_changed() -> None:
    """Public content changed: bump the version now, and once more when the transaction
    commits (a request between the first bump and the commit read the old rows and may have
    cached them under the new version). For changes that send no model signal (bulk
    updates) and those outside the public apps that public pages show (a release)."""
    bump_content_version()
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        return  # autocommit: the change is committed already
    if any(func is _bump_after_commit for _, func, _ in connection.run_on_commit):
        return  # once per transaction, however many rows it saves
    transaction.on_commit(_bump_after_commit)


def connect_signals() -> None:
    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_on_model_change, dispatch_uid=f"pagecache-{signal!r}")


def _cacheable_request(request) -> bool:
    return (
        settings.PLUMBERS_PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def _only_read_params(request, reads: tuple[str, ...]) -> str:
    """Keep the declared parameters in ``request.GET`` (first value each, in declared order)
    and return them as the canonical query string of the cache key."""
    kept = [(name, request.GET[name]) for name in reads if name in request.GET]
    query = urlencode(kept)
    request.GET = QueryDict(query)
    return query


def public_page(view=None, *, reads: tuple[str, ...] = ()):
    """Serve the view from the shared cache for anonymous visitors. ``reads`` names the query
    parameters the view uses; every other parameter is dropped before the view runs."""
    if view is None:
        return functools.partial(public_page, reads=reads)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        query = _only_read_params(request, reads)
        if not _cacheable_request(request):
            response = view(request, *args, **kwargs)
            patch_vary_headers(response, ["Cookie"])
            return response
        key = f"public-pages:{content_version()}:{request.path}?{query}"
        cached = cache.get(key)
        if cached is not None:
            return cached
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        patch_vary_headers(response, ["Cookie"])
        if response.status_code == 200 and not response.cookies and not response.streaming:
            cache.set(key, response, PUBLIC_PAGE_TTL)
        return response

    return wrapper
