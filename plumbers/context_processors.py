from django.conf import settings

from plumbers.selectors import current_conference


def site(request):
    """The current edition is on every page (header, footer); cached per request."""
    if not hasattr(request, "_current_conference"):
        request._current_conference = current_conference()
    return {
        "site_name": settings.PLUMBERS_SITE_NAME,
        "current_conference": request._current_conference,
    }
