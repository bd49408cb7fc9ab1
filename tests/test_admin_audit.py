"""Every change an organizer makes in the admin leaves an audit record: who, what, from, to.

For each stateful model's change form (registration's are in
tests/registration/test_admin_audit.py) the test opens the page as an organizer, re-posts
the form exactly as the admin rendered it (main form, every inline formset and its
management form) with one field changed, and looks for the audit row of that object.
"""

import json

import pytest
from django.forms import CheckboxInput, FileInput, MultiWidget
from django.forms.widgets import ChoiceWidget

from cfp.models import Proposal
from plumbers.audit import audit_trail
from plumbers.models import AuditLog
from tests.cfp.factories import ProposalFactory, ReviewFactory, TrackFactory
from tests.factories import AnnouncementFactory, ConferenceFactory, UserFactory
from tests.microconferences.factories import MicroconferenceFactory, TopicFactory
from tests.sponsors.factories import SponsorFactory, SponsorTierFactory

pytestmark = pytest.mark.django_db


def _widget_data(name: str, widget, value) -> dict:
    """What a browser posts for ``widget`` showing ``value``."""
    widget = getattr(widget, "widget", widget)  # the admin's related-object wrapper
    if isinstance(widget, MultiWidget):  # split date and time
        values = value if isinstance(value, list | tuple) else widget.decompress(value)
        data = {}
        for suffix, sub, sub_value in zip(
            widget.widgets_names, widget.widgets, values, strict=True
        ):
            data.update(_widget_data(f"{name}{suffix}", sub, sub_value))
        return data
    if isinstance(widget, FileInput):
        return {}
    if isinstance(widget, CheckboxInput):
        return {name: "on"} if widget.check_test(value) else {}
    formatted = widget.format_value(value)
    if isinstance(widget, ChoiceWidget):
        if widget.allow_multiple_selected:
            return {name: [v for v in formatted if v != ""]}
        return {name: formatted[0] if formatted else ""}
    return {name: "" if formatted is None else formatted}


def _forms(response):
    yield response.context["adminform"].form
    for inline in response.context["inline_admin_formsets"]:
        yield inline.formset.management_form
        yield from inline.formset.forms


def change_form_data(response) -> dict:
    """POST data that submits the change page as it was shown, untouched."""
    data = {"_save": "Save"}
    for form in _forms(response):
        for field in form:
            data.update(_widget_data(field.html_name, field.field.widget, field.value()))
    return data


def post_change(client, url: str, **changes):
    page = client.get(url)
    assert page.status_code == 200, url
    data = change_form_data(page)
    names = {field.html_name for form in _forms(page) for field in form}
    missing = {name for name in changes if name not in data and name not in names}
    assert not missing, f"not in the form: {missing}"
    data.update(changes)
    response = client.post(url, data)
    assert response.status_code == 302, _errors(response)
    return response


def _errors(response):
    if response.context is None or "adminform" not in response.context:
        return response.status_code
    errors = [response.context["adminform"].form.errors]
    for inline in response.context["inline_admin_formsets"]:
        errors += [inline.formset.non_form_errors(), *inline.formset.errors]
    return errors


def assert_audited(obj, organizer, *, mentions: str, after: int):
    """A new audit row on ``obj``, by the organizer, that names the change."""
    entries = [e for e in audit_trail(obj) if e.pk > after]
    assert entries, f"no audit record for {obj!r}"
    assert {e.actor for e in entries} == {organizer}
    text = " ".join(f"{e.action} {e.from_state} {e.to_state} {json.dumps(e.data)}" for e in entries)
    assert mentions in text


@pytest.fixture
def organizer_admin(client, organizer):
    """The test client, signed in as an organizer."""
    client.force_login(organizer)
    return client


def _last_audit_id() -> int:
    last = AuditLog.objects.order_by("-pk").first()
    return last.pk if last else 0


# --------------------------------------------------------------------------------- plumbers


def test_conference_change_form_is_audited(organizer_admin, organizer, conference):
    after = _last_audit_id()
    post_change(
        organizer_admin, f"/admin/plumbers/conference/{conference.pk}/change/", city="Richmond"
    )
    conference.refresh_from_db()
    assert conference.city == "Richmond"
    assert_audited(conference, organizer, mentions="Richmond", after=after)


def test_announcement_change_form_is_audited(organizer_admin, organizer, conference):
    post = AnnouncementFactory(conference=conference, title="CFP opens")
    after = _last_audit_id()
    post_change(
        organizer_admin,
        f"/admin/plumbers/announcement/{post.pk}/change/",
        title="CFP opens today",
        published_at_0="",
        published_at_1="",
    )
    post.refresh_from_db()
    assert (post.title, post.published_at) == ("CFP opens today", None)  # back to a draft
    assert_audited(post, organizer, mentions="CFP opens today", after=after)


# ------------------------------------------------------------------------- microconferences


def test_microconference_change_form_and_topic_inline_are_audited(
    organizer_admin, organizer, conference
):
    mc = MicroconferenceFactory(conference=conference, title="Real-time", status="proposed")
    topic = TopicFactory(microconference=mc, title="Latency", order=1)
    page = organizer_admin.get(f"/admin/microconferences/microconference/{mc.pk}/change/")
    (row,) = [
        form
        for inline in page.context["inline_admin_formsets"]
        for form in inline.formset.initial_forms
        if form.instance == topic
    ]
    after = _last_audit_id()

    post_change(
        organizer_admin,
        f"/admin/microconferences/microconference/{mc.pk}/change/",
        title="Real-time and scheduling",
        **{f"{row.prefix}-title": "Latency budgets"},
    )

    mc.refresh_from_db()
    topic.refresh_from_db()
    assert (mc.title, topic.title, mc.status) == (
        "Real-time and scheduling",
        "Latency budgets",
        "proposed",
    )
    assert_audited(mc, organizer, mentions="Real-time and scheduling", after=after)
    assert_audited(mc, organizer, mentions="Latency budgets", after=after)


# ------------------------------------------------------------------------------------- cfp


def test_track_change_form_is_audited_and_keeps_the_deadline(
    organizer_admin, organizer, conference
):
    reviewer = UserFactory(display_name="Rhea Reviewer")
    track = TrackFactory(conference=conference, name="Refereed")
    deadline = track.deadline
    after = _last_audit_id()

    post_change(
        organizer_admin,
        f"/admin/cfp/track/{track.pk}/change/",
        name="Refereed presentations",
        reviewers=[str(reviewer.pk)],
    )

    track.refresh_from_db()
    assert (track.name, track.deadline, track.sequence) == ("Refereed presentations", deadline, 0)
    assert list(track.reviewers.all()) == [reviewer]
    assert_audited(track, organizer, mentions="Refereed presentations", after=after)
    assert_audited(track, organizer, mentions="Rhea Reviewer", after=after)


def test_track_change_form_cannot_move_the_deadline(organizer_admin, organizer, conference):
    """The deadline is not a field of the change form: a forged one is ignored (it moves
    only through "Extend deadline", audited by its own tests)."""
    track = TrackFactory(conference=conference)
    deadline = track.deadline
    post_change(
        organizer_admin, f"/admin/cfp/track/{track.pk}/change/", name="Renamed", show_aoe="on"
    )
    forged = change_form_data(organizer_admin.get(f"/admin/cfp/track/{track.pk}/change/"))
    forged.update(deadline_0="2099-01-01", deadline_1="00:00:00")
    organizer_admin.post(f"/admin/cfp/track/{track.pk}/change/", forged)

    track.refresh_from_db()
    assert (track.deadline, track.sequence, track.show_aoe) == (deadline, 0, True)


def test_proposal_change_form_is_audited_and_keeps_the_state(
    organizer_admin, organizer, conference
):
    proposal = ProposalFactory(track__conference=conference, title="Folios")
    after = _last_audit_id()

    url = f"/admin/cfp/proposal/{proposal.pk}/change/"
    data = change_form_data(organizer_admin.get(url))
    # The state is not a field of the form (it moves by the actions): a forged one is ignored.
    data.update(title="Folios everywhere", state="accepted")
    response = organizer_admin.post(url, data)
    assert response.status_code == 302, _errors(response)

    proposal.refresh_from_db()
    assert (proposal.title, proposal.state) == ("Folios everywhere", Proposal.State.SUBMITTED)
    assert_audited(proposal, organizer, mentions="Folios everywhere", after=after)


def test_proposal_decision_from_the_admin_is_audited(
    organizer_admin, organizer, conference, django_capture_on_commit_callbacks
):
    proposal = ProposalFactory(track__conference=conference)
    with django_capture_on_commit_callbacks(execute=True):
        organizer_admin.post(
            "/admin/cfp/proposal/", {"action": "reject", "_selected_action": [proposal.pk]}
        )
    entry = audit_trail(proposal).get()
    assert (entry.action, entry.actor, entry.from_state, entry.to_state) == (
        "proposal_decide",
        organizer,
        "submitted",
        "rejected",
    )


def test_review_is_read_only_in_the_admin(organizer_admin, conference):
    """Reviews are written in the triage area; the admin only shows them (and deletes them,
    audited: see the deletions below)."""
    review = ReviewFactory(proposal__track__conference=conference)
    page = organizer_admin.get(f"/admin/cfp/review/{review.pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()


# -------------------------------------------------------------------------------- sponsors


def test_sponsor_tier_change_form_is_audited(organizer_admin, organizer, conference):
    tier = SponsorTierFactory(conference=conference, name="Gold")
    SponsorFactory(tier=tier)
    after = _last_audit_id()
    post_change(organizer_admin, f"/admin/sponsors/sponsortier/{tier.pk}/change/", name="Platinum")
    tier.refresh_from_db()
    assert tier.name == "Platinum"
    assert_audited(tier, organizer, mentions="Platinum", after=after)


def test_sponsor_change_form_is_audited(organizer_admin, organizer, conference):
    sponsor = SponsorFactory(tier__conference=conference, visible=True)
    after = _last_audit_id()
    page = organizer_admin.get(f"/admin/sponsors/sponsor/{sponsor.pk}/change/")
    data = change_form_data(page)
    data.pop("visible")  # unticked: hidden from the wall
    response = organizer_admin.post(f"/admin/sponsors/sponsor/{sponsor.pk}/change/", data)
    assert response.status_code == 302, _errors(response)
    sponsor.refresh_from_db()
    assert not sponsor.visible
    assert_audited(sponsor, organizer, mentions="hidden", after=after)


# ------------------------------------------------------------------------------- deletions


def _conference(conference):
    return ConferenceFactory()


DELETIONS = [
    pytest.param("plumbers/conference", _conference),
    pytest.param(
        "plumbers/announcement",
        lambda conference: AnnouncementFactory(conference=conference),
    ),
    pytest.param(
        "microconferences/microconference",
        lambda conference: MicroconferenceFactory(conference=conference),
    ),
    pytest.param("cfp/track", lambda conference: TrackFactory(conference=conference)),
    pytest.param("cfp/proposal", lambda conference: ProposalFactory(track__conference=conference)),
    pytest.param(
        "cfp/review", lambda conference: ReviewFactory(proposal__track__conference=conference)
    ),
    pytest.param(
        "sponsors/sponsortier", lambda conference: SponsorTierFactory(conference=conference)
    ),
    pytest.param(
        "sponsors/sponsor", lambda conference: SponsorFactory(tier__conference=conference)
    ),
]


@pytest.mark.parametrize(("path", "make"), DELETIONS)
def test_delete_in_the_admin_is_audited(organizer_admin, organizer, conference, path, make):
    obj = make(conference)
    model = type(obj)

    response = organizer_admin.post(f"/admin/{path}/{obj.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    assert not model.objects.filter(pk=obj.pk).exists()
    entry = audit_trail(obj).get()
    assert (entry.actor, entry.to_state) == (organizer, "deleted")
