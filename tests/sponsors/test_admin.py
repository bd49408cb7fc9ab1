import datetime as dt

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from plumbers.models import AuditLog
from registration.models import AttendanceKind, ComplimentaryPass
from registration.services import pass_issue, pass_redeem
from sponsors.models import Sponsor, SponsorTier
from sponsors.services import sponsor_set_logo
from tests.factories import UserFactory
from tests.sponsors.factories import (
    SVG,
    SponsorFactory,
    SponsorTierFactory,
    image_bytes,
    png_upload,
    upload,
)

ADD_URL = reverse("admin:sponsors_sponsor_add")
# The passes inline's form prefix is the reverse accessor registration chose.
PASSES = ComplimentaryPass._meta.get_field("sponsor").remote_field.get_accessor_name()


def sponsor_form(tier, **extra):
    data = {
        "tier": tier.pk,
        "name": "Example Silicon Ltd",
        "url": "https://silicon.example.org/",
        "logo_alt": "Example Silicon",
        "description": "",
        "visible": "on",
        "order": "1",
        f"{PASSES}-TOTAL_FORMS": "0",
        f"{PASSES}-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def test_admin_upload_creates_sponsor_with_rendition_and_preview(client, organizer, conference):
    tier = SponsorTierFactory(conference=conference)
    client.force_login(organizer)
    response = client.post(ADD_URL, sponsor_form(tier, logo=png_upload("mark.png")))
    assert response.status_code == 302
    sponsor = Sponsor.objects.get(name="Example Silicon Ltd")
    assert sponsor.logo.name.endswith(".png") and sponsor.logo_wall
    assert AuditLog.objects.filter(action="sponsor_set_logo", actor=organizer).exists()
    change = client.get(reverse("admin:sponsors_sponsor_change", args=[sponsor.pk]))
    html = change.content.decode()
    assert f'<img src="{sponsor.logo_wall_url}" alt="Example Silicon"' in html
    assert "/media/" not in html  # "Currently:" links to the rendition, not the raw upload


def test_admin_refuses_text_renamed_png_with_message_and_keeps_input(client, organizer, conference):
    tier = SponsorTierFactory(conference=conference)
    client.force_login(organizer)
    text = upload("notes.png", b"just some text, not a picture\n" * 10)
    response = client.post(ADD_URL, sponsor_form(tier, logo=text))
    html = response.content.decode()
    assert response.status_code == 200
    assert "“notes.png” is not a PNG, JPEG or WebP image" in html
    assert 'value="Example Silicon Ltd"' in html
    assert not Sponsor.objects.exists()


def test_admin_refuses_svg_and_gif_with_messages(client, organizer, conference):
    tier = SponsorTierFactory(conference=conference)
    client.force_login(organizer)
    svg = client.post(ADD_URL, sponsor_form(tier, logo=upload("logo.svg", SVG, "image/svg+xml")))
    assert "SVG logos are not accepted" in svg.content.decode()
    gif = client.post(
        ADD_URL, sponsor_form(tier, logo=upload("logo.gif", image_bytes("GIF"), "image/gif"))
    )
    assert "is a GIF image; logos must be PNG, JPEG or WebP" in gif.content.decode()
    assert not Sponsor.objects.exists()


def test_admin_requires_alt_text_with_logo(client, organizer, conference):
    tier = SponsorTierFactory(conference=conference)
    client.force_login(organizer)
    response = client.post(ADD_URL, sponsor_form(tier, logo=png_upload(), logo_alt=""))
    assert "Describe the logo for people who cannot see it" in response.content.decode()
    assert not Sponsor.objects.exists()


def test_admin_clearing_logo_removes_rendition(client, organizer, conference):
    sponsor = SponsorFactory(tier=SponsorTierFactory(conference=conference))
    sponsor_set_logo(sponsor=sponsor, logo=png_upload(), logo_alt="X", actor=organizer)
    client.force_login(organizer)
    url = reverse("admin:sponsors_sponsor_change", args=[sponsor.pk])
    response = client.post(
        url, sponsor_form(sponsor.tier, name=sponsor.name, **{"logo-clear": "on", "logo_alt": ""})
    )
    assert response.status_code == 302
    sponsor.refresh_from_db()
    assert not sponsor.logo and not sponsor.logo_wall


def test_admin_tier_inline_edits_sponsor_order(client, organizer, conference):
    tier = SponsorTierFactory(conference=conference, name="Gold")
    first = SponsorFactory(tier=tier, name="First Example", order=1)
    second = SponsorFactory(tier=tier, name="Second Example", order=2)
    client.force_login(organizer)
    url = reverse("admin:sponsors_sponsortier_change", args=[tier.pk])
    page = client.get(url).content.decode()
    assert "First Example" in page and "Second Example" in page
    data = {
        "conference": conference.pk,
        "name": "Gold",
        "order": "3",
        "logo_size": "medium",
        "benefits": "",
        "complimentary_passes": "2",
        "sponsors-TOTAL_FORMS": "2",
        "sponsors-INITIAL_FORMS": "2",
        "sponsors-MIN_NUM_FORMS": "0",
        "sponsors-MAX_NUM_FORMS": "1000",
    }
    for index, (sponsor, order) in enumerate([(first, 5), (second, 0)]):
        data.update(
            {
                f"sponsors-{index}-id": sponsor.pk,
                f"sponsors-{index}-tier": tier.pk,
                f"sponsors-{index}-name": sponsor.name,
                f"sponsors-{index}-url": sponsor.url,
                f"sponsors-{index}-logo_alt": "",
                f"sponsors-{index}-visible": "on",
                f"sponsors-{index}-order": str(order),
            }
        )
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert list(tier.sponsors.order_by("order").values_list("name", flat=True)) == [
        "Second Example",
        "First Example",
    ]
    tier.refresh_from_db()
    assert tier.complimentary_passes == 2
    assert AuditLog.objects.filter(action="tier_update", object_id=str(tier.pk)).exists()


def test_admin_changelist_filters_by_edition_tier_visibility_and_searches(
    client, organizer, conference
):
    gold = SponsorTierFactory(conference=conference, name="Gold")
    SponsorFactory(tier=gold, name="Shown Example")
    SponsorFactory(tier=gold, name="Hidden Example", visible=False)
    SponsorFactory(tier=SponsorTierFactory(name="Silver"), name="Elsewhere Example")
    client.force_login(organizer)
    url = reverse("admin:sponsors_sponsor_changelist")
    by_edition = client.get(url, {"tier__conference__id__exact": conference.pk}).content.decode()
    assert "Shown Example" in by_edition and "Elsewhere Example" not in by_edition
    assert ">edition<" in by_edition or "By edition" in by_edition
    hidden = client.get(url, {"visible__exact": "0"}).content.decode()
    assert "Hidden Example" in hidden and "Shown Example" not in hidden
    found = client.get(url, {"q": "elsewhere"}).content.decode()
    assert "Elsewhere Example" in found and "Shown Example" not in found


def in_person_kind(conference, capacity=10):
    return AttendanceKind.objects.create(
        conference=conference,
        name="In person",
        kind=AttendanceKind.Kind.IN_PERSON,
        capacity=capacity,
        opens_at=timezone.now() - dt.timedelta(days=1),
    )


# A sponsor's passes are issued on registration's one issue page; the sponsor's admin page
# links to it for that sponsor, and the link fills the form in to top the sponsor up.
ISSUE_URL = reverse("admin:registration_complimentarypass_issue")


def issue_link(client, sponsor):
    page = client.get(reverse("admin:sponsors_sponsor_change", args=[sponsor.pk])).content.decode()
    link = f"{ISSUE_URL}?sponsor={sponsor.pk}"
    assert f'href="{link}"' in page
    return client.get(link)


def issue(client, form):
    initial = {name: field.initial for name, field in form.fields.items()}
    initial.update(form.initial)
    data = {
        name: getattr(value, "pk", value) for name, value in initial.items() if value is not None
    }
    return client.post(ISSUE_URL, data, follow=True)


def test_admin_issue_passes_tops_up_to_tier_allowance(client, organizer, conference):
    kind = in_person_kind(conference)
    tier = SponsorTierFactory(conference=conference, complimentary_passes=3)
    sponsor = SponsorFactory(tier=tier)
    pass_issue(kind=kind, sponsor=sponsor, count=1, actor=organizer)
    client.force_login(organizer)

    form = issue_link(client, sponsor).context["form"]
    response = issue(client, form)

    assert (form.initial["kind"], form.initial["count"]) == (kind, 2)
    texts = [str(m) for m in get_messages(response.wsgi_request)] or [response.content.decode()]
    assert ComplimentaryPass.objects.filter(sponsor=sponsor, kind=kind).count() == 3
    assert any(f"Issued 2 passes for {sponsor}" in text for text in texts)
    again = issue_link(client, sponsor)
    assert "already has all 3 passes" in again.content.decode()
    assert ComplimentaryPass.objects.filter(sponsor=sponsor).count() == 3


def test_admin_issue_passes_shows_refusal_when_no_seat_is_free(client, organizer, conference):
    in_person_kind(conference, capacity=1)
    sponsor = SponsorFactory(tier=SponsorTierFactory(conference=conference, complimentary_passes=2))
    client.force_login(organizer)

    html = issue(client, issue_link(client, sponsor).context["form"]).content.decode()

    assert "Only 1 seats of In person are free" in html
    assert not ComplimentaryPass.objects.filter(sponsor=sponsor).exists()


def test_admin_issue_passes_without_in_person_kind_says_so(client, organizer, conference):
    sponsor = SponsorFactory(tier=SponsorTierFactory(conference=conference, complimentary_passes=2))
    client.force_login(organizer)

    html = issue_link(client, sponsor).content.decode()

    assert "has no in-person attendance kind yet" in html


def test_admin_sponsor_page_lists_passes_with_redeemer(client, organizer, conference):
    kind = in_person_kind(conference)
    sponsor = SponsorFactory(tier=SponsorTierFactory(conference=conference, complimentary_passes=2))
    first, second = pass_issue(kind=kind, sponsor=sponsor, count=2, actor=organizer)
    attendee = UserFactory(display_name="Rhea Redeemer")
    pass_redeem(code=first.code, user=attendee)
    client.force_login(organizer)
    html = client.get(reverse("admin:sponsors_sponsor_change", args=[sponsor.pk])).content.decode()
    assert first.display_code in html and second.display_code in html
    assert "Rhea Redeemer" in html
    assert "Redeemed" in html and "Issued" in html
    assert f"{ISSUE_URL}?sponsor={sponsor.pk}" in html
    assert SponsorTier.objects.count() == 1


def test_admin_sponsor_change_saves_without_touching_its_passes(client, organizer, conference):
    """The passes inline is for reading: the sponsor's form saves with or without its rows."""
    kind = in_person_kind(conference)
    sponsor = SponsorFactory(tier=SponsorTierFactory(conference=conference, complimentary_passes=1))
    (item,) = pass_issue(kind=kind, sponsor=sponsor, count=1, actor=organizer)
    client.force_login(organizer)
    url = reverse("admin:sponsors_sponsor_change", args=[sponsor.pk])
    data = sponsor_form(sponsor.tier, name="Renamed Example", logo_alt="")
    del data[f"{PASSES}-TOTAL_FORMS"], data[f"{PASSES}-INITIAL_FORMS"]

    response = client.post(url, data)

    assert response.status_code == 302
    sponsor.refresh_from_db()
    item.refresh_from_db()
    assert sponsor.name == "Renamed Example"
    assert item.status == ComplimentaryPass.Status.ISSUED and item.sponsor == sponsor
