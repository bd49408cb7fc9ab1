"""Public pages show accepted MCs only, topics under their headings; leads edit their own."""

import re

import pytest
from django.urls import reverse

from microconferences.models import Microconference, Topic
from tests.factories import ConferenceFactory, UserFactory
from tests.microconferences.factories import (
    MicroconferenceFactory,
    TopicFactory,
    TopicGroupFactory,
)

pytestmark = pytest.mark.django_db


def group_block(html: str, heading: str) -> str:
    """The HTML of one heading's section on the detail page."""
    match = re.search(rf'<h3 id="group-\d+">{re.escape(heading)}</h3>(.*?)</section>', html, re.S)
    assert match, f"no heading {heading!r}"
    return match.group(1)


def list_items(html: str) -> list[str]:
    return re.findall(r"<li>(.*?)</li>", html)


def edit_url(mc):
    return reverse("microconferences:edit", kwargs={"slug": mc.slug})


def test_list_shows_only_accepted_mcs_of_the_current_edition(client, conference):
    lead = UserFactory(display_name="Vera Vector")
    mc = MicroconferenceFactory(
        conference=conference,
        title="VFIO/IOMMU/PCI",
        leads=[lead],
        summary="Passthrough and friends.",
    )
    TopicFactory.create_batch(3, microconference=mc)
    MicroconferenceFactory(
        conference=conference, title="Still proposed", status=Microconference.Status.PROPOSED
    )
    MicroconferenceFactory(
        conference=conference, title="Turned down", status=Microconference.Status.DECLINED
    )
    MicroconferenceFactory(conference=ConferenceFactory(), title="Last year")

    html = client.get("/microconferences/").content.decode()

    assert "VFIO/IOMMU/PCI" in html and "Passthrough and friends." in html
    assert "Led by Vera Vector" in html
    assert "3 topics" in html
    assert lead.email not in html
    for hidden in ("Still proposed", "Turned down", "Last year"):
        assert hidden not in html


@pytest.mark.parametrize("status", ["proposed", "declined"])
def test_detail_of_non_accepted_mc_is_not_found(client, conference, status):
    mc = MicroconferenceFactory(conference=conference, status=status)

    response = client.get(f"/microconferences/{mc.slug}/")

    assert response.status_code == 404


def test_detail_of_another_editions_mc_is_not_found(client, conference):
    mc = MicroconferenceFactory(conference=ConferenceFactory())

    assert client.get(f"/microconferences/{mc.slug}/").status_code == 404


def test_detail_shows_topics_under_their_headings_in_order(client, conference):
    mc = MicroconferenceFactory(
        conference=conference,
        description="Some **bold** plan.",
        leads=[UserFactory(display_name="Ida Lead")],
    )
    iommu = TopicGroupFactory(microconference=mc, title="IOMMU", order=2)
    pci = TopicGroupFactory(microconference=mc, title="PCI", order=1)
    TopicFactory(group=iommu, title="IOMMU virtualization", order=2)
    TopicFactory(group=iommu, title="/dev/iommufd development", order=1)
    TopicFactory(group=pci, title="Data Object Exchange (DOE)", order=1)
    TopicFactory(microconference=mc, title="General discussion", order=1)

    html = client.get(mc.get_absolute_url()).content.decode()

    assert list_items(group_block(html, "IOMMU")) == [
        "/dev/iommufd development",
        "IOMMU virtualization",
    ]
    assert list_items(group_block(html, "PCI")) == ["Data Object Exchange (DOE)"]
    assert html.index(">PCI</h3>") < html.index(">IOMMU</h3>")
    assert html.index("General discussion") < html.index(">PCI</h3>")
    assert "<strong>bold</strong>" in html
    assert "Ida Lead" in html


def test_detail_escapes_markdown_html(client, conference):
    mc = MicroconferenceFactory(conference=conference, description="Hi <script>alert(1)</script>")

    html = client.get(mc.get_absolute_url()).content.decode()

    assert "<script>alert(1)</script>" not in html


def test_detail_shows_edit_link_only_to_those_who_may_edit(client, conference, user):
    lead = UserFactory()
    mc = MicroconferenceFactory(conference=conference, leads=[lead])

    assert "Edit this microconference" not in client.get(mc.get_absolute_url()).content.decode()
    client.force_login(user)
    assert "Edit this microconference" not in client.get(mc.get_absolute_url()).content.decode()
    client.force_login(lead)
    assert "Edit this microconference" in client.get(mc.get_absolute_url()).content.decode()


def test_home_page_lists_accepted_mcs_with_links(client, conference):
    mc = MicroconferenceFactory(conference=conference, title="Kernel Memory Management")
    MicroconferenceFactory(conference=conference, title="Secret idea", status="proposed")

    html = client.get("/").content.decode()

    assert f'<a href="{mc.get_absolute_url()}">Kernel Memory Management</a>' in html
    assert "Secret idea" not in html


# --------------------------------------------------------------------------- editing


def test_edit_page_sends_anonymous_visitors_to_log_in(client, conference):
    mc = MicroconferenceFactory(conference=conference)

    response = client.get(edit_url(mc))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_edit_page_is_forbidden_to_other_users(client, conference, user):
    mc = MicroconferenceFactory(conference=conference)
    client.force_login(user)

    response = client.get(edit_url(mc))

    assert response.status_code == 403
    html = response.content.decode()
    assert "<h1>Forbidden</h1>" in html
    assert "leads and the organizers can edit it" in html


def test_lead_of_one_mc_cannot_edit_or_add_to_another(client, conference):
    lead = UserFactory()
    MicroconferenceFactory(conference=conference, leads=[lead])
    other = MicroconferenceFactory(conference=conference)
    client.force_login(lead)

    page = client.get(edit_url(other))
    post = client.post(edit_url(other) + "topics/add/", {"new-topic-title": "Sneaky"})

    assert (page.status_code, post.status_code) == (403, 403)
    assert not Topic.objects.filter(title="Sneaky").exists()


def test_lead_cannot_touch_a_topic_of_another_mc_through_their_own_url(client, conference):
    lead = UserFactory()
    own = MicroconferenceFactory(conference=conference, leads=[lead])
    foreign = TopicFactory(
        microconference=MicroconferenceFactory(conference=conference), title="Not yours"
    )
    client.force_login(lead)

    response = client.post(edit_url(own) + f"topics/{foreign.pk}/delete/")

    assert response.status_code == 404
    assert Topic.objects.filter(pk=foreign.pk).exists()


def test_lead_adds_a_topic_under_a_heading_and_it_is_public(client, conference):
    lead = UserFactory()
    mc = MicroconferenceFactory(conference=conference, leads=[lead])
    group = TopicGroupFactory(microconference=mc, title="IOMMU")
    client.force_login(lead)

    response = client.post(
        edit_url(mc) + "topics/add/",
        {"new-topic-title": "IOMMU page tables", "new-topic-group": group.pk},
        follow=True,
    )

    assert "Topic “IOMMU page tables” added." in response.content.decode()
    html = client.get(mc.get_absolute_url()).content.decode()
    assert list_items(group_block(html, "IOMMU")) == ["IOMMU page tables"]


def test_lead_topic_form_with_empty_title_shows_message_and_keeps_choice(client, conference):
    lead = UserFactory()
    mc = MicroconferenceFactory(conference=conference, leads=[lead])
    group = TopicGroupFactory(microconference=mc, title="VFIO")
    client.force_login(lead)

    response = client.post(
        edit_url(mc) + "topics/add/", {"new-topic-title": "   ", "new-topic-group": group.pk}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Please enter the topic&#x27;s title." in html
    assert f'<option value="{group.pk}" selected>VFIO</option>' in html
    assert not Topic.objects.exists()


def test_lead_topic_form_with_too_long_title_keeps_the_typed_text(client, conference):
    lead = UserFactory()
    mc = MicroconferenceFactory(conference=conference, leads=[lead])
    client.force_login(lead)
    typed = "Very long topic " * 25

    response = client.post(edit_url(mc) + "topics/add/", {"new-topic-title": typed})

    html = response.content.decode()
    assert "Ensure this value has at most 300 characters" in html
    assert typed.strip() in html
    assert not Topic.objects.exists()


def test_lead_content_form_with_empty_summary_keeps_the_typed_description(client, conference):
    lead = UserFactory()
    mc = MicroconferenceFactory(conference=conference, leads=[lead], summary="Old summary")
    client.force_login(lead)

    response = client.post(
        edit_url(mc), {"summary": "  ", "description": "My careful new *description*"}
    )

    html = response.content.decode()
    assert "Please enter a summary." in html
    assert "My careful new *description*" in html
    mc.refresh_from_db()
    assert mc.summary == "Old summary"


def test_lead_saves_summary_and_description(client, conference):
    lead = UserFactory()
    mc = MicroconferenceFactory(conference=conference, leads=[lead])
    client.force_login(lead)

    response = client.post(edit_url(mc), {"summary": "Fresh", "description": "Fresh *text*"})

    assert response.status_code == 302
    mc.refresh_from_db()
    assert (mc.summary, mc.description) == ("Fresh", "Fresh *text*")


def test_lead_renames_moves_and_deletes_topics(client, conference):
    lead = UserFactory()
    mc = MicroconferenceFactory(conference=conference, leads=[lead])
    pci = TopicGroupFactory(microconference=mc, title="PCI")
    first = TopicFactory(group=pci, title="First", order=1)
    second = TopicFactory(group=pci, title="Second", order=2)
    client.force_login(lead)

    client.post(edit_url(mc) + f"topics/{second.pk}/move/", {"direction": "up"})
    client.post(
        edit_url(mc) + f"topics/{first.pk}/",
        {f"topic-{first.pk}-title": "First, renamed", f"topic-{first.pk}-group": ""},
    )
    client.post(edit_url(mc) + f"topics/{second.pk}/delete/")

    assert list(mc.topics.values_list("title", "group", "order")) == [("First, renamed", None, 1)]


def test_lead_move_beyond_the_end_shows_a_message(client, conference):
    lead = UserFactory()
    mc = MicroconferenceFactory(conference=conference, leads=[lead])
    only = TopicFactory(microconference=mc, title="Only", order=1)
    client.force_login(lead)

    response = client.post(edit_url(mc) + f"topics/{only.pk}/move/", {"direction": "down"})

    assert "It is already the last one." in response.content.decode()


def test_lead_deleting_a_heading_with_topics_asks_to_confirm(client, conference):
    lead = UserFactory()
    mc = MicroconferenceFactory(conference=conference, leads=[lead])
    group = TopicGroupFactory(microconference=mc, title="VFIO")
    TopicFactory(group=group, title="PASID in SRIOV virtual functions")
    client.force_login(lead)
    url = edit_url(mc) + f"headings/{group.pk}/delete/"

    asked = client.post(url)
    assert "Delete the heading “VFIO”?" in asked.content.decode()
    assert mc.topic_groups.exists()

    client.post(url, {"confirm": "yes"})
    assert not mc.topic_groups.exists() and not mc.topics.exists()


def test_lead_adds_and_renames_a_heading(client, conference):
    lead = UserFactory()
    mc = MicroconferenceFactory(conference=conference, leads=[lead])
    client.force_login(lead)

    client.post(edit_url(mc) + "headings/add/", {"new-group-title": "PCI"})
    group = mc.topic_groups.get()
    client.post(edit_url(mc) + f"headings/{group.pk}/", {f"group-{group.pk}-title": "PCIe"})
    empty = client.post(edit_url(mc) + f"headings/{group.pk}/", {f"group-{group.pk}-title": ""})

    group.refresh_from_db()
    assert group.title == "PCIe"
    assert "Please enter the heading&#x27;s title." in empty.content.decode()


def test_organizer_edits_any_mc(client, conference, organizer):
    mc = MicroconferenceFactory(conference=conference)
    client.force_login(organizer)

    client.post(edit_url(mc) + "topics/add/", {"new-topic-title": "From the organizers"})

    assert mc.topics.get().title == "From the organizers"


def test_lead_may_prepare_a_proposed_mc_page(client, conference):
    lead = UserFactory()
    mc = MicroconferenceFactory(conference=conference, leads=[lead], status="proposed")
    client.force_login(lead)

    html = client.get(edit_url(mc)).content.decode()

    assert "Not public" in html


def test_reordering_topics_shows_on_the_cached_public_page(client, conference, organizer):
    from microconferences import services
    from microconferences.models import Microconference, Topic

    mc = Microconference.objects.create(
        conference=conference, title="Cache MC", slug="cache-mc", summary="s", status="accepted"
    )
    first = Topic.objects.create(microconference=mc, title="Alpha topic", order=1)
    second = Topic.objects.create(microconference=mc, title="Beta topic", order=2)
    html = client.get(mc.get_absolute_url()).content.decode()
    assert html.index("Alpha topic") < html.index("Beta topic")

    services.topic_reorder(
        microconference=mc, group=None, topic_ids=[second.pk, first.pk], actor=organizer
    )

    html = client.get(mc.get_absolute_url()).content.decode()
    assert html.index("Beta topic") < html.index("Alpha topic")
