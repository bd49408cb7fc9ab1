"""Review depth in the triage area (issue 14, the reviewers' half): phases, anonymised
review, assignment and the chairs' ranked table.

Access (tested for every role in tests/security/test_permission_matrix.py): the track pages
answer like the rest of the triage area — a login redirect for anonymous people, 403 for
people who review nothing, 404 for a track outside the viewer's tracks. The assignment and
ranking pages are for the track's deciders (its chairs and organizers): its reviewers get
403. The preference page is for the track's committee (organizers reviewing nothing get 403).

Helpers at the top feed cfp.views' detail pages, so the rules stay in one place. The
triage list itself is here too (``review_list``, with its CSV export): it reads the viewer's
roles once (``selectors.TriageScope``) and takes its rows' HTML from the shared cache.
"""

import csv
import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST

from cfp import anonymity, assignment, phases, ranking, selectors, services
from cfp.forms import (
    AssignForm,
    AutoAssignForm,
    BulkDecideForm,
    PreferenceForm,
    UnassignForm,
)
from cfp.models import Proposal, ReviewAssignment, ReviewerPreference, Track
from cfp.permissions import (
    can_use_triage,
    is_track_committee,
    is_track_decider,
)
from cfp.services import CfpError
from plumbers.models import User
from plumbers.selectors import request_conference

# ------------------------------------------------------------------- helpers for cfp.views


def decorate_triage(scope: selectors.TriageScope, proposals: list) -> list:
    """The triage list's flags (high spread, short of K) and hidden speakers, on
    ``selectors.triage_list``'s proposals or rows."""
    by_pk = {track.pk: track for track in scope.tracks}
    for proposal in proposals:
        ranking.flag(proposal, min_reviews=by_pk[proposal.track_id].min_reviews)
        proposal.speakers_hidden = proposal.track_id in scope.hidden_ids
    return proposals


def triage_context(scope: selectors.TriageScope) -> dict:
    """The triage list's header: each track's phases, "assigned to you, N left", the sort
    choices and the tracks whose assignment and ranking pages the viewer may open."""
    return {
        "track_phases": [(track, phases.current_phases(track)) for track in scope.tracks],
        "my_assignments": assignment.my_assignment_counts(
            user=scope.user, conference=scope.conference
        ),
        "sorts": [(key, label) for key, (label, _attr, _desc) in ranking.SORTS.items()],
        "chaired_tracks": [track for track in scope.tracks if track.pk in scope.decider_ids],
        "disagreement_spread": ranking.DISAGREEMENT_SPREAD,
    }


def review_form_options(user, proposal) -> dict:
    """The review form's optional fields: the comment to the speaker where the track allows
    it, the override reason for a chair when the review phase is closed."""
    closed = bool(phases.review_phase_refusal(proposal.track))
    return {
        "speaker_comments": proposal.track.speaker_comments,
        "override": closed and is_track_decider(user, proposal.track),
    }


def detail_context(user, proposal, *, may_decide: bool) -> dict:
    track = proposal.track
    context = {
        "speakers_hidden": anonymity.speakers_hidden(user, track),
        "track_phases": phases.current_phases(track),
        "review_closed": phases.review_phase_refusal(track),
        "decision_closed": phases.decision_phase_refusal(track),
        "may_override_review": is_track_decider(user, track),
    }
    if may_decide:
        context["assigned_reviewers"] = [
            a.reviewer
            for a in ReviewAssignment.objects.filter(proposal=proposal).select_related("reviewer")
        ]
    return context


# --------------------------------------------------------------------------------- pages


def _guard(request):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.get_full_path()}")
    if not can_use_triage(request.user):
        raise PermissionDenied("The review area is for reviewers, chairs and organizers.")
    return None


def _scope(request) -> selectors.TriageScope:
    """The viewer's ``TriageScope``, and ``_guard``'s refusal for a signed-in person who may
    not use the triage area, without reading their roles twice: whoever sees a track of the
    edition may (``can_use_triage`` is asked only of the others)."""
    scope = selectors.triage_scope(user=request.user, conference=request_conference(request))
    if not (scope.organizer or scope.tracks) and not can_use_triage(request.user):
        raise PermissionDenied("The review area is for reviewers, chairs and organizers.")
    selectors.note_sees_triage(request.user)
    return scope


def _filters(request, scope: selectors.TriageScope) -> dict:
    """The triage list's filters from the query string (the page and its CSV export);
    anything unknown is ignored."""
    track_id = request.GET.get("track", "")
    state = request.GET.get("state", "")
    return {
        "track": next((t for t in scope.tracks if str(t.pk) == track_id), None),
        "state": state if state in Proposal.State.values else "",
        "unreviewed_by_me": request.GET.get("unreviewed") == "1",
        "sort": ranking.sort_key(request.GET.get("sort", "")),
        "assigned_to_me": request.GET.get("assigned") == "1",
    }


def _track(request, pk) -> Track:
    """A track of the viewer's triage area (404 for any other, like an unknown id)."""
    tracks = selectors.triage_tracks(user=request.user, conference=request_conference(request))
    return get_object_or_404(tracks.select_related("conference", "microconference"), pk=pk)


def _decider_track(request, pk) -> Track:
    track = _track(request, pk)
    if not is_track_decider(request.user, track):
        raise PermissionDenied(f"Only the chairs of {track.name} and organizers may do this.")
    return track


def _visible_in(request, track):
    """The proposals of ``track`` the viewer may see: never one they speak on or declared a
    conflict on, even as its chair (``selectors.visible_proposals``)."""
    return selectors.visible_proposals(
        user=request.user, conference=request_conference(request)
    ).filter(track=track)


def _assign_form(request, track, data=None) -> AssignForm:
    committee = User.objects.filter(
        Q(cfp_reviewer_tracks=track)
        | Q(cfp_chair_tracks=track)
        | Q(led_microconferences__cfp_tracks=track)
    ).distinct()
    return AssignForm(
        data,
        proposals=assignment.assignable_proposals(track)
        .filter(pk__in=_visible_in(request, track).values("pk"))
        .order_by("title", "pk"),
        reviewers=committee.order_by("display_name", "email"),
    )


def _assignments_page(request, track, *, assign_form=None, auto_form=None, status=200):
    proposals = list(
        assignment.assignable_proposals(track)
        .filter(pk__in=_visible_in(request, track).values("pk"))
        .select_related("submitter")
        .prefetch_related("assignments__reviewer", "reviews")
        .order_by("created_at", "pk")
    )
    loads = (
        ReviewAssignment.objects.filter(proposal__track=track)
        .values("reviewer__display_name", "reviewer__email")
        .annotate(n=Count("pk"))
        .order_by("-n", "reviewer__display_name")
    )
    preferences = ReviewerPreference.objects.filter(track=track).select_related("reviewer")
    return render(
        request,
        "cfp/review_assignments.html",
        {
            "track": track,
            "proposals": proposals,
            "loads": loads,
            "preferences": preferences,
            "reviewer_count": len(assignment.track_reviewer_ids(track)),
            "assign_form": assign_form or _assign_form(request, track),
            "auto_form": auto_form or AutoAssignForm(initial={"k": track.min_reviews}),
        },
        status=status,
    )


def track_assignments(request, pk):
    """The chairs' assignment page: who reviews what, loads, preferences; assign by hand
    (POST) or automatically (``track_assign_auto``)."""
    guard = _guard(request)
    if guard:
        return guard
    track = _decider_track(request, pk)
    if request.method != "POST":
        return _assignments_page(request, track)
    form = _assign_form(request, track, request.POST)
    if form.is_valid():
        try:
            services.assignment_add(
                proposal=form.cleaned_data["proposal"],
                reviewer=form.cleaned_data["reviewer"],
                actor=request.user,
            )
        except CfpError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"{form.cleaned_data['reviewer']} now reviews "
                f"“{form.cleaned_data['proposal'].title}”.",
            )
            return redirect("cfp:track_assignments", pk=track.pk)
    return _assignments_page(request, track, assign_form=form, status=400)


@require_POST
def track_assign_auto(request, pk):
    guard = _guard(request)
    if guard:
        return guard
    track = _decider_track(request, pk)
    form = AutoAssignForm(request.POST)
    if form.is_valid():
        try:
            created = services.assignment_auto(
                track=track, k=form.cleaned_data["k"], actor=request.user
            )
        except CfpError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"{len(created)} new assignment{'s' if len(created) != 1 else ''}; "
                "the reviewers were mailed.",
            )
            return redirect("cfp:track_assignments", pk=track.pk)
    return _assignments_page(request, track, auto_form=form, status=400)


@require_POST
def track_unassign(request, pk):
    guard = _guard(request)
    if guard:
        return guard
    track = _decider_track(request, pk)
    form = UnassignForm(request.POST)
    found = None
    if form.is_valid():
        found = (
            ReviewAssignment.objects.filter(
                pk=form.cleaned_data["assignment"], proposal__track=track
            )
            .select_related("proposal", "reviewer")
            .first()
        )
    if found is None:
        messages.error(request, "Choose an assignment of this track to remove.")
        return redirect("cfp:track_assignments", pk=track.pk)
    try:
        services.assignment_remove(assignment_obj=found, actor=request.user)
    except CfpError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{found.reviewer} no longer reviews “{found.proposal.title}” "
            "(a review already written stays).",
        )
    return redirect("cfp:track_assignments", pk=track.pk)


def track_preference(request, pk):
    """A reviewer says how much they want to review a track and what they know."""
    guard = _guard(request)
    if guard:
        return guard
    track = _track(request, pk)
    if not is_track_committee(request.user, track):
        raise PermissionDenied(f"You are not a reviewer of {track.name}.")
    current = ReviewerPreference.objects.filter(track=track, reviewer=request.user).first()
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            try:
                services.reviewer_preference_set(
                    track=track,
                    reviewer=request.user,
                    level=form.cleaned_data["level"],
                    expertise=form.cleaned_data["expertise"],
                )
            except CfpError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"Your preference for {track.name} was saved.")
                return redirect("cfp:review_list")
    else:
        initial = (
            {"level": current.level, "expertise": current.expertise}
            if current
            else {"level": "willing"}
        )
        form = PreferenceForm(initial=initial)
    return render(
        request,
        "cfp/review_preference.html",
        {"track": track, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def track_ranking(request, pk):
    """The chairs' ranked table of a track, with the line where the accepted count falls
    (the track's target) and bulk decisions through the audited, mailed decision service
    (the triage area's bulk form)."""
    guard = _guard(request)
    if guard:
        return guard
    track = _decider_track(request, pk)
    by = request.GET.get("by", "weighted")
    if by not in ranking.RANKED_BY:
        by = "weighted"
    rows = ranking.ranked_track(track=track, by=by, proposals=_visible_in(request, track))
    target = track.accept_target
    return render(
        request,
        "cfp/review_ranking.html",
        {
            "track": track,
            "rows": rows,
            "by": by,
            "ranked_by": [(key, label) for key, (label, _a, _d) in ranking.RANKED_BY.items()],
            "target": target,
            "top_ids": {p.pk for p in rows[:target]} if target else set(),
            "decision_closed": phases.decision_phase_refusal(track),
            "bulk_form": BulkDecideForm(queryset=Proposal.objects.none()),
        },
    )


# ------------------------------------------------------------------------ the triage list

# What a row of the triage list shows besides the viewer's own review and the statistics,
# read as plain values (building 200 proposals, tracks and users was a third of the page).
ROW_FIELDS = ("pk", "title", "state", "track_id", "submitter__display_name", "submitter__email")
ROW_TEMPLATE = "cfp/review_list_row.html"
# A row's HTML is a function of the values its key is made of (``_row_values``), so it can
# never be stale; entries only go away to free the cache.
ROW_TTL = 3600


def _row_values(row: selectors.TriageRow, track: Track, *, selectable: bool | None) -> dict:
    """Everything a row's HTML shows, and nothing else: its cache key is their hash, so two
    viewers share a row exactly when they would see the same row. On a track whose speakers
    are hidden from the viewer the name is not here at all, so no cached row can hold it.
    ``selectable``: None without a selection column, else whether this row has a box."""
    return {
        "pk": row.pk,
        "title": row.title,
        "track": track.name,
        "state": row.state,
        "speaker": None
        if row.speakers_hidden
        else (row.submitter__display_name, row.submitter__email),
        "selectable": selectable,
        "assigned": row.assigned_to_me,
        "my_score": row.my_score if row.reviewed_by_me else None,
        # None: the viewer may not see the statistics before their own review.
        "stats": None
        if row.review_count is None
        else {
            "mean": row.mean_score,
            "count": row.review_count,
            "short_of": track.min_reviews if row.short_of_k else None,
            "median": row.median_score,
            "spread": row.score_spread,
            "disagree": row.disagree,
            "weighted": row.weighted_score,
        },
    }


def _render_row(template, values: dict) -> str:
    speaker = values["speaker"]
    return template.render(
        {
            "r": values,
            "state_label": Proposal.State(values["state"]).label,
            # The one rule for a person's name (User.__str__), without reading the user.
            "speaker_name": None
            if speaker is None
            else str(User(display_name=speaker[0], email=speaker[1])),
        }
    )


def _digest(text: str, size: int) -> str:
    return hashlib.blake2b(text.encode(), digest_size=size).hexdigest()


def _rows_html(rows: list[dict]) -> SafeString:
    """The rows of the triage list from the shared cache: the whole list in one entry when
    a viewer with the same rows (the same person, or one in the same position) saw it
    already, else each row from one ``get_many``, rendering (and storing) only those nobody
    has seen yet. A change to a proposal, its reviews or its speaker changes that row's
    values and so its key: the other rows stay cached. Templates render 200 rows in about
    twenty milliseconds; the cache returns them in one or two (the whole list, in well
    under one). The keys also hold the row template's source, so a deploy that changes it
    never serves old rows."""
    template = get_template(ROW_TEMPLATE)
    if not settings.PLUMBERS_FRAGMENT_CACHE:
        return mark_safe("".join(_render_row(template, values) for values in rows))
    form = _digest(template.template.source, 6)
    keys = [f"cfp:triage-row:{form}:{_digest(repr(values), 16)}" for values in rows]
    whole_key = f"cfp:triage-rows:{form}:{_digest(' '.join(keys), 16)}"
    html = cache.get(whole_key)
    if html is None:
        found = cache.get_many(keys)
        rendered = {}
        for key, values in zip(keys, rows, strict=True):
            if key not in found:
                rendered[key] = found[key] = _render_row(template, values)
        html = "".join(found[key] for key in keys)
        cache.set_many({**rendered, whole_key: html}, ROW_TTL)
    return mark_safe(html)  # our own autoescaping template


def _listed(request, scope, filters, **fetch):
    """The proposals the list and its CSV show, with what the viewer may see of them."""
    return decorate_triage(
        scope,
        selectors.triage_list(
            user=request.user, conference=scope.conference, scope=scope, **filters, **fetch
        ),
    )


def review_list(request):
    """The triage list: the proposals of the viewer's tracks with their statistics, filters,
    sorts and the chairs' bulk decision.

    Not paginated: a committee triages a track as one table (sort it by score, see where
    reviewers disagree, select across it for a bulk decision), and a track has a few hundred
    proposals at most. Six queries whatever the number of proposals (the viewer's tracks and
    the chaired ones, the rows, their scores, the assignments; the organizer role, which the
    header reads anyway), and the rows' HTML comes from the shared cache (``_rows_html``)."""
    if not request.user.is_authenticated:
        return _guard(request)
    scope = _scope(request)
    filters = _filters(request, scope)
    rows = _listed(request, scope, filters, fields=ROW_FIELDS)
    # The proposals listed are never the viewer's own (``visible_proposals``), so whether
    # they may decide one is whether they decide in its track.
    can_decide_any = any(row.track_id in scope.decider_ids for row in rows)
    tracks = {track.pk: track for track in scope.tracks}
    return render(
        request,
        "cfp/review_list.html",
        {
            "tracks": scope.tracks,
            "track": filters["track"],
            "state": filters["state"],
            "states": Proposal.State.choices,
            "unreviewed": filters["unreviewed_by_me"],
            "sort": filters["sort"],
            "assigned": filters["assigned_to_me"],
            "count": len(rows),
            "rows_html": _rows_html(
                [
                    _row_values(
                        row,
                        tracks[row.track_id],
                        selectable=(row.track_id in scope.decider_ids) if can_decide_any else None,
                    )
                    for row in rows
                ]
            ),
            "can_decide_any": can_decide_any,
            "bulk_form": BulkDecideForm(queryset=Proposal.objects.none()),
            **triage_context(scope),
        },
    )


# ------------------------------------------------------------------------ the CSV export

CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(CSV_FORMULA_STARTS) else text


def review_export_csv(request):
    """The triage list as CSV, with the list's filters: exactly what the viewer may see
    there — no speaker on an anonymised track (unless they chair it), no statistics before
    their own review."""
    if not request.user.is_authenticated:
        return _guard(request)
    scope = _scope(request)
    filters = _filters(request, scope)
    proposals = _listed(request, scope, filters, prefetch=("co_speakers",))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="proposals.csv"'
    writer = csv.writer(response)
    writer.writerow(
        [
            "id",
            "title",
            "track",
            "speakers",
            "state",
            "reviews",
            "mean",
            "median",
            "spread",
            "weighted mean",
            "my score",
            "assigned to me",
        ]
    )
    for p in proposals:
        if p.speakers_hidden:
            speakers = anonymity.ANONYMOUS_LABEL
        else:
            speakers = ", ".join(str(person) for person in [p.submitter, *p.co_speakers.all()])
        writer.writerow(
            [
                _cell(v)
                for v in [
                    p.pk,
                    p.title,
                    p.track.name,
                    speakers,
                    p.get_state_display(),
                    p.review_count,
                    None if p.mean_score is None else f"{p.mean_score:.2f}",
                    p.median_score,
                    p.score_spread,
                    None if p.weighted_score is None else f"{p.weighted_score:.2f}",
                    None if p.my_score is None else f"{p.my_score:+d}",
                    "yes" if p.assigned_to_me else "",
                ]
            ]
        )
    return response
