import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded logos and renditions go to a per-test folder, never var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
