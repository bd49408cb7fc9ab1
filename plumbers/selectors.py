from plumbers import fragments
from plumbers.models import Announcement, Conference


def current_conference() -> Conference | None:
    return Conference.objects.current()


def latest_announcements(*, limit: int = 5):
    return Announcement.objects.published().select_related("author")[:limit]


def request_conference(request) -> Conference | None:
    """The current edition, read once per request (views and the context processor share it)
    and kept by the process for the content version it was read at (``fragments``): every
    page shows it, and a change of edition or of its details bumps the version."""
    if not hasattr(request, "_current_conference"):
        request._current_conference = fragments.local_value(
            "current-conference", current_conference, request=request
        )
    return request._current_conference
