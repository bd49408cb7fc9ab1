from plumbers.models import Announcement, Conference


def current_conference() -> Conference | None:
    return Conference.objects.current()


def latest_announcements(*, limit: int = 5):
    return Announcement.objects.published().select_related("author")[:limit]


def request_conference(request) -> Conference | None:
    """The current edition, read once per request (views and the context processor share it)."""
    if not hasattr(request, "_current_conference"):
        request._current_conference = current_conference()
    return request._current_conference
