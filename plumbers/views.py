from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import http_date
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from plumbers import services
from plumbers.forms import ProfileForm
from plumbers.fragments import local_value
from plumbers.models import Announcement
from plumbers.pagecache import public_page
from plumbers.selectors import latest_announcements, request_conference


@public_page
def home(request):
    return render(request, "plumbers/home.html", {"news": latest_announcements(limit=5)})


@public_page(reads=("page",))
def news_list(request):
    page = Paginator(Announcement.objects.published().select_related("author"), 20).get_page(
        request.GET.get("page")
    )
    return render(request, "plumbers/news_list.html", {"page": page})


@public_page
def news_detail(request, slug):
    announcement = local_value(  # any change to a post bumps the content version
        f"announcement:{slug}",
        lambda: Announcement.objects.select_related("author").filter(slug=slug).first(),
        request=request,
    )
    if announcement is None or not announcement.is_published:
        raise Http404("No such announcement.")
    return render(request, "plumbers/news_detail.html", {"announcement": announcement})


# What ``never_cache`` writes, built once: /ping is the cheapest request the site answers
# (the middleware stack's cost, bench/registration_rush.py), so it patches no headers.
_NEVER_CACHE = "max-age=0, no-cache, no-store, must-revalidate, private"


def ping(request):
    """Liveness only (no database): the process answers HTTP. Never cached."""
    response = HttpResponse("ok", content_type="text/plain")
    response["Expires"] = http_date()
    response["Cache-Control"] = _NEVER_CACHE
    return response


@never_cache
def healthz(request):
    """Readiness: a real round trip to the database (503 when it is away), and the cache's
    state, which is reported but never makes the site unready (pages render without it)."""
    cache.get("healthz")  # a miss either way; tells a cache that is away, or back
    cache_state = "degraded" if getattr(cache, "degraded", False) else "ok"
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "not healthy"
        return JsonResponse(
            {"status": "error", "database": str(exc.__class__.__name__), "cache": cache_state},
            status=503,
        )
    status = "ok" if cache_state == "ok" else "degraded"
    return JsonResponse({"status": status, "database": "ok", "cache": cache_state})


@login_required
def profile(request):
    posted = request.method == "POST"
    form = ProfileForm(
        request.POST if posted else None, request.FILES if posted else None, instance=request.user
    )
    if posted and form.is_valid():
        services.profile_update(
            user=request.user,
            display_name=form.cleaned_data["display_name"],
            affiliation=form.cleaned_data["affiliation"],
            bio=form.cleaned_data["bio"],
            photo=form.cleaned_data.get("photo"),
            remove_photo=form.cleaned_data.get("remove_photo", False),
        )
        messages.success(request, "Your profile was saved.")
        return redirect("profile")
    return render(request, "plumbers/profile.html", {"form": form}, status=400 if posted else 200)


@login_required
@require_safe
def profile_photo(request):
    """The signed-in person's own photo (the profile page's preview)."""
    photo = request.user.photo
    if not photo:
        raise Http404("No photo.")
    try:
        handle = photo.open("rb")
    except FileNotFoundError as exc:
        raise Http404("No photo.") from exc
    response = FileResponse(handle, content_type="image/webp")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def me(request):
    """The personal hub: each app adds its section for the signed-in person (page parts at
    "me.sections"), so the core shows registrations, proposals and reviews without knowing
    those apps."""
    return render(request, "plumbers/me.html", {"conference": request_conference(request)})
