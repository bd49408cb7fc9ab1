"""/register/: the person's registration for the current edition. Views are thin: check the
login and the verified address, validate the form, call one service, message, redirect."""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from plumbers.permissions import is_verified
from plumbers.selectors import request_conference
from registration import pagedata, selectors, services
from registration.forms import RedeemForm, RegisterForm
from registration.models import PriorityRule, Registration


def _page(
    request,
    *,
    conference,
    shared=None,
    standing=None,
    bound_kind=None,
    bound_form=None,
    redeem_form=None,
    status=200,
):
    """The person's page. Per request: their registrations, what the page asks about them
    (``selectors.my_standing``), why ended ones ended, their waitlist position (a few small
    prepared queries); the kinds, the rules and the seat counts come shared
    (``registration.pagedata``), and so does the HTML of the blank forms."""
    now = timezone.now()
    shared = shared or pagedata.SharedReads(conference=conference, request=request)
    edition = shared.edition
    kinds = edition.kinds
    mine = selectors.my_registrations(user=request.user, conference=conference, kinds=kinds)
    summaries = shared.summaries(own_change_at=pagedata.last_change(mine.values()))
    end_reasons = selectors.end_reasons(registrations=mine.values())
    entries = []
    has_in_person_place = False
    waitlisted_in_person = False
    for summary in summaries:
        kind = summary.kind
        reg = mine.get(kind.pk)
        active = reg is not None and reg.is_active
        if active and kind.is_in_person and reg.status == Registration.Status.CONFIRMED:
            has_in_person_place = True
        if active and kind.is_in_person and reg.status == Registration.Status.WAITLISTED:
            waitlisted_in_person = True
        if bound_kind is not None and bound_kind.pk == kind.pk:
            form, waitlist = bound_form, bound_form.fields["reason"].required
        else:
            # Built only if the template renders it (the blank form's HTML is shared).
            waitlist = summary.sold_out
            form = functools.partial(RegisterForm, kind=kind, waitlist=waitlist)
        entries.append(
            {
                "kind": kind,
                "summary": summary,
                "registration": reg,
                "active": active,
                "open": kind.is_open(now),
                "not_yet_open": now < kind.opens_at,
                "position": pagedata.own_position(
                    registration=reg, edition=edition, user=request.user
                )
                if active
                else None,
                "form": form,
                "bound": bound_kind is not None and bound_kind.pk == kind.pk,
                "waitlist": waitlist,
                "end_reason": end_reasons.get(reg.pk, "") if reg is not None else "",
                "ended_by_in_person": reg is not None
                and selectors.ended_by_in_person(registration=reg, mine=mine.values()),
            }
        )
    in_person_kinds = [e for e in entries if e["kind"].is_in_person]
    return render(
        request,
        "registration/register.html",
        {
            "conference": conference,
            "entries": entries,
            "verified": True,
            "explain": _explanation(
                edition, user=request.user, skip_priority=waitlisted_in_person, standing=standing
            ),
            "waitlisted_in_person": waitlisted_in_person,
            "not_registered": not any(entry["active"] for entry in entries),
            "redeem_form": redeem_form or RedeemForm,  # a blank one only if rendered
            "redeem_bound": redeem_form is not None,
            # A refused code is shown back on its form, even to someone with a place.
            "can_redeem": bool(in_person_kinds)
            and (not has_in_person_place or bool(redeem_form and redeem_form.errors)),
        },
        status=status,
    )


def _explanation(
    edition: pagedata.Edition, *, user=None, skip_priority=False, standing=None
) -> dict:
    """How registration works, before anyone acts: the seats, the waitlist's rules in
    plain words (and which apply to ``user``), how long an offer is held."""
    rules = [
        {"rule": rule, "words": PLAIN_RULES.get(rule.kind, rule.get_kind_display())}
        for rule in edition.rules
    ]
    mine = None
    if user is not None and user.is_authenticated and rules and not skip_priority:
        mine = selectors.my_priority(
            user=user,
            conference=edition.conference,
            rules=edition.priority(),
            contributors=edition.contributors(),
            standing=standing,
        )
    return {
        "in_person": [k for k in edition.kinds if k.is_in_person],
        "virtual": [k for k in edition.kinds if not k.is_in_person],
        "rules": rules,
        "my_priority": mine,
    }


PLAIN_RULES = {
    PriorityRule.Kind.CONTENT_CONTRIBUTOR: "people who contribute content: accepted speakers, "
    "microconference leads and holders of a microconference's complimentary pass",
    PriorityRule.Kind.NEW_ATTENDEE: "new attendees: people who have not attended an earlier "
    "edition in person",
}


def _guard(request):
    """The edition and the verified address every action needs, or a response to return."""
    conference = request_conference(request)
    if conference is None:
        return None, render(request, "registration/register.html", {"conference": None})
    if not is_verified(request.user):
        return None, render(
            request,
            "registration/register.html",
            {"conference": conference, "verified": False},
            status=403 if request.method == "POST" else 200,
        )
    return conference, None


def register(request):
    if not request.user.is_authenticated:
        # Say how it works and how to get in, rather than a silent jump to "Sign in".
        conference = request_conference(request)
        explain = None
        if conference is not None:
            edition = pagedata.SharedReads(conference=conference, request=request).edition
            explain = _explanation(edition)
        return render(
            request,
            "registration/register.html",
            {
                "conference": conference,
                "anonymous": True,
                "explain": explain,
                "next": request.get_full_path(),
            },
        )
    conference = request_conference(request)
    shared = standing = None
    if conference is not None:
        # One query answers whether the address is verified along with what the page asks
        # about the person; the general guard answers only when it says no.
        shared = pagedata.SharedReads(conference=conference, request=request)
        standing = selectors.my_standing(
            user=request.user, conference=conference, contributors=shared.edition.contributors()
        )
    if standing is None or not standing["verified"]:
        conference, response = _guard(request)
        if response is not None:
            return response
    return _page(request, conference=conference, shared=shared, standing=standing)


@login_required
@require_POST
def register_kind(request, kind_id: int):
    # The rush's request. One query reads the kind (of the current edition), whether the
    # person's address is verified, their registration of it and whether anybody waits; the
    # general guard answers only when that finds no kind or no verified address.
    kind = selectors.kind_for_registration(kind_id=kind_id, user=request.user)
    if kind is None or not kind.registrant_verified:
        conference, response = _guard(request)
        if response is not None:
            return response
        raise Http404("No such attendance kind.")
    conference = kind.conference
    waitlist = request.POST.get("waitlist") == "1"
    form = RegisterForm(request.POST, kind=kind, waitlist=waitlist)
    if form.is_valid():
        try:
            reg = services.registration_create(
                user=request.user, kind=kind, reason=form.cleaned_data["reason"]
            )
        except services.AlreadyRegistered as exc:
            # A replayed or double-submitted form: the page shows the registration, not the
            # form, so the reason goes into a message.
            messages.error(request, str(exc))
            return redirect("registration:register")
        except services.SoldOut as exc:
            # Sold out while the page was open: a page with just the waitlist form, what was
            # typed kept. (In a rush most posts end here, so it is kept light.)
            form = RegisterForm(request.POST, kind=kind, waitlist=True)
            form.is_valid()
            form.add_error(None, str(exc))
            return render(
                request,
                "registration/join_waitlist.html",
                {"conference": conference, "kind": kind, "form": form},
                status=400,
            )
        except services.RegistrationError as exc:
            form.add_error(None, str(exc))
        else:
            if reg.status == Registration.Status.CONFIRMED:
                messages.success(request, f"{kind.name}: your registration is confirmed.")
            else:
                messages.success(request, f"{kind.name}: you are on the waitlist.")
            return redirect("registration:register")
    return _page(request, conference=conference, bound_kind=kind, bound_form=form, status=400)


def _own_registration(request, registration_id: int, conference):
    return get_object_or_404(
        Registration.objects.select_related("kind"),
        pk=registration_id,
        user=request.user,
        kind__conference=conference,
    )


def _registration_action(request, registration_id: int, action):
    conference, response = _guard(request)
    if response is not None:
        return response
    reg = _own_registration(request, registration_id, conference)
    try:
        message = action(reg)
    except services.RegistrationError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, message)
    return redirect("registration:register")


@login_required
@require_POST
def accept(request, registration_id: int):
    def act(reg):
        services.offer_accept(registration=reg, user=request.user)
        return f"{reg.kind.name}: your registration is confirmed."

    return _registration_action(request, registration_id, act)


@login_required
@require_POST
def decline(request, registration_id: int):
    def act(reg):
        services.offer_decline(registration=reg, user=request.user)
        return f"{reg.kind.name}: you declined the offer; the seat goes to the next person."

    return _registration_action(request, registration_id, act)


@login_required
def cancel(request, registration_id: int):
    """GET asks for confirmation (a scarce seat is not given up by one stray click)."""
    if request.method != "POST":
        conference, response = _guard(request)
        if response is not None:
            return response
        reg = _own_registration(request, registration_id, conference)
        if not reg.is_active:
            messages.error(request, "This registration is not active any more.")
            return redirect("registration:register")
        return render(
            request,
            "registration/cancel_confirm.html",
            {"registration": reg, "conference": conference},
        )

    def act(reg):
        was_waiting = reg.status == Registration.Status.WAITLISTED
        services.registration_cancel(
            registration=reg,
            actor=request.user,
            reason="Left the waitlist." if was_waiting else "Cancelled by the attendee.",
        )
        if was_waiting:
            return f"{reg.kind.name}: you left the waitlist."
        return f"{reg.kind.name}: your registration is cancelled."

    return _registration_action(request, registration_id, act)


@login_required
@require_POST
def redeem(request):
    conference, response = _guard(request)
    if response is not None:
        return response
    form = RedeemForm(request.POST)
    if form.is_valid():
        try:
            reg = services.pass_redeem(code=form.cleaned_data["code"], user=request.user)
        except services.AlreadyRegistered as exc:
            # The redeem form is not shown to someone with a place: say it in a message.
            messages.error(request, str(exc))
            return redirect("registration:register")
        except services.RegistrationError as exc:
            form.add_error("code", str(exc))
        else:
            messages.success(
                request, f"{reg.kind.name}: your registration is confirmed with your pass."
            )
            return redirect("registration:register")
    return _page(request, conference=conference, redeem_form=form, status=400)
