"""CFP pages. Thin: permission, form, one service, message, redirect.

Access rules (tested, for every role, in tests/security/test_permission_matrix.py):

* /cfp/ and /cfp/deadlines.ics are public.
* Submitting and "my proposals" need a login (anonymous people are sent to the login page
  and back) and a verified email address (otherwise 403 with an explanation).
* A proposal that is not yours answers 404 on the edit and withdraw pages.
* The triage area /cfp/review/... answers 403 to logged-in people who review no track and
  are not organizers (the area itself is no secret). Inside it, a proposal you may not see
  (another track's, or one you submitted, co-speak or declared a conflict on) answers 404,
  exactly like an id that does not exist, so ids cannot be probed.
* Deciding needs a chair of the proposal's track or an organizer (403 otherwise).
"""

import datetime as dt

import icalendar
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from cfp import late_codes, review_views, selectors, services
from cfp.forms import (
    BulkDecideForm,
    ConflictForm,
    DecideForm,
    LateCodeForm,
    ProposalForm,
    ReviewForm,
    SubmitForm,
)
from cfp.models import Proposal, Review, Track
from cfp.permissions import (
    can_edit_proposal,
    can_review_proposal,
    can_use_triage,
    is_invitee,
    is_proposal_decider,
    is_proposal_open_to_edits,
    is_proposal_reviewer,
    is_track_open,
    sees_scores,
)
from cfp.services import CfpError
from plumbers.pagecache import public_page
from plumbers.permissions import is_verified
from plumbers.selectors import request_conference


@public_page
def index(request):
    conference = request_conference(request)
    return render(
        request,
        "cfp/index.html",
        {
            "conference": conference,
            # Read only when the shared fragment of the tracks is not cached yet.
            "tracks": selectors.public_tracks(conference=conference),
            "can_review": request.user.is_authenticated and can_use_triage(request.user),
        },
    )


@public_page
def deadlines_ics(request):
    """One VEVENT per track of the current edition. The UID never changes and SEQUENCE is the
    number of extensions, so calendar apps move the event when a deadline is extended."""
    conference = request_conference(request)
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Plumbers//CFP deadlines//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", f"{conference.name if conference else 'Plumbers'} CFP deadlines")
    for track in selectors.public_tracks(conference=conference):
        event = icalendar.Event()
        event.add("uid", f"track-{track.pk}@plumbers")
        event.add("sequence", track.sequence)
        event.add("summary", f"CFP deadline: {track.name}")
        event.add("dtstart", track.deadline.astimezone(dt.UTC))
        event.add("dtend", track.deadline.astimezone(dt.UTC))
        event.add("dtstamp", (track.last_extension.at if track.is_extended else track.opens_at))
        description = f"Submit at {request.build_absolute_uri(track.get_submit_url())}"
        if track.is_extended:
            ext = track.last_extension
            original = track.original_deadline.astimezone(dt.UTC)
            description += f"\nExtended from {original:%Y-%m-%d %H:%M} UTC. {ext.reason}"
        event.add("description", description)
        event.add("url", request.build_absolute_uri(reverse("cfp:index")))
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="cfp-deadlines.ics"'
    return response


def _require_verified(request):
    if not is_verified(request.user):
        response = render(request, "cfp/verify_first.html", status=403)
        return response
    return None


@login_required
def submit(request, slug):
    conference = request_conference(request)
    track = get_object_or_404(Track.objects.with_extensions(), conference=conference, slug=slug)
    refusal = _require_verified(request)
    if refusal:
        return refusal
    # After the deadline a chair's late-submission code (``?code=`` or the form's field)
    # admits its person: the deadline itself stays as published.
    late = track.has_opened() and not track.is_open()
    code = late_codes.normalise(request.GET.get("code", "")) if late else ""
    code_refusal = (
        late_codes.check_late_code(text=code, track=track, user=request.user) if code else ""
    )
    form = SubmitForm(
        request.POST if request.method == "POST" else None,
        submitter=request.user,
        with_code=late,
        initial={"late_code": code},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.proposal_submit(
                track=track,
                submitter=request.user,
                title=data["title"],
                abstract=data["abstract"],
                notes=data["notes"],
                co_speaker_emails=data["co_speakers"],
                late_code=data.get("late_code", ""),
            )
        except CfpError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"Thank you: “{data['title']}” was submitted.")
            return redirect("cfp:my_proposals")
    status = 200
    if request.method == "POST" and form.errors:
        status = 400
    return render(
        request,
        "cfp/submit.html",
        {
            "track": track,
            "form": form,
            "is_open": is_track_open(request.user, track),
            "late": late,
            "code_admits": bool(code) and not code_refusal,
            "code_refusal": code_refusal,
            "code_form": LateCodeForm(initial={"code": code}),
        },
        status=status,
    )


@login_required
def my_proposals(request):
    return render(request, "cfp/my_proposals.html", selectors.my_proposals_page(user=request.user))


def _my_proposal(request, pk):
    return get_object_or_404(
        Proposal.objects.select_related("track", "track__conference").prefetch_related(
            "co_speakers"
        ),
        pk=pk,
        submitter=request.user,
    )


@login_required
def proposal_edit(request, pk):
    proposal = _my_proposal(request, pk)
    if request.method == "POST":
        form = ProposalForm(request.POST, submitter=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.proposal_update(
                    proposal=proposal,
                    actor=request.user,
                    title=data["title"],
                    abstract=data["abstract"],
                    notes=data["notes"],
                    co_speaker_emails=data["co_speakers"],
                )
            except CfpError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"“{data['title']}” was saved.")
                return redirect("cfp:my_proposals")
    else:
        form = ProposalForm(initial=ProposalForm.initial_for(proposal), submitter=request.user)
    return render(
        request,
        "cfp/proposal_edit.html",
        {
            "proposal": proposal,
            "track": proposal.track,
            "form": form,
            "editable": can_edit_proposal(request.user, proposal),
            # Why not, when not: its state, or else the window.
            "state_allows_edit": is_proposal_open_to_edits(request.user, proposal),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def proposal_withdraw(request, pk):
    proposal = _my_proposal(request, pk)
    if request.method == "POST":
        try:
            services.proposal_withdraw(proposal=proposal, actor=request.user)
        except CfpError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"“{proposal.title}” was withdrawn.")
        return redirect("cfp:my_proposals")
    return render(request, "cfp/proposal_withdraw.html", {"proposal": proposal})


@login_required
def invitation(request, token):
    """An invitation to co-speak, from its mail: accept (with the invited address) or
    decline. An unknown or answered token gets the same page as any closed invitation."""
    invitation = selectors.open_invitation(token=token)
    if invitation is not None and not is_invitee(request.user, invitation):
        context = {"invitation": None, "elsewhere": services.INVITED_ELSEWHERE}
        return render(request, "cfp/invitation.html", context, status=403)
    if request.method == "POST" and invitation is not None:
        answer = request.POST.get("answer")
        service = {
            "accept": services.co_speaker_invitation_accept,
            "decline": services.co_speaker_invitation_decline,
        }.get(answer)
        if service is None:
            messages.error(request, "Choose “Accept” or “Decline”.")
        else:
            try:
                proposal = service(token=token, user=request.user)
            except CfpError as exc:
                messages.error(request, str(exc))
            else:
                verb = "are now a co-speaker of" if answer == "accept" else "declined"
                messages.success(request, f"You {verb} “{proposal.title}”.")
                return redirect("cfp:my_proposals")
    if invitation is None:
        status = 404
    else:
        status = 400 if request.method == "POST" else 200
    return render(request, "cfp/invitation.html", {"invitation": invitation}, status=status)


def _triage_guard(request):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('account_login')}?next={request.get_full_path()}")
    if not can_use_triage(request.user):
        raise PermissionDenied("The review area is for reviewers, chairs and organizers.")
    return None


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def review_list(request):
    """The triage list: cfp.review_views, with the triage area's other reads."""
    return review_views.review_list(request)


def review_next(request):
    guard = _triage_guard(request)
    if guard:
        return guard
    conference = request_conference(request)
    track_id = _int_or_none(request.GET.get("track"))
    track = Track.objects.filter(pk=track_id, conference=conference).first() if track_id else None
    proposal = selectors.next_unreviewed(user=request.user, conference=conference, track=track)
    if proposal is None:
        messages.info(request, "Nothing left to review: you have reviewed every proposal.")
        return redirect("cfp:review_list")
    return redirect("cfp:review_detail", pk=proposal.pk)


def _visible_proposal(request, pk):
    return get_object_or_404(
        selectors.visible_proposals(user=request.user, conference=request_conference(request))
        .select_related("track", "track__conference", "submitter")
        .prefetch_related("co_speakers"),
        pk=pk,
    )


def review_detail(request, pk):
    guard = _triage_guard(request)
    if guard:
        return guard
    proposal = _visible_proposal(request, pk)
    may_review = is_proposal_reviewer(request.user, proposal)
    mine = Review.objects.filter(proposal=proposal, reviewer=request.user).first()
    if request.method == "POST":
        if not may_review:
            raise PermissionDenied("You are not a reviewer of this track.")
        form = ReviewForm(request.POST, **review_views.review_form_options(request.user, proposal))
        if form.is_valid():
            try:
                services.review_submit(
                    proposal=proposal,
                    reviewer=request.user,
                    score=form.cleaned_data["score"],
                    confidence=form.cleaned_data["confidence"],
                    comment=form.cleaned_data["comment"],
                    speaker_comment=form.cleaned_data.get("speaker_comment", ""),
                    override_reason=form.cleaned_data.get("override_reason", ""),
                )
            except CfpError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Your review was saved.")
                return redirect("cfp:review_detail", pk=proposal.pk)
    else:
        initial = (
            {
                "score": mine.score,
                "confidence": mine.confidence,
                "comment": mine.comment,
                "speaker_comment": mine.speaker_comment,
            }
            if mine
            else {"score": 0, "confidence": 2}
        )
        form = ReviewForm(
            initial=initial, **review_views.review_form_options(request.user, proposal)
        )
    return _review_page(
        request,
        proposal,
        form=form,
        mine=mine,
        may_review=may_review,
        status=400 if request.method == "POST" else 200,
    )


def _review_page(request, proposal, *, form, mine, may_review, conflict_form=None, status=200):
    # A reviewer sees the others' reviews only once their own is in (no anchoring); chairs
    # and organizers, who decide, always see them.
    may_decide = is_proposal_decider(request.user, proposal)
    others_visible = sees_scores(request.user, proposal, reviewed_by_me=mine is not None)
    others = (
        list(
            proposal.reviews.exclude(reviewer=request.user)
            .select_related("reviewer")
            .order_by("created_at")
        )
        if others_visible
        else []
    )
    return render(
        request,
        "cfp/review_detail.html",
        {
            "proposal": proposal,
            "track": proposal.track,
            "form": form,
            "mine": mine,
            "may_review": may_review,
            "can_review": may_review and can_review_proposal(request.user, proposal),
            "may_decide": may_decide,
            "others_visible": others_visible,
            "others": others,
            "conflict_form": conflict_form or ConflictForm(),
            **review_views.detail_context(request.user, proposal, may_decide=may_decide),
        },
        status=status,
    )


@require_POST
def review_conflict(request, pk):
    guard = _triage_guard(request)
    if guard:
        return guard
    proposal = _visible_proposal(request, pk)
    form = ConflictForm(request.POST)
    if not form.is_valid():
        # Show why, with what was typed, instead of declaring it with the reason dropped.
        mine = Review.objects.filter(proposal=proposal, reviewer=request.user).first()
        return _review_page(
            request,
            proposal,
            form=ReviewForm(**review_views.review_form_options(request.user, proposal)),
            mine=mine,
            may_review=is_proposal_reviewer(request.user, proposal),
            conflict_form=form,
            status=400,
        )
    services.conflict_declare(
        proposal=proposal, reviewer=request.user, reason=form.cleaned_data["reason"]
    )
    messages.success(
        request, f"Conflict declared: “{proposal.title}” is no longer in your review list."
    )
    return redirect("cfp:review_list")


@require_POST
def review_decide(request, pk):
    guard = _triage_guard(request)
    if guard:
        return guard
    proposal = _visible_proposal(request, pk)
    if not is_proposal_decider(request.user, proposal):
        raise PermissionDenied("Only the track's chairs and organizers decide.")
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose accept or reject.")
        return redirect("cfp:review_detail", pk=proposal.pk)
    try:
        changed = services.proposal_decide(
            proposals=proposal,
            decision=form.cleaned_data["decision"],
            actor=request.user,
            override_reason=form.cleaned_data["override_reason"],
        )
    except CfpError as exc:
        messages.error(request, str(exc))
    else:
        verb = "accepted" if form.cleaned_data["decision"] == "accepted" else "rejected"
        if changed:
            messages.success(request, f"“{proposal.title}” {verb}; the speakers were mailed.")
        else:
            messages.info(request, f"“{proposal.title}” was already {verb}.")
    return redirect("cfp:review_detail", pk=proposal.pk)


@require_POST
def review_bulk_decide(request):
    guard = _triage_guard(request)
    if guard:
        return guard
    visible = selectors.visible_proposals(user=request.user, conference=request_conference(request))
    form = BulkDecideForm(request.POST, queryset=visible)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return _back_to_list(request)
    selected = list(form.cleaned_data["proposals"].select_related("track"))
    if not any(is_proposal_decider(request.user, p) for p in selected):
        raise PermissionDenied("Only the track's chairs and organizers decide.")
    try:
        changed = services.proposal_decide(
            proposals=selected,
            decision=form.cleaned_data["decision"],
            actor=request.user,
            override_reason=form.cleaned_data["override_reason"],
        )
    except CfpError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            f"{len(changed)} proposal{'s' if len(changed) != 1 else ''} "
            f"{form.cleaned_data['decision']}; the speakers were mailed.",
        )
    return _back_to_list(request)


def _back_to_list(request):
    """Back to the triage list with its filters (only ever a /cfp/review/ address)."""
    next_url = request.POST.get("next", "")
    if next_url.startswith("/cfp/review/") and "//" not in next_url:
        return redirect(next_url)
    return redirect("cfp:review_list")
