"""Redis is a cache: while it is away every page renders from the database, sessions keep
working, /healthz stays ready and says "degraded", the outage is logged once, and a Redis
that comes back is used again without a restart. A real redis-server is stopped and started."""

import shutil
import socket
import subprocess
import time

import pytest
from django.core.cache import cache
from django.urls import reverse

from tests.factories import AnnouncementFactory

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisProcess:
    def __init__(self, port: int):
        self.port = port
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def redis_process():
    if not shutil.which(REDIS_SERVER):
        pytest.fail(f"redis-server is needed for the cache outage tests ({REDIS_SERVER})")
    server = RedisProcess(_free_port())
    server.start()
    yield server
    if server.process.poll() is None:
        server.stop()


def _use_redis(settings, port: int) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "plumbers.cache.ResilientRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "KEY_PREFIX": f"outage-test-{port}",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2, "retry_after": 0.3},
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"


def test_cache_outage_pages_sessions_and_health_without_redis(
    client, settings, conference, user, caplog
):
    _use_redis(settings, _free_port())  # nothing listens there
    AnnouncementFactory(title="Served from the database")

    home = client.get(reverse("home"))
    news = client.get(reverse("news_list"))
    health = client.get(reverse("healthz"))
    client.force_login(user)
    signed_in = client.get(reverse("home"))

    assert home.status_code == news.status_code == signed_in.status_code == 200
    assert "Served from the database" in home.content.decode()
    assert str(user) in signed_in.content.decode()
    assert health.status_code == 200
    assert health.json() == {"status": "degraded", "database": "ok", "cache": "degraded"}
    outage_logs = [r for r in caplog.records if "Cache unreachable" in r.getMessage()]
    assert len(outage_logs) == 1


def test_cache_outage_redis_back_is_used_again(client, settings, conference, redis_process):
    _use_redis(settings, redis_process.port)
    assert client.get(reverse("healthz")).json()["cache"] == "ok"

    redis_process.stop()
    during = client.get(reverse("home"))
    degraded = client.get(reverse("healthz")).json()
    redis_process.start()
    time.sleep(0.4)  # past retry_after
    recovered = client.get(reverse("healthz")).json()
    cache.set("after-outage", "stored")

    assert during.status_code == 200
    assert degraded["cache"] == "degraded"
    assert recovered == {"status": "ok", "database": "ok", "cache": "ok"}
    assert cache.get("after-outage") == "stored"
