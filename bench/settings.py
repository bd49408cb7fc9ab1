"""Settings for benchmark servers: production settings plus two changes that keep the
untimed setup phase short, documented in bench/README.md:

- rate limits off: thousands of logins come from one IP here, not from thousands of IPs;
- a fast password hasher: logins happen before the measured rush; hashing cost is not what
  the rush measures.
"""

import os

os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ.setdefault(
    "DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
)
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("PLUMBERS_RATE_LIMITS", "0")

from plumbers.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Plain HTTP on loopback: secure cookies would never be sent back.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# bench/faults.py counts the mail actually sent: the file backend writes each message there.
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
