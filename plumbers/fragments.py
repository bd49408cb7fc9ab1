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

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from plumbers.pagecache import PUBLIC_PAGE_TTL, content_version


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


def shared_fragment(
    name: str, render: Callable[[], str], *vary, request=None, timeout: int = PUBLIC_PAGE_TTL
) -> SafeString:
    """``render()``'s HTML, from the shared cache when another request rendered it at this
    content version. ``render`` must return trusted markup (an autoescaping template)."""
    if not settings.PLUMBERS_FRAGMENT_CACHE:
        return mark_safe(render())
    key = fragment_key(name, vary, version=request_content_version(request))
    html = cache.get(key)
    if html is None:
        html = str(render())
        cache.set(key, html, timeout)
    return mark_safe(html)
