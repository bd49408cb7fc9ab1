"""The shared cache (Redis), which may go away without taking the site with it.

Redis holds only what can be rebuilt (rendered pages, the sponsor wall, cached sessions whose
truth is in PostgreSQL), so while it is unreachable every cache call behaves as a miss: reads
return the default, writes are dropped, and pages render from the database. After a failure
the cache is not tried again for ``RETRY_AFTER`` seconds (OPTIONS ``retry_after``), so
requests do not each wait for a connection timeout; the first call after that tries again,
and a Redis that is back is used at once, without a restart. The failure is logged once per
outage, not once per request.
"""

import logging
import threading
import time
from functools import wraps

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)


class _Breaker:
    """Per cache connection: when the cache last failed (None: it works)."""

    def __init__(self, retry_after: float):
        self._lock = threading.Lock()
        self.retry_after = retry_after
        self.failed_at: float | None = None

    def open(self) -> bool:
        failed_at = self.failed_at
        return failed_at is not None and time.monotonic() - failed_at < self.retry_after

    def trip(self, exc: BaseException) -> None:
        with self._lock:
            first = self.failed_at is None
            self.failed_at = time.monotonic()
        if first:
            logger.warning("Cache unreachable, serving without it: %s", exc)

    def reset(self) -> None:
        if self.failed_at is not None:
            with self._lock:
                self.failed_at = None
            logger.warning("Cache reachable again.")


def _tolerant(name: str, on_failure):
    method = getattr(RedisCache, name)

    @wraps(method)
    def call(self, *args, **kwargs):
        if self.breaker.open():
            return on_failure(*args, **kwargs)
        try:
            result = method(self, *args, **kwargs)
        except UNREACHABLE as exc:
            self.breaker.trip(exc)
            return on_failure(*args, **kwargs)
        self.breaker.reset()
        return result

    return call


def _default(key, default=None, *args, **kwargs):
    return default


def _nothing(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty(*args, **kwargs):
    return {}


def _all_failed(data, *args, **kwargs):
    return list(data)


def _missing(key, *args, **kwargs):
    raise ValueError(f"Key {key!r} not found (the cache is unreachable).")


class _OneClientPerPool(RedisCacheClient):
    """Django builds a ``redis.Redis`` for every cache call, and redis-py 7 fills ~80
    response callbacks into each (about 0.3 ms): with the content version, the session and
    a few fragments that was ~2 ms of a page that otherwise renders in 3. A ``redis.Redis``
    is safe to share between threads (its connections come from the pool), so each pool
    gets one, made on first use."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients.setdefault(id(pool), self._client(connection_pool=pool))
        return client


class ResilientRedisCache(RedisCache):
    """Django's Redis cache that degrades to "always a miss" while Redis is unreachable."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        retry_after = float(options.pop("retry_after", RETRY_AFTER))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = _OneClientPerPool
        self.breaker = _Breaker(retry_after)

    @property
    def degraded(self) -> bool:
        return self.breaker.failed_at is not None

    get = _tolerant("get", _default)
    get_many = _tolerant("get_many", _empty)
    has_key = _tolerant("has_key", _false)
    add = _tolerant("add", _false)
    set = _tolerant("set", _nothing)
    set_many = _tolerant("set_many", _all_failed)
    touch = _tolerant("touch", _false)
    delete = _tolerant("delete", _false)
    delete_many = _tolerant("delete_many", _nothing)
    incr = _tolerant("incr", _missing)
    clear = _tolerant("clear", _false)
