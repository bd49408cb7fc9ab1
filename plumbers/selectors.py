from plumbers.models import Announcement, Conference


def current_conference() -> Conference | None:
    return Conference.objects.current()


def latest_announcements(*, limit: int = 5):
    return Announcement.objects.published().select_related("author")[:limit]
