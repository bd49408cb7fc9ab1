"""The organizers' timetable editor in the admin: one page per edition with day tabs, rooms as
columns and 5-minute rows (lines every 15 minutes), the unscheduled list beside it, the
clashes and unconfirmed talks, the publish form and the changelog preview.

Everything works without JavaScript through plain forms posted to the page itself (each
with an ``action``: place, unschedule, accept_clash, publish); ``static/js/timetable-editor.js``
adds drag and drop and keyboard moves, posting JSON to ``api`` which calls the same services.
A refused change answers with the reason (the page again, status 400, what was typed kept;
or ``{"error": ...}``) and changes nothing.
"""

import datetime as dt
import json
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import urlencode

from plumbers.models import Conference
from plumbers.timefmt import format_time
from schedule import selectors, services
from schedule.models import Item, Room
from schedule.permissions import can_edit_program
from schedule.services import ScheduleError

DAY_STARTS = dt.time(8, 0)
DAY_ENDS = dt.time(20, 0)
ROW_MINUTES = 5  # a grid row; lines and labels every 15 minutes
DEFAULT_MINUTES = {
    Item.Kind.MICROCONFERENCE: 210,
    Item.Kind.BREAK: 30,
    Item.Kind.SOCIAL: 120,
}
MAX_JSON_BYTES = 4096


# ----------------------------------------------------------------------------- forms


class PlaceForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=80)
    room = forms.ModelChoiceField(queryset=Room.objects.none(), empty_label=None)
    day = forms.TypedChoiceField(label="Day", coerce=dt.date.fromisoformat)
    start = forms.TimeField(label="Start", widget=forms.TimeInput(attrs={"type": "time"}))
    end = forms.TimeField(label="End", widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args, conference: Conference, **kwargs):
        super().__init__(*args, **kwargs)
        self.conference = conference
        self.fields["room"].queryset = selectors.rooms(conference)
        self.fields["day"].choices = [
            (day.isoformat(), f"{day:%A %-d %B}") for day in selectors.days(conference)
        ]

    def clean(self):
        data = super().clean()
        if {"day", "start", "end"} <= data.keys():
            tz = self.conference.tzinfo
            data["starts_at"] = dt.datetime.combine(data["day"], data["start"], tzinfo=tz)
            end_day = data["day"]
            if data["end"] == dt.time(0, 0):  # "until midnight"
                end_day += dt.timedelta(days=1)
            data["ends_at"] = dt.datetime.combine(end_day, data["end"], tzinfo=tz)
        return data


class KeyForm(forms.Form):
    key = forms.CharField(widget=forms.HiddenInput, max_length=80)


class ClashForm(KeyForm):
    reason = forms.CharField(
        label="Why is this clash acceptable?", max_length=1000, widget=forms.TextInput
    )


class PublishForm(forms.Form):
    comment = forms.CharField(
        label="Comment (shown with the release)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    allow_unconfirmed = forms.BooleanField(
        label="Publish talks not yet confirmed by their speakers", required=False
    )


# ----------------------------------------------------------------------------- the grid


@dataclass
class Placed:
    item: Item
    key: str
    row: int
    row_end: int
    column: int
    clash: bool
    start_label: str
    end_label: str

    @property
    def minutes(self) -> int:
        return self.item.duration_minutes


def _window(conference: Conference, day: dt.date, items: list[Item]) -> tuple[dt.datetime, int]:
    """The day's first grid moment (08:00, earlier if an item starts earlier) and its rows."""
    tz = conference.tzinfo
    start = dt.datetime.combine(day, DAY_STARTS, tzinfo=tz)
    end = dt.datetime.combine(day, DAY_ENDS, tzinfo=tz)
    for item in items:
        start = min(start, item.starts_at.astimezone(tz).replace(minute=0))
        end = max(end, item.ends_at.astimezone(tz))
    rows = int((end - start).total_seconds() // 60 // ROW_MINUTES)
    rows += (-rows) % 3  # whole quarter hours
    return start, rows


def _day_items(conference: Conference, day: dt.date, placed: list[Item]) -> list[Item]:
    tz = conference.tzinfo
    return [item for item in placed if item.starts_at.astimezone(tz).date() == day]


def _grid(conference, day, rooms, items, clashing: set[int]) -> dict:
    start, rows = _window(conference, day, items)
    column = {room.pk: n for n, room in enumerate(rooms, start=2)}
    tz = conference.tzinfo
    placed = []
    for item in items:
        first = int((item.starts_at - start).total_seconds() // 60 // ROW_MINUTES) + 2
        last = int((item.ends_at - start).total_seconds() // 60 // ROW_MINUTES) + 2
        placed.append(
            Placed(
                item=item,
                key=selectors.item_key(item),
                row=first,
                row_end=last,
                column=column[item.room_id],
                clash=item.pk in clashing,
                start_label=f"{item.starts_at.astimezone(tz):%H:%M}",
                end_label=f"{item.ends_at.astimezone(tz):%H:%M}",
            )
        )
    quarters = []
    for n in range(0, rows, 3):
        moment = start + dt.timedelta(minutes=n * ROW_MINUTES)
        quarters.append(
            {
                "row": n + 2,
                "label": f"{moment.astimezone(tz):%H:%M}",
                "local": f"{moment.astimezone(tz):%Y-%m-%dT%H:%M}",
                "hour": moment.astimezone(tz).minute == 0,
            }
        )
    return {
        "start": start,
        "rows": rows,
        "quarters": quarters,
        "items": placed,
        "columns": [(column[room.pk], room) for room in rooms],
    }


# ----------------------------------------------------------------------------- views


def _zone_label(conference: Conference) -> str:
    """ "Dublin time, UTC+1": the zone's name and its offset during the edition."""
    noon = dt.datetime.combine(conference.starts_on, dt.time(12), tzinfo=conference.tzinfo)
    return format_time(noon, conference.timezone).split(" (", 1)[1].rstrip(")")


def _conference(request, slug: str) -> Conference:
    if not can_edit_program(request.user):
        raise PermissionDenied
    return get_object_or_404(Conference, slug=slug)


def _day(request, conference: Conference) -> dt.date:
    days = selectors.days(conference)
    try:
        day = dt.date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return days[0]
    return day if day in days else days[0]


def editor_url(conference: Conference, **params) -> str:
    url = reverse("admin:schedule_item_editor", kwargs={"slug": conference.slug})
    params = {k: v for k, v in params.items() if v}
    return f"{url}?{urlencode(params)}" if params else url


def index_view(model_admin, request):
    if not can_edit_program(request.user):
        raise PermissionDenied
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Timetable editor",
        "conferences": Conference.objects.order_by("-starts_on"),
        "opts": Item._meta,
    }
    return TemplateResponse(request, "schedule/admin/editor_index.html", context)


def _candidate_filters(request, found: list[selectors.Candidate]):
    kind = request.GET.get("kind", "")
    track = request.GET.get("track", "")
    tracks = sorted({c.track for c in found if c.track})
    shown = [c for c in found if (not kind or c.kind == kind) and (not track or c.track == track)]
    return shown, {"kind": kind, "track": track, "tracks": tracks, "kinds": Item.Kind.choices}


def _render(request, model_admin, conference, *, status=200, forms_shown=None):
    forms_shown = forms_shown or {}
    day = _day(request, conference)
    rooms = list(selectors.rooms(conference))
    placed = list(selectors.placed_items(conference))
    clashes = selectors.clashes(conference, placed)
    clashing = {item.pk for c in clashes if not c.accepted for item in (c.first, c.second)}
    found = selectors.candidates(conference)
    shown, filters = _candidate_filters(request, found)
    for candidate in shown:
        candidate.minutes = DEFAULT_MINUTES.get(candidate.kind, 45)
    items = _day_items(conference, day, placed)
    focus_key = request.POST.get("key") or request.GET.get("item", "")
    focus = None
    if focus_key:
        focus = next((c for c in found if c.key == focus_key), None)
        if focus is None:
            item = next((i for i in placed if selectors.item_key(i) == focus_key), None)
            if item is not None:
                focus = selectors.Candidate(
                    key=focus_key,
                    title=item.display_title,
                    kind=item.kind,
                    unconfirmed=item.is_unconfirmed,
                    item=item,
                    people=item.people,
                )
    place_form = forms_shown.get("place")
    if place_form is None and focus is not None:
        initial = {"key": focus.key, "day": day.isoformat()}
        if focus.item is not None and focus.item.is_placed:
            tz = conference.tzinfo
            initial.update(
                room=focus.item.room_id,
                day=focus.item.starts_at.astimezone(tz).date().isoformat(),
                start=focus.item.starts_at.astimezone(tz).time(),
                end=focus.item.ends_at.astimezone(tz).time(),
            )
        place_form = PlaceForm(conference=conference, initial=initial)
    release = selectors.latest_release(conference)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": f"Timetable of {conference}",
        "opts": Item._meta,
        "conference": conference,
        "days": selectors.days(conference),
        "day": day,
        "rooms": rooms,
        "grid": _grid(conference, day, rooms, items, clashing),
        "candidates": shown,
        "candidate_count": len(found),
        "filters": filters,
        "clashes": clashes,
        "unconfirmed": selectors.unconfirmed_items(placed),
        "unschedulable": selectors.unschedulable_items(placed),
        "release": release,
        "draft_changes": selectors.draft_changes(conference),
        "focus": focus,
        "place_form": place_form,
        "clash_form": forms_shown.get("accept_clash"),
        "error": forms_shown.get("error", ""),
        "error_for": forms_shown.get("error_for", ""),
        "publish_form": forms_shown.get("publish") or PublishForm(),
        "default_minutes": DEFAULT_MINUTES,
        "api_url": reverse("admin:schedule_item_editor_api", kwargs={"slug": conference.slug}),
        "timezone_label": _zone_label(conference),
    }
    return TemplateResponse(request, "schedule/admin/editor.html", context, status=status)


def editor_view(model_admin, request, slug: str):
    conference = _conference(request, slug)
    if request.method != "POST":
        return _render(request, model_admin, conference)
    action = request.POST.get("action", "")
    handler = ACTIONS.get(action)
    if handler is None:
        return _refused(request, model_admin, conference, "unknown action.", "action", None)
    return handler(request, model_admin, conference)


def _refused(request, model_admin, conference, error, name, form):
    """The page again with the refusal next to the form that asked (nothing changed)."""
    return _render(
        request,
        model_admin,
        conference,
        status=400,
        forms_shown={name: form, "error": f"Nothing was changed: {error}", "error_for": name},
    )


def _place(request, model_admin, conference):
    form = PlaceForm(request.POST, conference=conference)
    if not form.is_valid():
        return _refused(request, model_admin, conference, "check the fields below.", "place", form)
    data = form.cleaned_data
    try:
        item = services.item_for_key(conference=conference, key=data["key"], actor=request.user)
        item = services.item_place(
            item=item,
            room=data["room"],
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            actor=request.user,
        )
    except ScheduleError as error:
        return _refused(request, model_admin, conference, error, "place", form)
    messages.success(request, f"“{item}” is now in {services.describe_placement(item)}.")
    return HttpResponseRedirect(editor_url(conference, day=data["day"].isoformat()))


def _unschedule(request, model_admin, conference):
    form = KeyForm(request.POST)
    try:
        if not form.is_valid():
            raise ScheduleError("Say which item to unschedule.")
        item = services.item_for_key(
            conference=conference, key=form.cleaned_data["key"], actor=request.user
        )
        services.item_unschedule(item=item, actor=request.user)
    except ScheduleError as error:
        return _refused(request, model_admin, conference, error, "unschedule", form)
    messages.success(request, f"“{item}” is unscheduled.")
    return HttpResponseRedirect(editor_url(conference, day=request.GET.get("day", "")))


def _accept_clash(request, model_admin, conference):
    form = ClashForm(request.POST)
    if not form.is_valid():
        return _refused(
            request,
            model_admin,
            conference,
            "say why the clash is acceptable.",
            "accept_clash",
            form,
        )
    try:
        item = services.item_for_key(
            conference=conference, key=form.cleaned_data["key"], actor=request.user
        )
        services.clash_accept(item=item, reason=form.cleaned_data["reason"], actor=request.user)
    except ScheduleError as error:
        return _refused(request, model_admin, conference, error, "accept_clash", form)
    messages.success(request, f"The clash of “{item}” is accepted.")
    return HttpResponseRedirect(editor_url(conference, day=request.GET.get("day", "")))


def _publish(request, model_admin, conference):
    form = PublishForm(request.POST)
    if not form.is_valid():
        return _refused(
            request, model_admin, conference, "check the publish form.", "publish", form
        )
    try:
        release = services.release_publish(
            conference=conference,
            actor=request.user,
            comment=form.cleaned_data["comment"],
            allow_unconfirmed=form.cleaned_data["allow_unconfirmed"],
        )
    except ScheduleError as error:
        return _render(
            request,
            model_admin,
            conference,
            status=400,
            forms_shown={"publish": form, "error": str(error), "error_for": "publish"},
        )
    messages.success(
        request, f"Published version {release.version} ({release.slots.count()} items)."
    )
    return HttpResponseRedirect(editor_url(conference, day=request.GET.get("day", "")))


ACTIONS = {
    "place": _place,
    "unschedule": _unschedule,
    "accept_clash": _accept_clash,
    "publish": _publish,
}


# ----------------------------------------------------------------------------- JSON


def _parse_time(value, conference: Conference) -> dt.datetime:
    """An ISO time; without an offset it is a wall time in the edition's time zone."""
    if not isinstance(value, str) or len(value) > 40:
        raise ScheduleError("Times must be given as text like 2022-09-12T09:00.")
    try:
        parsed = parse_datetime(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ScheduleError(f"“{value[:40]}” is not a time like 2022-09-12T09:00.")
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=conference.tzinfo)
    return parsed


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"ok": False, "error": message}, status=status)


def _item_json(item: Item, conference: Conference) -> dict:
    tz = conference.tzinfo
    return {
        "key": selectors.item_key(item),
        "guid": str(item.guid),
        "title": item.display_title,
        "kind": item.kind,
        "room": item.room_id,
        "starts_at": item.starts_at.astimezone(tz).isoformat() if item.starts_at else None,
        "ends_at": item.ends_at.astimezone(tz).isoformat() if item.ends_at else None,
    }


def api_view(model_admin, request, slug: str):
    """GET: the draft's rooms and placed items. POST JSON
    ``{"action": "place", "key", "room", "starts_at", "ends_at"}`` or
    ``{"action": "unschedule", "key"}``: the same services as the forms."""
    conference = _conference(request, slug)
    if request.method == "GET":
        return JsonResponse(
            {
                "conference": conference.slug,
                "timezone": conference.timezone,
                "rooms": [{"id": r.pk, "name": r.name} for r in selectors.rooms(conference)],
                "items": [
                    _item_json(item, conference) for item in selectors.placed_items(conference)
                ],
            }
        )
    if request.method != "POST":
        return _error("Use GET or POST.", status=405)
    if len(request.body) > MAX_JSON_BYTES:
        return _error("The request is too large.", status=413)
    try:
        data = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return _error("The request is not JSON.")
    if not isinstance(data, dict):
        return _error("The request must be a JSON object.")
    action = data.get("action")
    try:
        key = data.get("key")
        if not isinstance(key, str):
            raise ScheduleError("Say which item (key).")
        if action == "place":
            room_id = data.get("room")
            if isinstance(room_id, str) and room_id.isdigit():
                room_id = int(room_id)
            if not isinstance(room_id, int) or isinstance(room_id, bool):
                raise ScheduleError("Choose a room.")
            room = Room.objects.filter(conference=conference, pk=room_id).first()
            if room is None:
                raise ScheduleError("That room is not one of this edition's rooms.")
            starts_at = _parse_time(data.get("starts_at"), conference)
            ends_at = _parse_time(data.get("ends_at"), conference)
            item = services.item_for_key(conference=conference, key=key, actor=request.user)
            item = services.item_place(
                item=item, room=room, starts_at=starts_at, ends_at=ends_at, actor=request.user
            )
            message = f"“{item}” is now in {services.describe_placement(item)}."
        elif action == "unschedule":
            item = services.item_for_key(conference=conference, key=key, actor=request.user)
            item = services.item_unschedule(item=item, actor=request.user)
            message = f"“{item}” is unscheduled."
        else:
            raise ScheduleError("Unknown action: use place or unschedule.")
    except ScheduleError as error:
        return _error(str(error))
    except (OverflowError, ValueError) as error:  # e.g. a year 99999 in a time
        return _error(f"Nothing was changed: {error}")
    messages.success(request, message)  # shown when the page reloads
    return JsonResponse({"ok": True, "message": message, "item": _item_json(item, conference)})
