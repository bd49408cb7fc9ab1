"""The floor project: the least a Django site does to register people for limited seats —
session auth, CSRF, a row lock on the kind, a count, an insert — and a bare "ok" view.

Served the same way as Plumbers in the benchmarks (gunicorn, PostgreSQL, sessions in the
database cached in Redis), so the ratio Plumbers/floor is the price of everything else.
"""

import os

import dj_database_url

SECRET_KEY = "bench-floor-only-0123456789-abcdefghijklmnopqrstuvwxyz"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "bench.floor",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "bench.floor.urls"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ["DATABASE_URL"], conn_max_age=60, conn_health_checks=True
    )
}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/5"),
        "KEY_PREFIX": os.environ.get("DJANGO_CACHE_PREFIX", "floor"),
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGGING = {"version": 1, "root": {"level": "WARNING"}}
