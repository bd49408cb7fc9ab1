import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The CFP tests create many users (the role table alone creates seven per case); a fast
    hasher keeps them quick. Password checks still run through the real login code."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
