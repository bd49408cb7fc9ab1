"""The speakers' pages of a proposal, and the chairs' late-submission codes. Thin: permission,
form, one service, message, redirect.

Access (tested in tests/security/test_permission_matrix.py):

* /cfp/proposals/<id>/ and its confirm / decline URLs: the proposal's submitter and
  co-speakers only; anybody else gets 404, like an id that does not exist (ids cannot be
  probed), anonymous people the login page.
* /cfp/review/late-codes/: chairs (of the tracks they chair) and organizers (every track of
  the edition); other logged-in people 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from cfp import confirmation, late_codes, selectors
from cfp.forms import DeclineForm, LateCodeIssueForm
from cfp.models import LateSubmissionCode, Proposal, Track
from cfp.permissions import can_confirm_proposal, can_decline_proposal, decider_track_ids
from cfp.services import CfpError
from plumbers.selectors import request_conference


def _speaker_proposal(request, pk) -> Proposal:
    """The proposal if the person submitted or co-speaks it; 404 otherwise."""
    return get_object_or_404(
        Proposal.objects.filter(Q(submitter=request.user) | Q(co_speakers=request.user))
        .select_related("track", "track__conference", "submitter", "microconference")
        .prefetch_related("co_speakers")
        .distinct(),
        pk=pk,
    )


@login_required
def proposal_detail(request, pk):
    proposal = _speaker_proposal(request, pk)
    return render(
        request,
        "cfp/proposal_detail.html",
        {
            "proposal": proposal,
            "track": proposal.track,
            "conference": proposal.track.conference,
            "is_submitter": proposal.submitter_id == request.user.pk,
            "history": selectors.speaker_history(proposal=proposal),
            "may_confirm": can_confirm_proposal(request.user, proposal),
            "may_decline": can_decline_proposal(request.user, proposal),
        },
    )


@login_required
@require_POST
def proposal_confirm(request, pk):
    proposal = _speaker_proposal(request, pk)
    try:
        confirmation.proposal_confirm(proposal=proposal, actor=request.user)
    except CfpError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Thank you: you confirmed “{proposal.title}”.")
    return redirect(_back(request, proposal))


def _back(request, proposal):
    """Back to the list or the proposal's page, whichever the button was on."""
    if request.POST.get("next") == "list":
        return "cfp:my_proposals"
    return proposal.get_absolute_url()


@login_required
def proposal_decline(request, pk):
    proposal = _speaker_proposal(request, pk)
    form = DeclineForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            confirmation.proposal_decline(
                proposal=proposal, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except CfpError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"You declined “{proposal.title}”; the organizers were told.")
        return redirect(proposal.get_absolute_url())
    return render(
        request,
        "cfp/proposal_decline.html",
        {
            "proposal": proposal,
            "form": form,
            "may_decline": can_decline_proposal(request.user, proposal),
        },
        status=400 if request.method == "POST" else 200,
    )


def late_codes_page(request):
    """Chairs issue late-submission codes for the tracks they chair (organizers: all)."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    conference = request_conference(request)
    tracks = list(
        Track.objects.filter(conference=conference).order_by("order", "name")
        if conference is not None
        else []
    )
    allowed = decider_track_ids(request.user, tracks)
    tracks = [track for track in tracks if track.pk in allowed]
    if not tracks:
        raise PermissionDenied("Late-submission codes are issued by the tracks' chairs.")
    tz = conference.tzinfo
    with timezone.override(tz):
        form = LateCodeIssueForm(request.POST if request.method == "POST" else None, tracks=tracks)
        valid = request.method == "POST" and form.is_valid()
    if valid:
        data = form.cleaned_data
        try:
            code = late_codes.late_code_issue(
                track=data["track"],
                email=data["email"],
                max_uses=data["max_uses"],
                expires_at=data["expires_at"],
                reason=data["reason"],
                actor=request.user,
            )
        except CfpError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"Code {code.code} issued to {code.email} for {code.track.name}; "
                "it was mailed to them.",
            )
            return redirect("cfp:late_codes")
    codes = (
        LateSubmissionCode.objects.filter(track__in=tracks)
        .select_related("track", "issued_by")
        .order_by("-created_at", "-id")
    )
    return render(
        request,
        "cfp/late_codes.html",
        {"form": form, "codes": codes, "conference": conference, "now": timezone.now()},
        status=400 if request.method == "POST" else 200,
    )
