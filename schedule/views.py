"""The attendees' side of the program. Public pages read the latest release only
(``schedule.public``); drafts never reach them.

* ``/schedule/``, ``/schedule/<guid>/``, ``/schedule/changelog/``, the exports and the item
  calendars are public (anonymous visitors get them from the shared page cache);
* starring, ``/schedule/mine/`` and the feed address buttons need a login and act on the
  signed-in person's own rows only;
* ``/schedule/mine/<token>.ics`` is public to whoever holds the token (calendar apps do not
  log in); an unknown or revoked token is not found.
"""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe, url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from microconferences.selectors import public_microconference
from plumbers.fragments import local_value, shared_fragment
from plumbers.pagecache import public_page
from plumbers.selectors import request_conference
from schedule import exports, program_marks, public, stars
from schedule.models import CalendarToken, Item
from schedule.selectors import changelog as release_changelog
from schedule.selectors import published_release, releases


def _release(request):
    """``(conference, latest release)``; the release is None while nothing is published."""
    conference = request_conference(request)
    if conference is None:
        return None, None
    return conference, published_release(conference, request=request)


def _not_published(request, conference):
    return render(request, "schedule/not_published.html", {"conference": conference})


@require_safe
@public_page(reads=("day", "track", "kind"))
def program(request):
    """The day grid is the same for everybody asking for the same day and filters: it is
    rendered once per content version (plumbers.fragments; the "now" marks lag as the
    page cache's do) and each person's star buttons are filled in (schedule.program_marks).
    Only valid filters key the shared grid: an address naming no day, track or kind is
    answered for its request alone, so made-up addresses cannot fill the cache."""
    conference, release = _release(request)
    if release is None:
        return _not_published(request, conference)
    now = timezone.now()
    today = timezone.localtime(now, conference.tzinfo).date()
    outline, program_filter = local_value(  # a release never changes
        f"schedule.program-filter:{release.pk}",
        lambda: _outline_and_filter(release, conference.tzinfo),
        request=request,
    )
    filters = program_filter.parse(request.GET, today=today)
    vary = (release.pk, filters.query(), today.isoformat())
    head = shared_fragment(
        "schedule.program.head",
        lambda: _program_head(conference, release, outline, now),
        *vary,
        request=request,
    )

    def body() -> str:
        return _program_body(conference, release, program_filter, filters, now)

    if filters.ignored:
        body_html = body()
    else:
        body_html = shared_fragment("schedule.program.body", body, *vary, request=request)
    starred = public.starred_item_ids(request.user)
    return render(
        request,
        "schedule/program.html",
        {
            "conference": conference,
            "release": release,
            "head": head,
            "body": program_marks.personalise(body_html, request, starred),
        },
    )


def _outline_and_filter(release, tz) -> tuple[list, public.ProgramFilter]:
    outline = public.slot_outlines(release)
    return outline, public.ProgramFilter(outline, tz)


def _program_head(conference, release, outline, now) -> str:
    """The shared head of the program page: its version, "on now"; nothing personal."""
    event_runs = (
        bool(outline)
        and min(o.starts_at for o in outline) <= now
        and timezone.localtime(now, conference.tzinfo).date() <= conference.ends_on
    )
    return render_to_string(
        "schedule/parts/program_head.html",
        {"conference": conference, "release": release, "event_runs": event_runs},
    )


def _program_body(conference, release, program_filter, filters, now) -> str:
    """The shared body of the program page (day tabs, filters, the day's grid and list);
    nothing personal."""
    tz = conference.tzinfo
    day = None
    if filters.day:
        slots = public.published_slots(release, day=filters.day, tz=tz)
        shown = program_filter.apply(slots, filters)
        day = public.build_day(filters.day, shown, public.rooms_of(slots), tz, now)
    if day:
        # Each slot is shown twice (the grid on wide screens, the list on phones): render
        # its content once.
        snippet = get_template("schedule/parts/slot.html")
        for slot in day.slots:
            slot.snippet = snippet.render({"slot": slot, "tz": conference.timezone})
    return render_to_string(
        "schedule/parts/program_body.html",
        {
            "conference": conference,
            "release": release,
            "filters": filters,
            "days": [
                (date, filters.query(day=date.isoformat()), date == filters.day)
                for date in program_filter.days
            ],
            "tracks": program_filter.tracks,
            "kinds": program_filter.kinds,
            "day": day,
            "now": now,
        },
    )


@require_safe
@public_page
def item(request, key):
    conference, release = _release(request)
    slot = local_value(  # a release never changes; kept per content version all the same
        f"schedule.slot:{release.pk if release else None}:{key}",
        lambda: public.published_slot(release, key),
        request=request,
    )
    if slot is None:
        raise Http404("This item is not on the published program.")
    mc_outline = None
    if slot.item.microconference_id:
        # Read only when the shared fragment of the item is not cached yet.
        mc_outline = functools.partial(
            public_microconference, conference=conference, slug=slot.item.microconference.slug
        )
    return render(
        request,
        "schedule/item.html",
        {
            "conference": conference,
            "release": release,
            "slot": slot,
            "abstract_html": public.abstract_html(slot.item),
            "mc_outline": mc_outline,
            "starred": public.starred_item_ids(request.user),
        },
    )


@require_safe
@public_page
def changelog(request):
    conference, release = _release(request)
    if release is None:
        return _not_published(request, conference)
    history = [(r, release_changelog(r)) for r in releases(conference)]
    return render(
        request,
        "schedule/changelog.html",
        {"conference": conference, "release": release, "history": history},
    )


# ------------------------------------------------------------------------------ exports


def _conditional(request, release, fmt: str, body_factory, *, filename: str, variant=""):
    """Serve with ETag and Last-Modified; answer 304 when the client has this release's
    version already (the body is not even read from the cache then)."""
    etag = f'"release-{release.pk}-{fmt}{variant}-r{exports.FORMAT_REVISION}"'
    last_modified = int(release.published_at.timestamp())
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:
        response = not_modified
    else:
        response = HttpResponse(body_factory(), content_type=exports.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = "public, max-age=300"
    return response


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _answer_conditionally(view):
    """Outside the shared page cache: a cached export still answers 304 to a client that
    has this release's version (the cached response carries its ETag/Last-Modified)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code != 200 or not response.has_header("ETag"):
            return response
        return get_conditional_response(
            request,
            etag=response["ETag"],
            last_modified=parse_http_date_safe(response.get("Last-Modified", "")),
            response=response,
        )

    return wrapper


def _export(fmt: str):
    # Anonymous requests come from the shared page cache (no database round trip); a new
    # release bumps its version (schedule.signals), and the body itself is cached per
    # release (schedule.exports.export_body) for everyone else.
    @require_safe
    @_answer_conditionally
    @public_page
    def view(request):
        conference, release = _release(request)
        if release is None:
            raise Http404("The program has not been published yet.")
        base_url = _base_url(request)
        return _conditional(
            request,
            release,
            fmt,
            lambda: exports.export_body(conference, release, fmt, base_url),
            filename=f"schedule.{fmt}",
        )

    view.__name__ = f"export_{fmt}"
    return view


export_xml = _export("xml")
export_json = _export("json")
export_ics = _export("ics")


@require_safe
def item_ics(request, key):
    """One item as an iCalendar file ("add to calendar")."""
    conference, release = _release(request)
    slot = public.published_slot(release, key)
    if slot is None:
        raise Http404("This item is not on the published program.")
    base_url = _base_url(request)

    def body():
        ctx = exports.ExportContext(
            conference=conference,
            release=release,
            slots=[slot],
            base_url=base_url,
            sequences=public.item_sequences(conference, release),
        )
        return exports.build_ics(ctx, name=slot.title)

    return _conditional(request, release, "ics", body, filename="item.ics", variant=f"-{slot.guid}")


@never_cache
@require_safe
def my_feed(request, token):
    """The private calendar of someone's starred items, for calendar apps (no login: the
    token is the key). An unknown or revoked token is not found."""
    holder = CalendarToken.objects.filter(token=token).select_related("user").first()
    if holder is None or not holder.user.is_active:
        raise Http404("No such calendar.")
    conference, release = _release(request)
    if release is None:
        raise Http404("The program has not been published yet.")
    slots = [entry.slot for entry in public.my_program(holder.user, release) if entry.slot]
    ctx = exports.ExportContext(
        conference=conference,
        release=release,
        slots=slots,
        base_url=_base_url(request),
        sequences=public.item_sequences(conference, release),
    )
    body = exports.build_ics(ctx, name=f"My {conference.name} program")
    response = HttpResponse(body, content_type=exports.CONTENT_TYPES["ics"])
    response["Content-Disposition"] = 'inline; filename="my-program.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response


# --------------------------------------------------------------------------- my schedule


def _back(request, default: str) -> HttpResponseRedirect:
    """Back to the page the button was on (``next``: a path of this site only), else to
    ``default``."""
    target = request.POST.get("next", "")
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and len(target) <= 2000
        and target.isprintable()
        and not any(ch.isspace() for ch in target)
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return HttpResponseRedirect(target)
    return HttpResponseRedirect(default)


@login_required
@require_POST
def star(request, key):
    conference, _ = _release(request)
    found = get_object_or_404(Item, guid=key, conference=conference)
    back = _back(request, reverse("schedule:item", kwargs={"key": found.guid}))
    action = request.POST.get("action", "")
    if action == "star":
        try:
            stars.star_add(user=request.user, item=found)
        except stars.StarError as error:
            messages.error(request, str(error))
            return back
        messages.success(request, f"“{found.display_title}” is in your program.")
    elif action == "unstar":
        stars.star_remove(user=request.user, item=found)
        messages.success(request, f"“{found.display_title}” is no longer in your program.")
    else:
        messages.error(request, "Please use the Star or Unstar button.")
    return back


@login_required
@require_safe
def mine(request):
    conference, release = _release(request)
    entries = public.my_program(request.user, release) if conference else []
    token = CalendarToken.objects.filter(user=request.user).first()
    feed_url = (
        request.build_absolute_uri(reverse("schedule:my_feed", kwargs={"token": token.token}))
        if token
        else ""
    )
    return render(
        request,
        "schedule/mine.html",
        {
            "conference": conference,
            "release": release,
            "entries": entries,
            "feed_url": feed_url,
            "clash_count": sum(1 for e in entries if e.clashes),
        },
    )


@login_required
@require_POST
def feed_regenerate(request):
    had = CalendarToken.objects.filter(user=request.user).exists()
    stars.calendar_token_regenerate(user=request.user)
    messages.success(
        request,
        "Your calendar feed has a new address; the old one no longer works."
        if had
        else "Your private calendar feed is ready: subscribe to its address in your calendar.",
    )
    return _back(request, reverse("schedule:mine"))


@login_required
@require_POST
def feed_revoke(request):
    if stars.calendar_token_revoke(user=request.user):
        messages.success(request, "Your calendar feed address no longer works.")
    else:
        messages.info(request, "You had no calendar feed address.")
    return _back(request, reverse("schedule:mine"))


# ------------------------------------------------------------------------------ speakers


@require_safe
@public_page
def speakers(request):
    conference, release = _release(request)
    people = public.speakers(release)
    return render(
        request,
        "schedule/speakers.html",
        {"conference": conference, "release": release, "people": people},
    )


@require_safe
@public_page
def speaker(request, pk):
    conference, release = _release(request)
    person = public.speaker(release, pk)
    if person is None:
        raise Http404("No such speaker on the published program.")
    slots = public.slots_of_person(public.published_slots(release), person)
    return render(
        request,
        "schedule/speaker.html",
        {"conference": conference, "release": release, "person": person, "slots": slots},
    )


@require_safe
def speaker_photo(request, pk, filename):
    """A listed speaker's photo (the stored, re-encoded copy)."""
    _, release = _release(request)
    person = public.speaker(release, pk)
    if person is None or not person.photo or person.photo.name.rsplit("/", 1)[-1] != filename:
        raise Http404("No such photo.")
    try:
        handle = person.photo.open("rb")
    except FileNotFoundError as exc:
        raise Http404("No such photo.") from exc
    response = FileResponse(handle, content_type="image/webp")
    response["Cache-Control"] = "public, max-age=86400"
    return response
