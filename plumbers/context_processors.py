from django.conf import settings

from plumbers.selectors import request_conference


def site(request):
    """The current edition is on every page (header, footer); read once per request."""
    return {
        "site_name": settings.PLUMBERS_SITE_NAME,
        "current_conference": request_conference(request),
    }
