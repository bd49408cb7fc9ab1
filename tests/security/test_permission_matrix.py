"""Every URL of the site × every role, each with the outcome it must have.

The URL names are discovered from the URL conf (recursively through every include), and
``test_every_url_name_is_classified`` fails while a name has no row in ``EXPECTED``: a page
added later is refused by the suite until somebody says who may open it. The admin and
allauth are covered as groups: allauth's names are rows of the table like ours; the admin is
checked on representative pages (index, each app, each registered model's changelist and
one change page, and every custom admin view, which must be listed in ``ADMIN_CUSTOM``).

Outcomes: 200; a status (400 for a rejected empty form, 403, 404, 405); ``LOGIN`` (302 to
/accounts/login/?next=<the page>); ``ADMIN_LOGIN``; ``Redirect(prefix)`` for a form that did
its work (or told why not) and went on. POST endpoints are posted with empty data through
Django's test client, which skips the CSRF check; the ones that decide something (a review,
a decision) are also posted filled in and valid, where the table says who may really change
the data and everybody else's post must change nothing. Every response, whatever its status,
is searched for the private texts its role may not see (tests/security/roles.py), and no
response may be a 500.

This is the one permission table of the site: the apps' own tests hold no role table of
their own (only unit tests of what a URL cannot show, e.g. a deactivated lead).

No guessing ids: every URL that takes an object's id or slug is also opened with an id that
does not exist and with somebody else's object; both are refused and change nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, include, reverse
from django.urls import path as url_path
from django.urls.resolvers import RegexPattern

from cfp.models import Conflict, Proposal, Review, ReviewAssignment
from microconferences.models import Topic, TopicGroup
from registration.models import ComplimentaryPass, Registration
from tests.security.roles import ROLES, SECRET_READERS, World

# --------------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class Redirect:
    """A 302 whose Location starts with ``prefix``; ``login`` also checks ?next=<page>."""

    prefix: str
    login: bool = False

    def __repr__(self):
        return f"302→{self.prefix}"


LOGIN = Redirect("/accounts/login/?next=", login=True)
ADMIN_LOGIN = Redirect("/admin/login/?next=", login=True)
REFUSALS = {403, 404, 405, LOGIN, ADMIN_LOGIN}

NOT_COMMITTEE = ["attendee", "waitlisted", "speaker"]  # review no track, no organizers


def by_role(default, **overrides) -> dict[str, object]:
    unknown = set(overrides) - set(ROLES)
    assert not unknown, f"unknown roles {unknown}"
    return {role: overrides.get(role, default) for role in ROLES}


def only(roles, allowed, refused, anonymous=LOGIN) -> dict[str, object]:
    """``allowed`` for ``roles``, ``refused`` for the other logged-in roles."""
    return {
        role: anonymous if role == "anonymous" else (allowed if role in roles else refused)
        for role in ROLES
    }


PUBLIC = by_role(200)
SIGNED_IN = by_role(200, anonymous=LOGIN)
POST_ONLY = by_role(405, anonymous=LOGIN)  # login_required outside require_POST
POST_ONLY_ALL = by_role(405)  # require_POST outermost: refuses the method before the login
LOGGED_OUT_ONLY = by_role(Redirect("/"), anonymous=200)  # allauth sends members home


@dataclass(frozen=True)
class Entry:
    """How to build the URL from the world, and the expected outcome per role and method."""

    url: Callable[[World], str]
    get: dict | None = None
    post: dict | None = None
    # For URLs taking an object id/slug: the same URL for an object that does not exist.
    missing: Callable[[World], str] | None = None
    # A filled-in, valid POST: ``form`` builds its data, ``post_form`` is the outcome per
    # role, and ``changes`` the roles whose post does its work; anybody else's post leaves
    # every row of ``snapshot()`` as it was, whatever the answer.
    form: Callable[[World], dict] | None = None
    post_form: dict | None = None
    changes: frozenset[str] = frozenset()


MISSING_ID = 987_654_321


def u(name, **kwargs):
    return reverse(name, kwargs=kwargs or None)


def _invitation(world):
    """A pending invitation to co-speak on P, sent to an address none of the roles has."""
    from cfp.models import CoSpeakerInvitation

    invitation, _ = CoSpeakerInvitation.objects.get_or_create(
        proposal=world.proposal,
        email="invitee@example.net",
        state="pending",
        defaults={"token": "matrix-invitation-token", "invited_by": world.proposal.submitter},
    )
    return invitation


MISSING_GUID = "00000000-0000-4000-8000-000000000000"


def _program(world):
    """A published program: M's block in a room, release 1 (made once per test)."""
    from schedule.models import Item, PublishedSlot, Release, Room
    from schedule.selectors import latest_release

    room, _ = Room.objects.get_or_create(conference=world.conference, name="Matrix room")
    item, _ = Item.objects.get_or_create(
        conference=world.conference,
        microconference=world.mc,
        defaults={"kind": Item.Kind.MICROCONFERENCE},
    )
    if latest_release(world.conference) is None:
        start = dt.datetime.combine(world.conference.starts_on, dt.time(9), world.conference.tzinfo)
        item.room, item.starts_at, item.ends_at = room, start, start + dt.timedelta(hours=3)
        item.save()
        release = Release.objects.create(conference=world.conference, number=1, version="1.0")
        PublishedSlot.objects.create(
            release=release,
            item=item,
            guid=item.guid,
            room=room,
            starts_at=item.starts_at,
            ends_at=item.ends_at,
            title=world.mc.title,
            kind=item.kind,
        )
    return item


def _feed_token(world) -> str:
    """The attendee's private calendar feed token."""
    from schedule.models import CalendarToken

    _program(world)
    token, _ = CalendarToken.objects.get_or_create(
        user=world.users["attendee"], defaults={"token": "matrix-calendar-token-" + "x" * 30}
    )
    return token.token


def _speaker_photo_url(world) -> str:
    """The MC lead (a speaker of the published program) with a photo."""
    from plumbers import services
    from plumbers.models import User
    from tests.sponsors.factories import png_upload

    _program(world)
    lead = User.objects.get(pk=world.users["mc_lead"].pk)  # not the world's shared object
    if not lead.photo:
        services.profile_update(
            user=lead,
            display_name=lead.display_name,
            affiliation=lead.affiliation,
            photo=png_upload(size=(200, 200)),
        )
    filename = lead.photo.name.rsplit("/", 1)[-1]
    return u("speakers:photo", pk=lead.pk, filename=filename)


def mc_url(name, **extra):
    return lambda w: u(name, slug=w.mc.slug, **{k: v(w) for k, v in extra.items()})


def mc_missing(name, *id_kwargs):
    """The MC exists but the topic/heading (``id_kwargs``) does not; without them, no such
    MC."""
    if not id_kwargs:
        return lambda w: u(name, slug="no-such-mc")
    return lambda w: u(name, slug=w.mc.slug, **dict.fromkeys(id_kwargs, MISSING_ID))


# Who may edit the MC's page.
MC_EDITORS = ["mc_lead", "organizer"]
# Triage: reviewers of P's track, its chair, organizers (the MC lead reviews the MC's track).
COMMITTEE = ["mc_lead", "reviewer", "reviewer_other_track", "chair", "organizer"]
SEES_P = ["reviewer", "chair", "organizer"]


def triage(on_p, *, outsiders=403, other_committee=404):
    """A triage-area URL about proposal P: people reviewing nothing get 403, committee members
    of other tracks 404 (P is not in their view), ``on_p`` maps P's viewers to outcomes."""
    result = by_role(other_committee, anonymous=LOGIN)
    for role in NOT_COMMITTEE:
        result[role] = outsiders
    result.update(on_p)
    return result


EXPECTED: dict[str, Entry] = {
    # ------------------------------------------------------------------ core
    "home": Entry(lambda w: u("home"), get=PUBLIC),
    "healthz": Entry(lambda w: u("healthz"), get=PUBLIC),
    "ping": Entry(lambda w: u("ping"), get=PUBLIC),
    "news_list": Entry(lambda w: u("news_list"), get=PUBLIC),
    "news_feed": Entry(lambda w: u("news_feed"), get=PUBLIC),
    "news_detail": Entry(
        lambda w: u("news_detail", slug=w.announcement.slug),
        get=PUBLIC,
        missing=lambda w: u("news_detail", slug="no-such-news"),
    ),
    # An empty POST counts as no POST (``request.POST or None``): the form again.
    # An empty POST is an invalid form: shown again with its errors.
    "me": Entry(lambda w: u("me"), get=SIGNED_IN),
    "profile": Entry(lambda w: u("profile"), get=SIGNED_IN, post=by_role(400, anonymous=LOGIN)),
    # ------------------------------------------------------------------ allauth
    "account_login": Entry(lambda w: u("account_login"), get=LOGGED_OUT_ONLY, post=LOGGED_OUT_ONLY),
    "account_logout": Entry(
        lambda w: u("account_logout"),
        get=by_role(200, anonymous=Redirect("/")),
        post=by_role(Redirect("/")),
    ),
    "account_inactive": Entry(lambda w: u("account_inactive"), get=PUBLIC),
    "account_signup": Entry(
        lambda w: u("account_signup"), get=LOGGED_OUT_ONLY, post=LOGGED_OUT_ONLY
    ),
    "account_reauthenticate": Entry(lambda w: u("account_reauthenticate"), get=SIGNED_IN),
    # An empty POST (no action button) goes back to the page.
    "account_email": Entry(
        lambda w: u("account_email"),
        get=SIGNED_IN,
        post=by_role(Redirect("/accounts/email/"), anonymous=LOGIN),
    ),
    "account_email_verification_sent": Entry(
        lambda w: u("account_email_verification_sent"), get=PUBLIC
    ),
    "account_change_password": Entry(
        lambda w: u("account_change_password"), get=SIGNED_IN, post=SIGNED_IN
    ),
    # Everybody here has a password, so "set password" sends them to "change password".
    "account_set_password": Entry(
        lambda w: u("account_set_password"),
        get=by_role(Redirect("/accounts/password/change/"), anonymous=LOGIN),
    ),
    "account_reset_password": Entry(lambda w: u("account_reset_password"), get=PUBLIC),
    # Login by code is off: nothing pending, so people are sent to the login page / home.
    "account_confirm_login_code": Entry(
        lambda w: u("account_confirm_login_code"),
        get=by_role(Redirect("/"), anonymous=Redirect("/accounts/login/")),
    ),
    "account_confirm_email": Entry(
        lambda w: u("account_confirm_email", key="not-a-real-key"), get=PUBLIC
    ),
    "account_reset_password_from_key_done": Entry(
        lambda w: u("account_reset_password_from_key_done"), get=PUBLIC
    ),
    "account_reset_password_from_key": Entry(
        lambda w: u("account_reset_password_from_key", uidb36="zz", key="not-a-real-key"),
        get=PUBLIC,
    ),
    "account_reset_password_done": Entry(lambda w: u("account_reset_password_done"), get=PUBLIC),
    # ------------------------------------------------------------------ microconferences
    "microconferences:list": Entry(lambda w: u("microconferences:list"), get=PUBLIC),
    "microconferences:detail": Entry(
        lambda w: u("microconferences:detail", slug=w.mc.slug),
        get=PUBLIC,
        missing=lambda w: u("microconferences:detail", slug="no-such-mc"),
    ),
    "microconferences:edit": Entry(
        mc_url("microconferences:edit"),
        get=only(MC_EDITORS, 200, 403),
        post=only(MC_EDITORS, 200, 403),  # empty form: the page again with the errors
        missing=mc_missing("microconferences:edit"),
    ),
    "microconferences:topic_add": Entry(
        mc_url("microconferences:topic_add"),
        get=POST_ONLY,
        post=only(MC_EDITORS, 200, 403),
        missing=mc_missing("microconferences:topic_add"),
    ),
    "microconferences:topic_edit": Entry(
        mc_url("microconferences:topic_edit", pk=lambda w: w.topic.pk),
        get=POST_ONLY,
        post=only(MC_EDITORS, 200, 403),
        missing=mc_missing("microconferences:topic_edit", "pk"),
    ),
    "microconferences:topic_move": Entry(
        mc_url("microconferences:topic_move", pk=lambda w: w.topic.pk),
        get=POST_ONLY,
        post=only(MC_EDITORS, 200, 403),  # no direction: the page with the reason
        missing=mc_missing("microconferences:topic_move", "pk"),
    ),
    "microconferences:topic_delete": Entry(
        mc_url("microconferences:topic_delete", pk=lambda w: w.topic.pk),
        get=POST_ONLY,
        post=only(MC_EDITORS, Redirect("/microconferences/mc-matrix/edit/"), 403),
        missing=mc_missing("microconferences:topic_delete", "pk"),
    ),
    "microconferences:group_add": Entry(
        mc_url("microconferences:group_add"),
        get=POST_ONLY,
        post=only(MC_EDITORS, 200, 403),
        missing=mc_missing("microconferences:group_add"),
    ),
    "microconferences:group_edit": Entry(
        mc_url("microconferences:group_edit", pk=lambda w: w.group.pk),
        get=POST_ONLY,
        post=only(MC_EDITORS, 200, 403),
        missing=mc_missing("microconferences:group_edit", "pk"),
    ),
    "microconferences:group_move": Entry(
        mc_url("microconferences:group_move", pk=lambda w: w.group.pk),
        get=POST_ONLY,
        post=only(MC_EDITORS, 200, 403),
        missing=mc_missing("microconferences:group_move", "pk"),
    ),
    "microconferences:group_delete": Entry(
        mc_url("microconferences:group_delete", pk=lambda w: w.group.pk),
        get=POST_ONLY,
        post=only(MC_EDITORS, 200, 403),  # a heading with topics asks for confirmation
        missing=mc_missing("microconferences:group_delete", "pk"),
    ),
    # ------------------------------------------------------------------ CFP
    "cfp:index": Entry(lambda w: u("cfp:index"), get=PUBLIC),
    "cfp:deadlines_ics": Entry(lambda w: u("cfp:deadlines_ics"), get=PUBLIC),
    "cfp:submit": Entry(
        lambda w: u("cfp:submit", slug=w.track.slug),
        get=SIGNED_IN,
        # An empty POST is an invalid form: shown again with its errors.
        post=by_role(400, anonymous=LOGIN),
        missing=lambda w: u("cfp:submit", slug="no-such-track"),
    ),
    "cfp:my_proposals": Entry(lambda w: u("cfp:my_proposals"), get=SIGNED_IN),
    "cfp:proposal_edit": Entry(
        lambda w: u("cfp:proposal_edit", pk=w.proposal.pk),
        get=only(["speaker"], 200, 404),
        post=only(["speaker"], 400, 404),
        missing=lambda w: u("cfp:proposal_edit", pk=MISSING_ID),
    ),
    "cfp:proposal_withdraw": Entry(
        lambda w: u("cfp:proposal_withdraw", pk=w.proposal.pk),
        get=only(["speaker"], 200, 404),
        post=only(["speaker"], Redirect("/cfp/proposals/"), 404),
        missing=lambda w: u("cfp:proposal_withdraw", pk=MISSING_ID),
    ),
    # The speakers' own page of P and their answer to its acceptance (P is only submitted:
    # confirming or declining it is refused with a message on its page).
    "cfp:proposal_detail": Entry(
        lambda w: u("cfp:proposal_detail", pk=w.proposal.pk),
        get=only(["speaker"], 200, 404),
        missing=lambda w: u("cfp:proposal_detail", pk=MISSING_ID),
    ),
    "cfp:proposal_confirm": Entry(
        lambda w: u("cfp:proposal_confirm", pk=w.proposal.pk),
        get=POST_ONLY,
        post=only(["speaker"], Redirect("/cfp/proposals/"), 404),
        missing=lambda w: u("cfp:proposal_confirm", pk=MISSING_ID),
    ),
    "cfp:proposal_decline": Entry(
        lambda w: u("cfp:proposal_decline", pk=w.proposal.pk),
        get=only(["speaker"], 200, 404),
        post=only(["speaker"], Redirect("/cfp/proposals/"), 404),
        missing=lambda w: u("cfp:proposal_decline", pk=MISSING_ID),
    ),
    # Chairs (of their tracks) and organizers issue late-submission codes; an empty POST is
    # an invalid form.
    "cfp:late_codes": Entry(
        lambda w: u("cfp:late_codes"),
        get=only(["chair", "organizer"], 200, 403),
        post=only(["chair", "organizer"], 400, 403),
    ),
    # The link in an invitation mail: only the invited address's owner (none of the roles
    # here; tests/cfp covers them) sees and answers it; an unknown token is closed (404).
    "cfp:invitation": Entry(
        lambda w: u("cfp:invitation", token=_invitation(w).token),
        get=by_role(403, anonymous=LOGIN),
        post=by_role(403, anonymous=LOGIN),
        missing=lambda w: u("cfp:invitation", token="no-such-invitation"),
    ),
    "cfp:review_list": Entry(lambda w: u("cfp:review_list"), get=only(COMMITTEE, 200, 403)),
    "cfp:review_next": Entry(
        lambda w: u("cfp:review_next"), get=only(COMMITTEE, Redirect("/cfp/review/"), 403)
    ),
    "cfp:review_bulk_decide": Entry(
        lambda w: u("cfp:review_bulk_decide"),
        get=POST_ONLY_ALL,
        # Nothing chosen: back to the list with the reason, for anyone in the area.
        post=only(COMMITTEE, Redirect("/cfp/review/"), 403),
        # P chosen: its reviewer may not decide (403); committee members who cannot see P
        # are sent back with the reason (P is no choice of theirs); its deciders decide.
        form=lambda w: {"decision": "accepted", "proposals": [str(w.proposal.pk)]},
        post_form=only(COMMITTEE, Redirect("/cfp/review/"), 403) | {"reviewer": 403},
        changes=frozenset({"chair", "organizer"}),
    ),
    "cfp:review_detail": Entry(
        lambda w: u("cfp:review_detail", pk=w.proposal.pk),
        get=triage({r: 200 for r in SEES_P}),
        # An empty review is refused with the reasons (400); organizers who review no
        # track may read but not review.
        post=triage({"reviewer": 400, "chair": 400, "organizer": 403}),
        missing=lambda w: u("cfp:review_detail", pk=MISSING_ID),
        # A complete review: P's reviewer changes theirs, its chair adds one.
        form=lambda w: {"score": "-2", "confidence": "3", "comment": "Filled-in review."},
        post_form=triage(
            {
                "reviewer": Redirect("/cfp/review/"),
                "chair": Redirect("/cfp/review/"),
                "organizer": 403,
            }
        ),
        changes=frozenset({"reviewer", "chair"}),
    ),
    "cfp:review_conflict": Entry(
        lambda w: u("cfp:review_conflict", pk=w.proposal.pk),
        get=POST_ONLY_ALL,
        post=triage({r: Redirect("/cfp/review/") for r in SEES_P}),
        missing=lambda w: u("cfp:review_conflict", pk=MISSING_ID),
    ),
    "cfp:review_decide": Entry(
        lambda w: u("cfp:review_decide", pk=w.proposal.pk),
        get=POST_ONLY_ALL,
        post=triage(
            {
                "reviewer": 403,
                "chair": Redirect("/cfp/review/"),
                "organizer": Redirect("/cfp/review/"),
            }
        ),
        missing=lambda w: u("cfp:review_decide", pk=MISSING_ID),
        form=lambda w: {"decision": "accepted"},
        post_form=triage(
            {
                "reviewer": 403,
                "chair": Redirect("/cfp/review/"),
                "organizer": Redirect("/cfp/review/"),
            }
        ),
        changes=frozenset({"chair", "organizer"}),
    ),
    # Review depth (issue 14, the reviewers' half): pages about track A. Assignment and
    # the ranked table are for its deciders (chair, organizer); its reviewer gets 403; the
    # preference page is for its committee (the organizer reviews nothing: 403).
    "cfp:track_assignments": Entry(
        lambda w: u("cfp:track_assignments", pk=w.track.pk),
        get=triage({"reviewer": 403, "chair": 200, "organizer": 200}),
        post=triage({"reviewer": 403, "chair": 400, "organizer": 400}),
        missing=lambda w: u("cfp:track_assignments", pk=MISSING_ID),
    ),
    "cfp:track_assign_auto": Entry(
        lambda w: u("cfp:track_assign_auto", pk=w.track.pk),
        get=POST_ONLY_ALL,
        post=triage({"reviewer": 403, "chair": 400, "organizer": 400}),
        missing=lambda w: u("cfp:track_assign_auto", pk=MISSING_ID),
        form=lambda w: {"k": "1"},
        post_form=triage(
            {
                "reviewer": 403,
                "chair": Redirect("/cfp/review/track/"),
                "organizer": Redirect("/cfp/review/track/"),
            }
        ),
        changes=frozenset({"chair", "organizer"}),
    ),
    "cfp:track_unassign": Entry(
        lambda w: u("cfp:track_unassign", pk=w.track.pk),
        get=POST_ONLY_ALL,
        # Nothing chosen: back to the assignment page with the reason.
        post=triage(
            {
                "reviewer": 403,
                "chair": Redirect("/cfp/review/track/"),
                "organizer": Redirect("/cfp/review/track/"),
            }
        ),
        missing=lambda w: u("cfp:track_unassign", pk=MISSING_ID),
    ),
    "cfp:track_preference": Entry(
        lambda w: u("cfp:track_preference", pk=w.track.pk),
        get=triage({"reviewer": 200, "chair": 200, "organizer": 403}),
        post=triage({"reviewer": 400, "chair": 400, "organizer": 403}),
        missing=lambda w: u("cfp:track_preference", pk=MISSING_ID),
    ),
    # The triage list as CSV: whoever sees the list (the CSV holds what the list shows).
    "cfp:review_export_csv": Entry(
        lambda w: u("cfp:review_export_csv"), get=only(COMMITTEE, 200, 403)
    ),
    "cfp:track_ranking": Entry(
        lambda w: u("cfp:track_ranking", pk=w.track.pk),
        get=triage({"reviewer": 403, "chair": 200, "organizer": 200}),
        missing=lambda w: u("cfp:track_ranking", pk=MISSING_ID),
    ),
    # ------------------------------------------------------------------ registration
    # Anonymous visitors get the explanation with "Log in" / "Create an account" (next kept).
    "registration:register": Entry(lambda w: u("registration:register"), get=PUBLIC),
    "registration:register_kind": Entry(
        lambda w: u("registration:register_kind", kind_id=w.in_person.pk),
        get=POST_ONLY,
        # Sold out and no reasons given: refused with why on the page. Already on the
        # waitlist: the page shows the registration, and the refusal comes as a message.
        post=by_role(400, anonymous=LOGIN, waitlisted=Redirect("/register/")),
        missing=lambda w: u("registration:register_kind", kind_id=MISSING_ID),
    ),
    "registration:redeem": Entry(
        lambda w: u("registration:redeem"), get=POST_ONLY, post=by_role(400, anonymous=LOGIN)
    ),
    "registration:accept": Entry(
        lambda w: u("registration:accept", registration_id=w.waitlisted_registration.pk),
        get=POST_ONLY,
        # Not offered: the owner is told why on /register/.
        post=only(["waitlisted"], Redirect("/register/"), 404),
        missing=lambda w: u("registration:accept", registration_id=MISSING_ID),
    ),
    "registration:decline": Entry(
        lambda w: u("registration:decline", registration_id=w.waitlisted_registration.pk),
        get=POST_ONLY,
        post=only(["waitlisted"], Redirect("/register/"), 404),
        missing=lambda w: u("registration:decline", registration_id=MISSING_ID),
    ),
    "registration:cancel": Entry(
        lambda w: u("registration:cancel", registration_id=w.waitlisted_registration.pk),
        get=only(["waitlisted"], 200, 404),
        post=only(["waitlisted"], Redirect("/register/"), 404),
        missing=lambda w: u("registration:cancel", registration_id=MISSING_ID),
    ),
    # ------------------------------------------------------------------ program (attendees)
    # The published program: M's block in a room, released (see ``_program``). Starring and
    # the feed buttons act on the signed-in person's own rows; the private feed is open to
    # whoever holds its token (calendar apps do not log in).
    "schedule:program": Entry(lambda w: _program(w) and u("schedule:program"), get=PUBLIC),
    "schedule:changelog": Entry(lambda w: _program(w) and u("schedule:changelog"), get=PUBLIC),
    "schedule:item": Entry(
        lambda w: u("schedule:item", key=_program(w).guid),
        get=PUBLIC,
        post=by_role(405),
        missing=lambda w: _program(w) and u("schedule:item", key=MISSING_GUID),
    ),
    "schedule:item_ics": Entry(
        lambda w: u("schedule:item_ics", key=_program(w).guid),
        get=PUBLIC,
        missing=lambda w: _program(w) and u("schedule:item_ics", key=MISSING_GUID),
    ),
    # An empty post (no Star/Unstar button) goes back to the item with a message.
    "schedule:star": Entry(
        lambda w: u("schedule:star", key=_program(w).guid),
        get=POST_ONLY,
        post=by_role(Redirect("/schedule/"), anonymous=LOGIN),
        missing=lambda w: _program(w) and u("schedule:star", key=MISSING_GUID),
    ),
    "schedule:mine": Entry(lambda w: _program(w) and u("schedule:mine"), get=SIGNED_IN),
    "schedule:feed_regenerate": Entry(
        lambda w: u("schedule:feed_regenerate"),
        get=POST_ONLY,
        post=by_role(Redirect("/schedule/mine/"), anonymous=LOGIN),
    ),
    "schedule:feed_revoke": Entry(
        lambda w: u("schedule:feed_revoke"),
        get=POST_ONLY,
        post=by_role(Redirect("/schedule/mine/"), anonymous=LOGIN),
    ),
    "schedule:my_feed": Entry(
        lambda w: u("schedule:my_feed", token=_feed_token(w)),
        get=PUBLIC,
        post=by_role(405),
        missing=lambda w: _program(w) and u("schedule:my_feed", token="no-such-token"),
    ),
    "schedule:export_xml": Entry(
        lambda w: _program(w) and u("schedule:export_xml"), get=PUBLIC, post=by_role(405)
    ),
    "schedule:export_json": Entry(
        lambda w: _program(w) and u("schedule:export_json"), get=PUBLIC, post=by_role(405)
    ),
    "schedule:export_ics": Entry(
        lambda w: _program(w) and u("schedule:export_ics"), get=PUBLIC, post=by_role(405)
    ),
    "speakers:list": Entry(lambda w: _program(w) and u("speakers:list"), get=PUBLIC),
    "speakers:detail": Entry(
        lambda w: _program(w) and u("speakers:detail", pk=w.users["mc_lead"].pk),
        get=PUBLIC,
        missing=lambda w: _program(w) and u("speakers:detail", pk=MISSING_ID),
    ),
    "speakers:photo": Entry(
        lambda w: _speaker_photo_url(w),
        get=PUBLIC,
        post=by_role(405),
        missing=lambda w: u("speakers:photo", pk=MISSING_ID, filename="photo.webp"),
    ),
    # Nobody in the world has a photo of their own (the MC lead's is added by _program only).
    "profile_photo": Entry(lambda w: u("profile_photo"), get=by_role(404, anonymous=LOGIN)),
    # ------------------------------------------------------------------ sponsors
    "sponsors:list": Entry(lambda w: u("sponsors:list"), get=PUBLIC, post=by_role(405)),
    "sponsors:logo": Entry(
        lambda w: w.sponsor.logo_wall_url,
        get=PUBLIC,
        post=by_role(405),
        missing=lambda w: u("sponsors:logo", pk=MISSING_ID, filename="logo.webp"),
    ),
}


# --------------------------------------------------------------------------- discovery


def discover(resolver=None, prefix="", namespaces=()):
    """(qualified name or None, route, namespaces) of every pattern, through includes."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespaces + ((pattern.namespace,) if pattern.namespace else ())
            yield from discover(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            name = ":".join(namespaces + (pattern.name,)) if pattern.name else None
            yield name, prefix + str(pattern.pattern), namespaces


def site_url_names(resolver=None) -> set[str]:
    """Every URL outside the admin, by name (an unnamed one by its route, so it is listed)."""
    return {
        name or f"<unnamed {route}>"
        for name, route, namespaces in discover(resolver)
        if "admin" not in namespaces
    }


def admin_model_prefixes() -> set[str]:
    return {f"{m._meta.app_label}_{m._meta.model_name}" for m in admin.site._registry}


ADMIN_SITE_VIEWS = {
    "index",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "autocomplete",
    "jsi18n",
    "view_on_site",
    "app_list",
    "auth_user_password_change",
}
ADMIN_MODEL_VIEWS = re.compile(r"^(?P<model>\w+)_(changelist|add|history|delete|change)$")


def custom_admin_names() -> set[str]:
    """Admin URL names that are not Django's own site or ModelAdmin views."""
    prefixes = admin_model_prefixes()
    names = set()
    for name, _route, namespaces in discover():
        if "admin" not in namespaces or name is None:
            continue  # the unnamed ones are Django's redirects and catch-all
        short = name.split(":", 1)[1]
        match = ADMIN_MODEL_VIEWS.match(short)
        if short in ADMIN_SITE_VIEWS or (match and match["model"] in prefixes):
            continue
        names.add(name)
    return names


def test_every_url_name_is_classified():
    discovered = site_url_names()

    unclassified = sorted(discovered - set(EXPECTED))
    stale = sorted(set(EXPECTED) - discovered)

    assert not unclassified, f"URLs without an expected outcome per role: {unclassified}"
    assert not stale, f"EXPECTED rows for URLs that no longer exist: {stale}"


def test_a_new_url_is_reported_until_classified():
    def new_page(request):
        raise AssertionError("never called")

    site = SimpleNamespace(
        urlpatterns=[
            url_path("new/", new_page, name="new_page"),
            url_path("app/", include(([url_path("<int:pk>/", new_page)], "newapp"))),
            *get_resolver().url_patterns,
        ]
    )

    names = site_url_names(URLResolver(RegexPattern(r"^/"), site))

    assert names - set(EXPECTED) == {"new_page", "<unnamed app/<int:pk>/>"}


def test_discovery_walks_every_include():
    names = site_url_names()

    for sample in (
        "home",
        "account_login",
        "microconferences:topic_edit",
        "cfp:review_detail",
        "registration:cancel",
        "sponsors:logo",
    ):
        assert sample in names
    assert "admin:index" not in names  # the admin is covered as a group below


# --------------------------------------------------------------------------- the matrix


def body(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def outcome_problem(response, expected, path) -> str | None:
    """None if the response is the expected outcome, else what differs."""
    status = response.status_code
    location = response.headers.get("Location", "")
    got = f"{status} {location}".strip()
    if status >= 500:
        return f"server error {got}"
    if isinstance(expected, Redirect):
        parts = urlsplit(location)  # "view on site" redirects to the Site's domain
        local = parts.path + (f"?{parts.query}" if parts.query else "")
        if status != 302 or not local.startswith(expected.prefix):
            return f"got {got}, expected {expected!r}"
        if expected.login:
            nxt = parse_qs(urlsplit(location).query).get("next", [""])[0]
            if urlsplit(nxt).path != urlsplit(path).path:
                return f"login redirect with next={nxt!r}, expected the page {path!r}"
        return None
    if status != expected:
        return f"got {got}, expected {expected}"
    return None


def leaked_secrets(world: World, role: str, response) -> list[str]:
    text = body(response)
    return [name for name, secret in world.forbidden_secrets(role).items() if secret in text]


def request(client, world, role, method, path, data=None):
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    return getattr(client, method)(path, data or {})


def check(client, world, role, method, path, expected) -> list[str]:
    response = request(client, world, role, method, path)
    problems = []
    problem = outcome_problem(response, expected, path)
    if problem:
        problems.append(f"{method.upper()} {path} as {role}: {problem}")
    leaks = leaked_secrets(world, role, response)
    if leaks:
        problems.append(f"{method.upper()} {path} as {role} shows private {leaks}")
    return problems


MATRIX = [pytest.param(name, role, id=f"{name}-{role}") for name in EXPECTED for role in ROLES]


@pytest.mark.parametrize(("name", "role"), MATRIX)
def test_url_outcome_by_role(client, world, name, role):
    entry = EXPECTED[name]
    path = entry.url(world)
    problems = []

    for method in ("get", "post"):
        table = getattr(entry, method)
        if table is not None:
            problems += check(client, world, role, method, path, table[role])

    assert not problems, "\n".join(problems)


READER_PAGES = [
    ("speaker", lambda w: u("cfp:my_proposals"), ["proposal"]),
    ("speaker", lambda w: u("cfp:proposal_edit", pk=w.proposal.pk), ["proposal_notes"]),
    (
        "reviewer",
        lambda w: u("cfp:review_detail", pk=w.proposal.pk),
        ["proposal", "proposal_notes", "review_comment"],
    ),
    ("chair", lambda w: u("cfp:review_detail", pk=w.proposal.pk), ["review_comment"]),
    ("reviewer_other_track", lambda w: u("cfp:review_list"), ["other_track_proposal"]),
    ("reviewer", lambda w: u("cfp:review_list"), ["proposal", "colleague_proposal"]),
    (
        "organizer",
        lambda w: reverse(
            "admin:registration_registration_change", args=[w.waitlisted_registration.pk]
        ),
        ["waitlist_reason"],
    ),
    ("organizer", lambda w: u("admin:registration_complimentarypass_changelist"), ["pass_code"]),
    ("organizer", lambda w: u("admin:sponsors_sponsor_changelist"), ["hidden_sponsor"]),
    ("mc_lead", lambda w: u("microconferences:edit", slug=w.proposed_mc.slug), ["proposed_mc"]),
    (
        "organizer",
        lambda w: u("admin:plumbers_announcement_changelist"),
        ["scheduled_announcement"],
    ),
]


@pytest.mark.parametrize(
    ("role", "url", "secrets"),
    [pytest.param(r, f, s, id=f"{r}-{'+'.join(s)}") for r, f, s in READER_PAGES],
)
def test_private_texts_are_shown_to_their_readers(client, world, role, url, secrets):
    """The leak check is not vacuous: each private text is on a page its readers open."""
    client.force_login(world.users[role])

    response = client.get(url(world))

    assert response.status_code == 200
    text = body(response)
    for name in secrets:
        variants = [v for k, v in world.secrets.items() if k.split(":")[0] == name]
        assert any(v in text for v in variants), f"{name} not shown to {role}"


def test_every_secret_has_a_reader_page():
    shown = {name for _, _, names in READER_PAGES for name in names}
    assert shown == set(SECRET_READERS)


def test_every_entry_states_every_role():
    for name, entry in EXPECTED.items():
        assert entry.get is not None or entry.post is not None, name
        for table in (entry.get, entry.post, entry.post_form):
            if table is not None:
                assert set(table) == set(ROLES), name
        assert (entry.form is None) == (entry.post_form is None), name
        assert entry.changes <= set(ROLES), name
        if entry.post_form is not None:  # who changes something is let through
            assert all(allowed(entry.post_form[role]) for role in entry.changes), name


# --------------------------------------------------------------------------- no guessing ids


def snapshot():
    """The rows a refused request must not change."""
    return (
        sorted(Proposal.objects.values_list("pk", "state", "title")),
        sorted(Review.objects.values_list("pk", "proposal_id", "reviewer_id", "score")),
        sorted(Conflict.objects.values_list("proposal_id", "reviewer_id")),
        sorted(Registration.objects.values_list("pk", "user_id", "status")),
        sorted(ComplimentaryPass.objects.values_list("pk", "status")),
        sorted(Topic.objects.values_list("pk", "microconference_id", "group_id", "title", "order")),
        sorted(TopicGroup.objects.values_list("pk", "microconference_id", "title", "order")),
        sorted(ReviewAssignment.objects.values_list("proposal_id", "reviewer_id")),
    )


def allowed(outcome) -> bool:
    return outcome not in REFUSALS


WITH_IDS = [name for name, entry in EXPECTED.items() if entry.missing is not None]


@pytest.mark.parametrize(
    ("name", "role"),
    [pytest.param(n, r, id=f"{n}-{r}") for n in WITH_IDS for r in ROLES],
)
def test_missing_id_is_refused(client, world, name, role):
    """A made-up id answers 404 to those who could open a real one, and no more than the
    real object's refusal (or 404) to the others."""
    entry = EXPECTED[name]
    path = entry.missing(world)
    before = snapshot()
    problems = []

    for method in ("get", "post"):
        table = getattr(entry, method)
        if table is None:
            continue
        real = table[role]
        response = request(client, world, role, method, path)
        acceptable = [404] if allowed(real) else [real, 404]
        if not any(outcome_problem(response, a, path) is None for a in acceptable):
            problems.append(
                f"{method.upper()} {path} as {role}: got {response.status_code} "
                f"{response.headers.get('Location', '')}, expected one of {acceptable}"
            )
        problems += [f"shows private {s}" for s in leaked_secrets(world, role, response)]

    assert not problems, "\n".join(problems)
    assert snapshot() == before


FILLED = [
    pytest.param(name, role, id=f"{name}-{role}")
    for name, entry in EXPECTED.items()
    if entry.form is not None
    for role in ROLES
]


@pytest.mark.parametrize(("name", "role"), FILLED)
def test_filled_form_outcome_by_role(client, world, name, role):
    """A valid post, not an empty one: the answer is the table's, and only the roles the
    table names change anything (a refusal after a partial write would show here)."""
    entry = EXPECTED[name]
    path = entry.url(world)
    before = snapshot()

    response = request(client, world, role, "post", path, entry.form(world))

    problem = outcome_problem(response, entry.post_form[role], path)
    assert problem is None, f"POST {path} (filled in) as {role}: {problem}"
    assert leaked_secrets(world, role, response) == []
    if role in entry.changes:
        assert snapshot() != before, f"{role}'s post changed nothing"
    else:
        assert snapshot() == before


@dataclass(frozen=True)
class Foreign:
    """``role`` asks for an object that is not theirs (or not in their view)."""

    role: str
    url: Callable[[World], str]
    method: str
    expected: object


def _p(attr, name):
    return lambda w: u(name, pk=getattr(w, attr).pk)


def _reg(name):
    return lambda w: u(name, registration_id=w.stranger_registration.pk)


FOREIGN: dict[str, Foreign] = {
    # A speaker and somebody else's proposal on the same track.
    "speaker-edits-colleague-proposal": Foreign(
        "speaker", _p("colleague_proposal", "cfp:proposal_edit"), "get", 404
    ),
    "speaker-saves-colleague-proposal": Foreign(
        "speaker", _p("colleague_proposal", "cfp:proposal_edit"), "post", 404
    ),
    "speaker-withdraws-colleague-proposal": Foreign(
        "speaker", _p("colleague_proposal", "cfp:proposal_withdraw"), "post", 404
    ),
    # Reviewers and chairs inside the triage area.
    "reviewer-opens-other-track-proposal": Foreign(
        "reviewer", _p("other_track_proposal", "cfp:review_detail"), "get", 404
    ),
    "reviewer-reviews-other-track-proposal": Foreign(
        "reviewer", _p("other_track_proposal", "cfp:review_detail"), "post", 404
    ),
    "reviewer-declares-conflict-other-track": Foreign(
        "reviewer", _p("other_track_proposal", "cfp:review_conflict"), "post", 404
    ),
    "other-reviewer-opens-proposal": Foreign(
        "reviewer_other_track", _p("proposal", "cfp:review_detail"), "get", 404
    ),
    "mc-lead-opens-proposal-of-refereed-track": Foreign(
        "mc_lead", _p("proposal", "cfp:review_detail"), "get", 404
    ),
    "chair-decides-other-track-proposal": Foreign(
        "chair", _p("other_track_proposal", "cfp:review_decide"), "post", 404
    ),
    "chair-opens-proposal-with-declared-conflict": Foreign(
        "chair", _p("colleague_proposal", "cfp:review_detail"), "get", 404
    ),
    "chair-decides-proposal-with-declared-conflict": Foreign(
        "chair", _p("colleague_proposal", "cfp:review_decide"), "post", 404
    ),
    # Registrations: the waitlisted attendee and a stranger's confirmed registration.
    "waitlisted-accepts-stranger-registration": Foreign(
        "waitlisted", _reg("registration:accept"), "post", 404
    ),
    "waitlisted-declines-stranger-registration": Foreign(
        "waitlisted", _reg("registration:decline"), "post", 404
    ),
    "waitlisted-opens-cancel-of-stranger-registration": Foreign(
        "waitlisted", _reg("registration:cancel"), "get", 404
    ),
    "waitlisted-cancels-stranger-registration": Foreign(
        "waitlisted", _reg("registration:cancel"), "post", 404
    ),
    # Somebody else's open offer (a held seat): nobody but its owner answers it.
    **{
        f"{role}-{action}s-colleague-offer": Foreign(
            role,
            lambda w, action=action: u(
                f"registration:{action}", registration_id=w.offered_registration.pk
            ),
            "post",
            LOGIN if role == "anonymous" else 404,
        )
        for role in ROLES
        for action in ("accept", "decline", "cancel")
    },
    "organizer-cancels-stranger-registration-on-attendee-page": Foreign(
        "organizer", _reg("registration:cancel"), "post", 404
    ),
    # Microconferences: another MC, and another MC's topic/heading under one's own MC.
    "mc-lead-opens-other-mc-editing": Foreign(
        "mc_lead", lambda w: u("microconferences:edit", slug=w.other_mc.slug), "get", 403
    ),
    "mc-lead-adds-topic-to-other-mc": Foreign(
        "mc_lead", lambda w: u("microconferences:topic_add", slug=w.other_mc.slug), "post", 403
    ),
    # Another MC's topic or heading, under the lead's own MC (404: not in it) or under its
    # own MC (403: not the lead's to edit).
    **{
        f"mc-lead-{view}-other-mc-{kind}{suffix}": Foreign(
            "mc_lead",
            (
                lambda w, view=view, kind=kind, under=under: u(
                    f"microconferences:{kind}_{view}",
                    slug=getattr(w, under).slug,
                    pk=getattr(w, f"other_mc_{kind}").pk,
                )
            ),
            "post",
            expected,
        )
        for under, suffix, expected in (("mc", "-via-own-mc", 404), ("other_mc", "", 403))
        for kind in ("topic", "group")
        for view in ("edit", "move", "delete")
    },
    # Hidden and unpublished things by their id or slug.
    **{
        f"{role}-opens-proposed-mc-page": Foreign(
            role, lambda w: u("microconferences:detail", slug=w.proposed_mc.slug), "get", 404
        )
        for role in ROLES
    },
    **{
        f"{role}-opens-proposed-mc-editing": Foreign(
            role,
            lambda w: u("microconferences:edit", slug=w.proposed_mc.slug),
            "get",
            {"anonymous": LOGIN, "mc_lead": 200, "organizer": 200}.get(role, 403),
        )
        for role in ROLES
    },
    **{
        f"{role}-opens-hidden-sponsor-logo": Foreign(
            role,
            lambda w: w.hidden_sponsor.logo_wall_url,
            "get",
            200 if role == "organizer" else 404,
        )
        for role in ROLES
    },
    **{
        f"{role}-opens-scheduled-announcement": Foreign(
            role, lambda w: u("news_detail", slug=w.scheduled_announcement.slug), "get", 404
        )
        for role in ROLES
    },
    "anyone-opens-logo-under-wrong-file-name": Foreign(
        "attendee", lambda w: u("sponsors:logo", pk=w.sponsor.pk, filename="x.webp"), "get", 404
    ),
}


@pytest.mark.parametrize("case", list(FOREIGN), ids=list(FOREIGN))
def test_foreign_object_is_refused(client, world, case):
    foreign = FOREIGN[case]
    path = foreign.url(world)
    before = snapshot()

    response = request(client, world, foreign.role, foreign.method, path)

    assert outcome_problem(response, foreign.expected, path) is None, (
        f"{foreign.method.upper()} {path} as {foreign.role}: got {response.status_code}"
    )
    assert leaked_secrets(world, foreign.role, response) == []
    assert snapshot() == before


def test_speaker_reviewing_own_track_cannot_open_own_proposal(client, world):
    """Being a reviewer of one's own track does not open one's own proposal in triage."""
    world.track.reviewers.add(world.users["speaker"])
    client.force_login(world.users["speaker"])

    listing = client.get(u("cfp:review_list"))
    detail = client.get(u("cfp:review_detail", pk=world.proposal.pk))
    review = client.post(
        u("cfp:review_detail", pk=world.proposal.pk), {"score": "2", "confidence": "3"}
    )

    assert listing.status_code == 200
    assert world.proposal.title not in body(listing)
    assert world.review.comment not in body(listing)
    assert detail.status_code == 404
    assert review.status_code == 404
    assert not Review.objects.filter(reviewer=world.users["speaker"]).exists()


@pytest.mark.parametrize("role", ["reviewer_other_track", "reviewer", "mc_lead"])
def test_bulk_decide_outside_ones_tracks_changes_nothing(client, world, role):
    """Posting ids of proposals one may not decide (other track, or not a chair)."""
    client.force_login(world.users[role])
    before = snapshot()

    response = client.post(
        u("cfp:review_bulk_decide"),
        {
            "decision": "accepted",
            "proposals": [
                world.proposal.pk,
                world.colleague_proposal.pk,
                world.other_track_proposal.pk,
            ],
        },
    )

    assert response.status_code in (302, 403)
    assert snapshot() == before


def test_bulk_decide_mixing_chaired_and_reviewed_tracks_changes_nothing(client, world):
    """A chair of track A who only reviews track B cannot decide B's proposal by slipping it
    into a bulk decision with one of A's: all or nothing, and here nothing."""
    world.other_track.reviewers.add(world.users["chair"])
    client.force_login(world.users["chair"])
    before = snapshot()

    response = client.post(
        u("cfp:review_bulk_decide"),
        {"decision": "rejected", "proposals": [world.proposal.pk, world.other_track_proposal.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "Only a chair of" in body(response)
    assert snapshot() == before


def test_unknown_pass_code_is_refused_with_reason(client, world):
    client.force_login(world.users["attendee"])
    before = snapshot()

    response = client.post(u("registration:redeem"), {"code": "ABCD-EFGH-JKLM-NPQR"})

    assert response.status_code == 400
    assert "not known" in body(response)
    assert snapshot() == before


# --------------------------------------------------------------------------- the admin

# Custom admin views (not Django's own): every one must be listed here with its URL.
ADMIN_CUSTOM: dict[str, Callable[[World], str]] = {
    "admin:registration_attendancekind_waitlist": lambda w: u(
        "admin:registration_attendancekind_waitlist", pk=w.in_person.pk
    ),
    "admin:registration_attendancekind_attendees_csv": lambda w: u(
        "admin:registration_attendancekind_attendees_csv", pk=w.in_person.pk
    ),
    "admin:registration_attendancekind_waitlist_csv": lambda w: u(
        "admin:registration_attendancekind_waitlist_csv", pk=w.in_person.pk
    ),
    "admin:registration_complimentarypass_issue": lambda w: u(
        "admin:registration_complimentarypass_issue"
    ),
    # The organizers' dashboard (issue 12) and the capacity / waitlist actions.
    "admin:dashboard": lambda w: u("admin:dashboard", slug=w.conference.slug),
    "admin:dashboard_csv": lambda w: u(
        "admin:dashboard_csv", slug=w.conference.slug, chart="registrations"
    ),
    "admin:registration_attendancekind_capacity": lambda w: u(
        "admin:registration_attendancekind_capacity", pk=w.in_person.pk
    ),
    "admin:registration_attendancekind_offer_next": lambda w: u(
        "admin:registration_attendancekind_offer_next", pk=w.in_person.pk
    ),
    "admin:registration_attendancekind_offer_extend": lambda w: u(
        "admin:registration_attendancekind_offer_extend",
        pk=w.in_person.pk,
        registration=w.offered_registration.pk,
    ),
    "admin:registration_attendancekind_offer_withdraw": lambda w: u(
        "admin:registration_attendancekind_offer_withdraw",
        pk=w.in_person.pk,
        registration=w.offered_registration.pk,
    ),
    # The program's timetable editor (organizers only; its forms and JSON POSTs are in
    # tests/schedule/test_editor.py and the bad-input tests).
    "admin:schedule_item_editor_index": lambda w: u("admin:schedule_item_editor_index"),
    "admin:schedule_item_editor": lambda w: u("admin:schedule_item_editor", slug=w.conference.slug),
    "admin:schedule_item_editor_api": lambda w: u(
        "admin:schedule_item_editor_api", slug=w.conference.slug
    ),
    # Mail that organizers own (issue 12): a template's editor, a bulk send's "resend failed"
    # (a GET shows the outbox; the POST is organizers' only, tests/plumbers/test_bulk_mail.py).
    "admin:plumbers_mailtemplate_edit": lambda w: u(
        "admin:plumbers_mailtemplate_edit",
        conference_id=w.conference.pk,
        key="registration.offered",
    ),
    "admin:plumbers_bulkmail_resend_failed": lambda w: u(
        "admin:plumbers_bulkmail_resend_failed", pk=_bulk_mail(w).pk
    ),
}


def _bulk_mail(world):
    """A bulk send to the waitlisted of the world's edition, nothing sent yet."""
    from plumbers.models import BulkMail

    bulk, _ = BulkMail.objects.get_or_create(
        token="matrix-bulk-mail",
        defaults={
            "conference": world.conference,
            "segment": "registration.waitlisted",
            "segment_label": "On the in-person waitlist",
            "subject": "Matrix",
            "body": "Hello {{ user }}",
        },
    )
    return bulk


# Admin pages the Organizers group is not given (plumbers/roles.py: django.contrib.sites is
# site configuration for superusers): the model pages answer 403, the app page 404.
ADMIN_NOT_FOR_ORGANIZERS: dict[str, object] = {
    "admin:app_list:sites": 404,
    "admin:sites_site_changelist": 403,
    "admin:sites_site_change": 403,
    # Not a refusal: organizers are sent on to the object's public address.
    "admin:view_on_site": Redirect("/news/scheduled-news/"),
    # The world has no release, so its add page stands for the change page: releases are
    # made only by "Publish" in the timetable editor, never added by hand.
    "admin:schedule_release_change": 403,
}


def _admin_targets() -> dict[str, Callable[[World], str]]:
    targets: dict[str, Callable[[World], str]] = {"admin:index": lambda w: u("admin:index")}
    for label in sorted({m._meta.app_label for m in admin.site._registry}):
        targets[f"admin:app_list:{label}"] = lambda w, label=label: reverse(
            "admin:app_list", kwargs={"app_label": label}
        )
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label):
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        targets[f"{prefix}_changelist"] = lambda w, p=prefix: u(f"{p}_changelist")

        def change(w, p=prefix, model=model):
            obj = model._default_manager.order_by("pk").first()
            if obj is None:  # nothing to open: the add page stands for the model's pages
                return u(f"{p}_add")
            return reverse(f"{p}_change", args=[obj.pk])

        targets[f"{prefix}_change"] = change
    targets.update(ADMIN_CUSTOM)
    # Two site views that answer with data: "view on site" (follows an object's URL, here a
    # scheduled, not yet public announcement) and the autocomplete JSON (lists people).
    targets["admin:view_on_site"] = lambda w: reverse(
        "admin:view_on_site",
        args=[
            ContentType.objects.get_for_model(w.scheduled_announcement).pk,
            w.scheduled_announcement.pk,
        ],
    )
    targets["admin:autocomplete"] = lambda w: (
        u("admin:autocomplete")
        + "?app_label=microconferences&model_name=microconference&field_name=leads&term="
    )
    return targets


ADMIN_TARGETS = _admin_targets()


def test_every_custom_admin_view_is_classified():
    assert custom_admin_names() == set(ADMIN_CUSTOM)


def _admin_expected(target, role):
    if role != "organizer":
        return ADMIN_LOGIN
    return ADMIN_NOT_FOR_ORGANIZERS.get(target, 200)


def _admin_param(target, role):
    return pytest.param(target, role, id=f"{target}-{role}")


@pytest.mark.parametrize(
    ("target", "role"), [_admin_param(t, r) for t in ADMIN_TARGETS for r in ROLES]
)
def test_admin_page_outcome_by_role(client, world, settings, target, role):
    if "django_tasks_database" in target:
        # The queued-mail admin reads task results through the production (database) task
        # backend; tests otherwise run tasks immediately.
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    path = ADMIN_TARGETS[target](world)

    problems = check(client, world, role, "get", path, _admin_expected(target, role))

    assert not problems, "\n".join(problems)


def _user_change_form(user, **changes):
    """The admin's user change form as the page would post it, with ``changes`` applied."""
    data = {
        "email": user.email,
        "display_name": user.display_name,
        "affiliation": user.affiliation,
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "groups": [str(pk) for pk in user.groups.values_list("pk", flat=True)],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


@pytest.mark.parametrize("target", ["organizer", "attendee"])
def test_organizer_cannot_grant_superuser(client, world, target):
    """The Organizers group is deliberately not given everything (plumbers/roles.py); an
    organizer who could tick "superuser" on an account would give it all anyway."""
    client.force_login(world.users["organizer"])
    person = world.users[target]

    response = client.post(
        reverse("admin:plumbers_user_change", args=[person.pk]),
        _user_change_form(person, is_superuser="on"),
    )

    person.refresh_from_db()
    assert response.status_code in (200, 302, 403)
    assert not person.is_superuser
