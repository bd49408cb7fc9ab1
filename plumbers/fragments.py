"""Shared fragments: the parts of a page that are the same for everybody who sees them at one
content version (a microconference's topics, the CFP's key dates, a reviewer-independent
row), rendered once and then served from the shared cache, signed in or not.

The page cache (plumbers/pagecache.py) serves whole pages, but only to anonymous visitors;
everybody signed in, which is everybody during a registration rush, used to get every page
rendered from scratch. A fragment's key holds the content version, so any change to public
content is visible on the next request, and what changes with time alone (a deadline
passing, a post going live, a seat count) lags at most ``PUBLIC_PAGE_TTL`` seconds, as it
does for anonymous visitors.

What differs per person (the header, messages, "edit" links, a person's own registration)
stays outside the fragment; ``vary`` names everything else the fragment depends on (the
conference, the page number, a filter).
"""

import copy
import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from plumbers.pagecache import PUBLIC_PAGE_TTL, content_version

# How long this process keeps a fragment it read: time-driven changes (a deadline passing)
# then show at most PUBLIC_PAGE_TTL + LOCAL_TIMEOUT late.
LOCAL_TIMEOUT = 5


def fragment_key(name: str, vary: tuple, *, version: int) -> str:
    digest = hashlib.blake2b(repr(vary).encode(), digest_size=12).hexdigest()
    return f"fragment:{version}:{name}:{digest}"


def request_content_version(request) -> int:
    """The content version, read once per request however many fragments a page has."""
    if request is None:
        return content_version()
    if not hasattr(request, "_content_version"):
        request._content_version = content_version()
    return request._content_version


class _LocalFragments:
    """The last fragments (and values, ``local_value``) this process served, so a page's
    fragments cost no round trip to the shared cache either. Keys hold the content version
    (which never repeats, see ``content_version``), so a change of content shows at once;
    entries live ``LOCAL_TIMEOUT`` seconds at most, a bounded lag for what changes with time
    alone."""

    SIZE = 256

    def __init__(self):
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, tuple[float, object]] = OrderedDict()

    def get(self, key: str):
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if entry[0] <= time.monotonic():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
            return entry[1]

    def put(self, key: str, value, timeout: int) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + timeout, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.SIZE:
                self._entries.popitem(last=False)


local_fragments = _LocalFragments()


def local_value(name: str, read: Callable, *, request=None):
    """``read()``, kept by this process for the content version (``LOCAL_TIMEOUT`` seconds
    at most), for what nearly every page reads and content changes alone change. A copy is
    returned, so a request's changes to it stay its own."""
    if not settings.PLUMBERS_FRAGMENT_CACHE:
        return read()
    version = request_content_version(request)
    if getattr(cache, "degraded", False):
        return read()
    key = f"value:{version}:{name}"
    found = local_fragments.get(key)
    if found is None:
        found = (read(),)  # a tuple, so that None is kept too
        local_fragments.put(key, found, LOCAL_TIMEOUT)
    return copy.copy(found[0])


def shared_fragment(
    name: str, render: Callable[[], str], *vary, request=None, timeout: int = PUBLIC_PAGE_TTL
) -> SafeString:
    """``render()``'s HTML, from this process's memory or the shared cache when a request
    rendered it at this content version. ``render`` must return trusted markup (an
    autoescaping template)."""
    if not settings.PLUMBERS_FRAGMENT_CACHE:
        return mark_safe(render())
    version = request_content_version(request)
    if getattr(cache, "degraded", False):
        return mark_safe(render())  # no content version to trust while Redis is away
    key = fragment_key(name, vary, version=version)
    html = local_fragments.get(key)
    if html is None:
        html = cache.get(key)
        if html is None:
            html = str(render())
            cache.set(key, html, timeout)
        local_fragments.put(key, html, min(timeout, LOCAL_TIMEOUT))
    return mark_safe(html)
