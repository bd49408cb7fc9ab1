import pytest


@pytest.fixture(autouse=True)
def _fresh_media_root(media_root):
    """Uploaded logos and renditions go to a per-test folder (tests/conftest.py)."""
    return media_root
