"""Review depth in the triage area (issue 14, the reviewers' half): phases, anonymised
review, assignment and the chairs' ranked table.

Access (tested for every role in tests/security/test_permission_matrix.py): the track pages
answer like the rest of the triage area — a login redirect for anonymous people, 403 for
people who review nothing, 404 for a track outside the viewer's tracks. The assignment and
ranking pages are for the track's deciders (its chairs and organizers): its reviewers get
403. The preference page is for the track's committee (organizers reviewing nothing get 403).

Helpers at the top feed cfp.views' list and detail pages, so the rules stay in one place.
"""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
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
    decider_track_ids,
    is_track_committee,
    is_track_decider,
)
from cfp.services import CfpError
from plumbers.models import User
from plumbers.selectors import request_conference

# ------------------------------------------------------------------- helpers for cfp.views


def decorate_triage(user, tracks, proposals, *, sort: str) -> list[Proposal]:
    """The triage list's statistics (median: one query), flags (high spread, short of K),
    hidden speakers, and the sorts SQL does not do."""
    visible = [p for p in proposals if p.review_count is not None]
    ranking.attach_medians(visible)
    by_pk = {track.pk: track for track in tracks}
    hidden = anonymity.hidden_speaker_track_ids(user, tracks)
    for proposal in proposals:
        if proposal.review_count is None:
            proposal.median_score = None
        track = by_pk.get(proposal.track_id, proposal.track)
        ranking.flag(proposal, min_reviews=track.min_reviews)
        proposal.speakers_hidden = proposal.track_id in hidden
    if sort in {"weighted", "median", "spread"}:
        proposals = ranking.sort_proposals(list(proposals), sort)
    return proposals


def triage_context(user, conference, tracks) -> dict:
    """The triage list's header: each track's phases, "assigned to you, N left", the sort
    choices and the tracks whose assignment and ranking pages the viewer may open."""
    deciders = decider_track_ids(user, tracks)
    return {
        "track_phases": [(track, phases.current_phases(track)) for track in tracks],
        "my_assignments": assignment.my_assignment_counts(user=user, conference=conference),
        "sorts": [(key, label) for key, (label, _attr, _desc) in ranking.SORTS.items()],
        "chaired_tracks": [track for track in tracks if track.pk in deciders],
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
    guard = _guard(request)
    if guard:
        return guard
    conference = request_conference(request)
    tracks = list(selectors.triage_tracks(user=request.user, conference=conference))
    track_id = request.GET.get("track", "")
    track = next((t for t in tracks if str(t.pk) == track_id), None)
    state = request.GET.get("state", "")
    state = state if state in Proposal.State.values else ""
    sort = ranking.sort_key(request.GET.get("sort", ""))
    proposals = list(
        selectors.triage_list(
            user=request.user,
            conference=conference,
            track=track,
            state=state,
            unreviewed_by_me=request.GET.get("unreviewed") == "1",
            sort=sort,
            assigned_to_me=request.GET.get("assigned") == "1",
        ).prefetch_related("co_speakers")
    )
    proposals = decorate_triage(request.user, tracks, proposals, sort=sort)
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
