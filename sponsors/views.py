import functools

from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from plumbers.pagecache import public_page
from plumbers.permissions import is_organizer
from plumbers.selectors import request_conference
from sponsors.models import Sponsor
from sponsors.selectors import tiers_with_public_sponsors
from sponsors.services import RENDITION_CONTENT_TYPE

# Rendition file names carry a digest of their content, so a URL always means the same
# bytes and browsers and proxies may keep it for long.
PUBLIC_LOGO_CACHE = "public, max-age=604800"


@require_safe
@public_page
def sponsor_list(request):
    """The current edition's visible sponsors grouped by tier, in tier order (served from
    the shared page cache to anonymous visitors)."""
    conference = request_conference(request)
    return render(
        request,
        "sponsors/sponsor_list.html",
        {
            # Read only when the shared fragment of the tiers is not cached yet.
            "tiers": functools.partial(tiers_with_public_sponsors, conference),
            "conference": conference,
        },
    )


@require_safe
def logo(request, pk: int, filename: str):
    """A sponsor's wall rendition (never the raw upload). Hidden sponsors' logos are shown
    to organizers only (admin preview)."""
    sponsor = Sponsor.objects.filter(pk=pk).only("id", "visible", "logo_wall").first()
    if sponsor is None or not sponsor.logo_wall:
        raise Http404("No such logo.")
    if sponsor.logo_wall.name.rsplit("/", 1)[-1] != filename:
        raise Http404("No such logo.")
    if not sponsor.visible and not is_organizer(request.user):
        raise Http404("No such logo.")
    try:
        handle = sponsor.logo_wall.open("rb")
    except FileNotFoundError as exc:
        raise Http404("No such logo.") from exc
    response = FileResponse(handle, content_type=RENDITION_CONTENT_TYPE)
    response["Cache-Control"] = PUBLIC_LOGO_CACHE if sponsor.visible else "private, no-store"
    return response
