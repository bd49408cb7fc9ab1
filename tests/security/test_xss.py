"""XSS: a script payload in every user-written field renders inert everywhere it is shown
(issue 7, item 2): public pages, the speaker's and the lead's pages, the triage area, the
admin (changelists, change pages, the waitlist view), HTML mail (none may carry it live),
the Atom feed and the deadlines calendar.

"Inert" means: no ``<script>`` carrying the payload, no ``on*=`` handler attribute, no
``javascript:`` URL in an ``href``/``src``/``action`` anywhere in an HTML response, and the
raw payload never appears unescaped. Every field also carries a visible marker
(``MARK<field>``) so each test proves the field really was on the page it checked: an
assertion on a page that never showed the value would prove nothing.
"""

import datetime as dt
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser

import icalendar
import pytest
from django.contrib import admin
from django.core import mail
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape

from cfp import services as cfp_services
from cfp.models import Proposal, Track
from microconferences.models import Microconference
from plumbers.models import Announcement, User
from registration import services as registration_services
from registration.models import Registration
from sponsors.models import Sponsor
from sponsors.services import sponsor_save
from tests.cfp.factories import ProposalFactory, ReviewFactory, TrackFactory
from tests.factories import UserFactory
from tests.microconferences.factories import (
    MicroconferenceFactory,
    TopicFactory,
    TopicGroupFactory,
)
from tests.registration.factories import AttendanceKindFactory
from tests.sponsors.factories import SponsorTierFactory, png_upload


def payload(tag: str) -> str:
    """A marker people can see, then the classic breakouts: a script, an attribute
    breakout into an event handler, and a javascript: URL as text."""
    return (
        f'MARK{tag} <script>alert("{tag}")</script>"><img src=x onerror=alert("{tag}")> '
        "javascript:alert(1)"
    )


def markdown_payload(tag: str) -> str:
    """For Markdown fields: the same, plus raw HTML and links Markdown would turn live."""
    return (
        f"{payload(tag)}\n\n"
        f'[click me](javascript:alert("{tag}")) '
        '<a href="javascript:alert(1)" onclick="alert(1)">raw link</a> '
        "<svg onload=alert(1)></svg> <iframe src=javascript:alert(1)></iframe>\n\n"
        "<img src=x onerror=alert(1)>"
    )


RAW_FRAGMENTS = (
    "<script>alert(",
    "<img src=x onerror",
    "<svg onload",
    "<iframe",
    'href="javascript:',
    "href='javascript:",
    'onclick="alert',
)


class _Live(HTMLParser):
    """Collects what a browser would execute: handler attributes, javascript: URLs and
    inline scripts that carry a payload."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.live: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            value = (value or "").strip()
            if name.startswith("on"):
                self.live.append(f"<{tag} {name}={value!r}>")
            if name in self.URL_ATTRIBUTES and re.sub(r"\s", "", value).lower().startswith(
                ("javascript:", "vbscript:", "data:text/html")
            ):
                self.live.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._in_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and "alert(" in data:
            self.live.append(f"<script>{data[:80]}</script>")


def assert_inert(html: str, where: str = ""):
    for fragment in RAW_FRAGMENTS:
        assert fragment not in html, f"{where}: raw {fragment!r} in the page"
    parser = _Live()
    parser.feed(html)
    assert parser.live == [], f"{where}: live payload {parser.live}"


def get_page(client, url: str, *, expect=(200,)) -> str:
    response = client.get(url)
    assert response.status_code in expect, (url, response.status_code)
    return response.content.decode()


def assert_page_inert(client, url: str, *markers: str, expect=(200,)) -> str:
    html = get_page(client, url, expect=expect)
    assert_inert(html, url)
    for marker in markers:
        shown = f"mark{marker}".lower() in html.lower()  # some templates apply |lower
        assert shown, f"{url}: MARK{marker} not shown, the check proves nothing"
    return html


# ----------------------------------------------------------------------------- site


@dataclass
class World:
    conference: object
    organizer: User
    speaker: User
    co_speaker: User
    reviewer: User
    chair: User
    lead: User
    waiting: User
    mc: Microconference
    track: Track
    proposal: Proposal
    announcement: Announcement
    sponsor: Sponsor
    kind: object
    waitlisted: Registration


@pytest.fixture
def site(conference, organizer, media_root, django_capture_on_commit_callbacks):
    """Every user-written field of the site holds a payload."""
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        speaker = UserFactory(display_name=payload("dn")[:120], affiliation=payload("aff"))
        co_speaker = UserFactory(display_name=payload("co")[:120])
        reviewer = UserFactory(display_name=payload("rev")[:120])
        chair = UserFactory(display_name="Chad Chair")
        lead = UserFactory(display_name=payload("lead")[:120])
        waiting = UserFactory(display_name=payload("wait")[:120])

        mc = MicroconferenceFactory(
            conference=conference,
            title=payload("mct"),
            summary=payload("mcs"),
            description=markdown_payload("mcd"),
            leads=[lead],
            slug="evil-mc",
            status=Microconference.Status.ACCEPTED,
        )
        group = TopicGroupFactory(microconference=mc, title=payload("grp"), order=1)
        TopicFactory(microconference=mc, group=group, title=payload("top"), order=1)
        TopicFactory(microconference=mc, group=None, title=payload("utop"), order=1)

        track = TrackFactory(
            conference=conference,
            name=payload("trk")[:200],
            slug="evil-track",
            description=markdown_payload("trd"),
            reviewers=[reviewer],
            chairs=[chair],
        )
        cfp_services.track_extend_deadline(
            track=track,
            new_deadline=track.deadline + dt.timedelta(days=7),
            reason=payload("ext"),
            actor=organizer,
            publish_announcement=True,
        )
        proposal = cfp_services.proposal_submit(
            track=track,
            submitter=speaker,
            title=payload("pt"),
            abstract=markdown_payload("pa"),
            notes=markdown_payload("pn"),
            co_speaker_emails=[co_speaker.email],
        )
        cfp_services.co_speaker_invitation_accept(
            token=proposal.invitations.get().token, user=co_speaker
        )
        cfp_services.review_submit(
            proposal=proposal, reviewer=reviewer, score=2, confidence=3, comment=payload("rc")
        )
        # A conflict on a second proposal (a conflict hides the proposal from its reviewer).
        other = ProposalFactory(track=track, title="Other proposal")
        ReviewFactory(proposal=other, reviewer=chair, comment=payload("rc2"))
        cfp_services.conflict_declare(proposal=other, reviewer=reviewer, reason=payload("cr"))

        announcement = Announcement.objects.create(
            conference=conference,
            title=payload("at"),
            slug="evil-news",
            body=markdown_payload("ab"),
            published_at=timezone.now() - dt.timedelta(minutes=5),
            author=speaker,
        )

        tier = SponsorTierFactory(conference=conference, name=payload("tier")[:100])
        sponsor = sponsor_save(
            sponsor=Sponsor(
                tier=tier,
                name=payload("sn"),
                url="https://sponsor.example.org/?q=%3Cscript%3E&x=%22%3E",
                logo=png_upload(),
                logo_alt=payload("alt"),
                description=markdown_payload("sd"),
            ),
            actor=organizer,
        )

        sponsor_save(
            sponsor=Sponsor(tier=tier, name=payload("sn2"), description=payload("sd2")),
            actor=organizer,
        )

        kind = AttendanceKindFactory(conference=conference, name=payload("kind")[:100], capacity=1)
        registration_services.registration_create(user=chair, kind=kind)
        waitlisted = registration_services.registration_create(
            user=waiting, kind=kind, reason=payload("wr")
        )
        registration_services.registration_create(user=speaker, kind=kind, reason=payload("wr2"))
        cfp_services.proposal_decide(proposals=proposal, decision="accepted", actor=organizer)
    return World(
        conference,
        organizer,
        speaker,
        co_speaker,
        reviewer,
        chair,
        lead,
        waiting,
        mc,
        track,
        proposal,
        announcement,
        sponsor,
        kind,
        waitlisted,
    )


# ------------------------------------------------------------------------- public pages


@pytest.mark.parametrize(
    "live",
    [
        payload("x"),
        '<a href=" javascript:alert(1)">x</a>',
        "<p onmouseover='alert(1)'>x</p>",
        "<script>alert(1)</script>",
        '<form action="javascript:alert(1)"><button>x</button></form>',
    ],
)
def test_inert_check_catches_live_payloads(live):
    with pytest.raises(AssertionError):
        assert_inert(live, "self-test")
    assert_inert(escape(live), "self-test, escaped")


@pytest.mark.django_db
def test_public_pages_render_payloads_inert(client, site):
    assert_page_inert(client, "/", "at", "mct", "alt", "sn2")
    assert_page_inert(client, "/news/", "at")
    assert_page_inert(client, site.announcement.get_absolute_url(), "at", "ab", "alt")
    assert_page_inert(client, "/microconferences/", "mct", "mcs")
    assert_page_inert(client, site.mc.get_absolute_url(), "mct", "mcd", "grp", "top", "utop")
    assert_page_inert(client, "/cfp/", "trk", "trd", "ext")
    assert_page_inert(client, "/sponsors/", "tier", "sn", "sd", "alt", "sn2", "sd2")


@pytest.mark.django_db
def test_markdown_fields_are_sanitized_by_nh3(client, site):
    for url in (site.mc.get_absolute_url(), site.announcement.get_absolute_url()):
        html = assert_page_inert(client, url)
        assert "click me" in html  # the link text stays, its javascript: target does not
        assert "raw link" in html
        assert "<svg" not in html and "<iframe" not in html


@pytest.mark.django_db
def test_extension_announcement_renders_track_name_and_reason_inert(client, site):
    (extension,) = site.track.extensions.all()
    assert_page_inert(client, extension.announcement.get_absolute_url(), "trk", "ext")


# ------------------------------------------------------------------- people's own pages


@pytest.mark.django_db
def test_speaker_pages_render_payloads_inert(client, site):
    client.force_login(site.speaker)
    assert_page_inert(client, "/accounts/profile/", "dn", "aff")
    assert_page_inert(client, "/cfp/proposals/", "pt", "trk")
    assert_page_inert(client, reverse("cfp:submit", kwargs={"slug": site.track.slug}), "trk")
    assert_page_inert(
        client, reverse("cfp:proposal_withdraw", kwargs={"pk": site.proposal.pk}), "pt"
    )
    assert_page_inert(
        client, reverse("cfp:proposal_edit", kwargs={"pk": site.proposal.pk}), "pt", "trk"
    )
    assert_page_inert(client, "/register/", "kind")


@pytest.mark.django_db
def test_co_speaker_page_renders_payloads_inert(client, site):
    client.force_login(site.co_speaker)
    assert_page_inert(client, "/cfp/proposals/", "pt", "co")


@pytest.mark.django_db
def test_waitlisted_person_pages_render_payloads_inert(client, site):
    client.force_login(site.waiting)
    assert_page_inert(client, "/register/", "kind", "wait")
    assert_page_inert(
        client,
        reverse("registration:cancel", kwargs={"registration_id": site.waitlisted.pk}),
        "kind",
    )


@pytest.mark.django_db
def test_lead_edit_page_renders_payloads_inert(client, site):
    client.force_login(site.lead)
    assert_page_inert(
        client,
        reverse("microconferences:edit", kwargs={"slug": site.mc.slug}),
        "mct",
        "mcs",
        "mcd",
        "grp",
        "top",
        "utop",
    )
    group = site.mc.topic_groups.get()
    response = client.post(
        reverse("microconferences:group_delete", kwargs={"slug": site.mc.slug, "pk": group.pk})
    )
    assert response.status_code == 200  # the confirmation page lists the topics
    assert_inert(response.content.decode(), "group delete confirmation")
    assert "MARKtop" in response.content.decode()


# --------------------------------------------------------------------------- triage area


@pytest.mark.django_db
def test_triage_area_renders_payloads_inert(client, site):
    client.force_login(site.chair)
    assert_page_inert(client, "/cfp/review/", "pt", "trk", "dn")
    assert_page_inert(
        client, site.proposal.get_review_url(), "pt", "pa", "pn", "dn", "co", "rc", "rev"
    )


@pytest.mark.django_db
def test_reviewer_sees_own_review_and_messages_inert(client, site):
    client.force_login(site.reviewer)
    html = assert_page_inert(client, site.proposal.get_review_url(), "pt", "rc")
    assert escape(payload("rc")) in html  # the comment is shown back in the form, escaped
    response = client.post(
        reverse("cfp:review_conflict", kwargs={"pk": site.proposal.pk}), follow=True
    )
    assert_inert(response.content.decode(), "message after declaring a conflict")
    assert "MARKpt" in response.content.decode()


# ------------------------------------------------------------- rejected forms, shown back


@pytest.mark.django_db
def test_rejected_forms_show_typed_payload_back_inert(client, site):
    client.force_login(site.speaker)
    response = client.post(
        "/accounts/profile/", {"display_name": payload("typed1"), "affiliation": "\x00"}
    )
    assert_inert(response.content.decode(), "profile")
    assert "MARKtyped1" in response.content.decode()

    response = client.post(
        reverse("cfp:submit", kwargs={"slug": site.track.slug}),
        {"title": payload("typed2"), "abstract": markdown_payload("typed3"), "notes": "\x00"},
    )
    html = response.content.decode()
    assert_inert(html, "proposal submit")
    assert "MARKtyped2" in html and "MARKtyped3" in html

    client.force_login(site.lead)
    response = client.post(
        reverse("microconferences:topic_add", kwargs={"slug": site.mc.slug}),
        {"new-topic-title": payload("typed4"), "new-topic-group": "not a number"},
    )
    html = response.content.decode()
    assert_inert(html, "topic add")
    assert "MARKtyped4" in html


@pytest.mark.django_db
def test_success_messages_quote_titles_inert(client, site):
    client.force_login(site.lead)
    response = client.post(
        reverse("microconferences:topic_add", kwargs={"slug": site.mc.slug}),
        {"new-topic-title": payload("msg"), "new-topic-group": ""},
        follow=True,
    )
    html = response.content.decode()
    assert_inert(html, "topic added message")
    assert "MARKmsg" in html


# ---------------------------------------------------------------------------------- admin


def admin_urls(site):
    """Every registered model's changelist and the change page of each of its rows (a few
    per model), plus the custom admin pages that show user-written text."""
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        opts = model._meta
        try:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))
        except NoReverseMatch:
            continue
        for pk in model._default_manager.order_by("-pk").values_list("pk", flat=True)[:4]:
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk]))
            urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[pk]))
    urls.append(reverse("admin:registration_attendancekind_waitlist", args=[site.kind.pk]))
    return urls


@pytest.mark.django_db
def test_admin_pages_render_payloads_inert(client, site):
    client.force_login(site.organizer)
    seen = ""
    for url in admin_urls(site):
        response = client.get(url)
        assert response.status_code in (200, 403), (url, response.status_code)
        html = response.content.decode()
        assert_inert(html, url)
        seen += html
    for tag in (
        "dn",
        "aff",
        "pt",
        "pa",
        "rc",
        "cr",
        "mct",
        "mcs",
        "grp",
        "top",
        "sn",
        "alt",
        "sd",
        "tier",
        "at",
        "ab",
        "wr",
        "kind",
        "trk",
        "ext",
    ):
        assert f"MARK{tag}" in seen, f"MARK{tag} shown nowhere in the admin"


@pytest.mark.django_db
def test_admin_actions_intermediate_pages_render_kind_names_inert(client, site):
    client.force_login(site.organizer)
    for action in ("offer_next_places", "set_capacity"):
        response = client.post(
            reverse("admin:registration_attendancekind_changelist"),
            {"action": action, "_selected_action": [site.kind.pk]},
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert_inert(html, action)
        assert "MARKkind" in html


@pytest.mark.django_db
def test_admin_messages_after_offering_quote_names_inert(client, site):
    registration_services.registration_cancel(
        registration=Registration.objects.get(user=site.chair, kind=site.kind),
        actor=site.organizer,
    )
    client.force_login(site.organizer)
    response = client.post(
        reverse("admin:registration_attendancekind_changelist"),
        {
            "action": "offer_next_places",
            "_selected_action": [site.kind.pk],
            "apply": "1",
            "count": "1",
        },
        follow=True,
    )
    html = response.content.decode()
    assert_inert(html, "offer message")
    assert "MARKwait" in html or "MARKdn" in html


# ---------------------------------------------------------------------------------- mail


@pytest.mark.django_db
def test_mails_carry_no_live_html_and_no_header_injection(site):
    assert mail.outbox, "the site's services queued no mail: the check proves nothing"
    bodies = ""
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        for content, mimetype in getattr(message, "alternatives", []):
            if "html" in mimetype:
                assert_inert(content, f"HTML mail {message.subject}")
        if getattr(message, "content_subtype", "plain") == "html":
            assert_inert(message.body, f"HTML mail {message.subject}")
        bodies += message.subject + message.body
    # Plain-text mail may quote the text as typed (a mail client shows it as text).
    assert "MARKpt" in bodies and "MARKwait" in bodies


@pytest.mark.django_db
def test_proposal_title_with_newlines_cannot_inject_mail_headers(
    client, site, django_capture_on_commit_callbacks
):
    client.force_login(site.speaker)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("cfp:submit", kwargs={"slug": site.track.slug}),
            {"title": "Hello\r\nBcc: victim@example.org", "abstract": "Text."},
        )
    assert response.status_code in (302, 400)
    for message in mail.outbox:
        assert "\n" not in message.subject
        assert message.bcc == []
        assert "victim@example.org" not in message.recipients()


# ----------------------------------------------------------------------------- feeds, ics


ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.mark.django_db
def test_atom_feed_is_well_formed_and_payloads_inert(client, site):
    response = client.get("/news/feed/")
    assert response.status_code == 200
    root = ET.fromstring(response.content)  # raises on a payload that broke the XML
    assert root.tag == f"{ATOM}feed"
    assert not any(el.tag.rpartition("}")[2] in {"script", "img", "svg"} for el in root.iter())
    entries = root.findall(f"{ATOM}entry")
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert payload("at") in titles  # a text construct: shown as typed, never parsed as HTML
    for entry in entries:
        title = entry.find(f"{ATOM}title")
        assert title.get("type") in (None, "text")
        for element in (entry.find(f"{ATOM}summary"), entry.find(f"{ATOM}content")):
            if element is not None and element.get("type") == "html":
                assert_inert(element.text or "", "feed entry HTML")
    html_of_evil = [
        entry.findtext(f"{ATOM}summary") or entry.findtext(f"{ATOM}content") or ""
        for entry in entries
        if entry.findtext(f"{ATOM}title") == payload("at")
    ]
    assert "MARKab" in html_of_evil[0]
    authors = [a.findtext(f"{ATOM}name") for a in root.iter(f"{ATOM}author")]
    assert str(site.speaker) in authors


@pytest.mark.django_db
def test_deadlines_calendar_keeps_payloads_as_text(client, site):
    response = client.get("/cfp/deadlines.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == Track.objects.filter(conference=site.conference).count()
    (event,) = [e for e in events if "MARKtrk" in str(e.get("summary"))]
    assert str(event.get("summary")) == f"CFP deadline: {site.track.name}"
    assert "MARKext" in str(event.get("description"))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "evil",
    [
        "Evil\r\nBEGIN:VEVENT\r\nSUMMARY:injected\r\nEND:VEVENT",
        "Evil\nX-INJECTED:1",
        "Evil\rX-INJECTED:1",
        "Evil; X-INJECTED=1, \\n",
    ],
)
def test_deadlines_calendar_cannot_be_injected_by_line_breaks(client, site, evil):
    Track.objects.filter(pk=site.track.pk).update(name=evil)  # as typed into the admin
    extension = site.track.extensions.get()
    type(extension).objects.filter(pk=extension.pk).update(reason=evil)
    body = client.get("/cfp/deadlines.ics").content
    lines = re.split(rb"\r\n|\n|\r", body)
    assert not any(line.startswith((b"X-INJECTED", b"SUMMARY:injected")) for line in lines)
    assert lines.count(b"BEGIN:VEVENT") == Track.objects.filter(conference=site.conference).count()
    calendar = icalendar.Calendar.from_ical(body)
    (event,) = [e for e in calendar.walk("VEVENT") if "Evil" in str(e.get("summary"))]
    # Line breaks come back as line breaks (a lone CR as LF), inside the one property.
    assert str(event.get("summary")).replace("\r\n", "\n") == (
        f"CFP deadline: {evil}".replace("\r\n", "\n").replace("\r", "\n")
    )
