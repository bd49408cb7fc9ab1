"""Organizers edit an MC's headings and topics inline in the admin, in the order they type."""

import pytest

from microconferences.models import Microconference
from plumbers.audit import audit_trail
from tests.microconferences.factories import (
    MicroconferenceFactory,
    TopicFactory,
    TopicGroupFactory,
)

pytestmark = pytest.mark.django_db


def change_form_data(mc, groups, topics):
    """POST data of the admin change form: the MC's fields plus both inline formsets.
    ``groups``/``topics``: lists of dicts (id optional for new rows)."""
    data = {
        "conference": mc.conference_id,
        "title": mc.title,
        "slug": mc.slug,
        "summary": mc.summary,
        "description": mc.description,
        "leads": [u.pk for u in mc.leads.all()],
        "order": mc.order,
        "complimentary_passes": mc.complimentary_passes,
        "_save": "Save",
    }
    for prefix, rows in (("topic_groups", groups), ("topics", topics)):
        data[f"{prefix}-TOTAL_FORMS"] = len(rows)
        data[f"{prefix}-INITIAL_FORMS"] = sum(1 for r in rows if r.get("id"))
        data[f"{prefix}-MIN_NUM_FORMS"] = 0
        data[f"{prefix}-MAX_NUM_FORMS"] = 1000
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-microconference"] = mc.pk
            for key, value in row.items():
                data[f"{prefix}-{i}-{key}"] = "" if value is None else value
    return data


def test_admin_inline_saves_topics_in_the_typed_order(client, organizer, conference):
    mc = MicroconferenceFactory(conference=conference)
    pci = TopicGroupFactory(microconference=mc, title="PCI", order=1)
    iommu = TopicGroupFactory(microconference=mc, title="IOMMU", order=2)
    doe = TopicFactory(group=pci, title="DOE", order=1)
    ide = TopicFactory(group=pci, title="IDE", order=2)
    loose = TopicFactory(microconference=mc, title="Loose", order=1)
    client.force_login(organizer)

    data = change_form_data(
        mc,
        groups=[
            {"id": pci.pk, "title": "PCI", "position": 2},
            {"id": iommu.pk, "title": "IOMMU", "position": 1},
        ],
        topics=[
            # swap DOE and IDE, move the loose topic under IOMMU, add two new topics
            {"id": doe.pk, "group": pci.pk, "title": "DOE", "position": 2},
            {"id": ide.pk, "group": pci.pk, "title": "IDE", "position": 1},
            {"id": loose.pk, "group": iommu.pk, "title": "IOMMU virtualization", "position": 2},
            {"group": iommu.pk, "title": "/dev/iommufd development", "position": 1},
            {"group": pci.pk, "title": "SPDM", "position": None},
        ],
    )
    response = client.post(f"/admin/microconferences/microconference/{mc.pk}/change/", data)

    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["inline_admin_formsets"][1].formset.forms
    ]
    assert list(mc.topic_groups.values_list("title", "order")) == [("IOMMU", 1), ("PCI", 2)]
    assert list(iommu.topics.order_by("order").values_list("title", "order")) == [
        ("/dev/iommufd development", 1),
        ("IOMMU virtualization", 2),
    ]
    assert list(pci.topics.order_by("order").values_list("title", "order")) == [
        ("IDE", 1),
        ("DOE", 2),
        ("SPDM", 3),
    ]
    assert not mc.topics.filter(group__isnull=True).exists()


def test_admin_inline_deletes_a_topic_and_closes_the_gap(client, organizer, conference):
    mc = MicroconferenceFactory(conference=conference)
    a = TopicFactory(microconference=mc, title="A", order=1)
    b = TopicFactory(microconference=mc, title="B", order=2)
    client.force_login(organizer)

    data = change_form_data(
        mc,
        groups=[],
        topics=[
            {"id": a.pk, "group": None, "title": "A", "position": 1, "DELETE": "on"},
            {"id": b.pk, "group": None, "title": "B", "position": 2},
        ],
    )
    response = client.post(f"/admin/microconferences/microconference/{mc.pk}/change/", data)

    assert response.status_code == 302
    assert list(mc.topics.values_list("title", "order")) == [("B", 1)]


def test_admin_change_form_lists_topics_in_order(client, organizer, conference):
    mc = MicroconferenceFactory(conference=conference)
    group = TopicGroupFactory(microconference=mc, title="VFIO", order=1)
    TopicFactory(group=group, title="Second", order=2)
    TopicFactory(group=group, title="First", order=1)
    TopicFactory(microconference=mc, title="Ungrouped", order=1)
    client.force_login(organizer)

    response = client.get(f"/admin/microconferences/microconference/{mc.pk}/change/")

    forms = response.context["inline_admin_formsets"][1].formset.initial_forms
    assert [f.instance.title for f in forms] == ["Ungrouped", "First", "Second"]


def test_admin_accept_action_calls_the_audited_service(client, organizer, conference):
    proposed = MicroconferenceFactory(conference=conference, status="proposed")
    accepted = MicroconferenceFactory(conference=conference, status="accepted")
    client.force_login(organizer)

    response = client.post(
        "/admin/microconferences/microconference/",
        {"action": "accept_selected", "_selected_action": [proposed.pk, accepted.pk]},
        follow=True,
    )

    proposed.refresh_from_db()
    assert proposed.status == Microconference.Status.ACCEPTED
    assert audit_trail(proposed).get().actor == organizer
    html = response.content.decode()
    assert "1 microconference accepted." in html
    assert "is already accepted" in html


def test_admin_decline_action_declines(client, organizer, conference):
    mc = MicroconferenceFactory(conference=conference, status="proposed")
    client.force_login(organizer)

    client.post(
        "/admin/microconferences/microconference/",
        {"action": "decline_selected", "_selected_action": [mc.pk]},
    )

    mc.refresh_from_db()
    assert mc.status == "declined"
    assert audit_trail(mc).get().to_state == "declined"


def test_admin_inline_changes_go_through_the_audited_services(client, organizer, conference):
    mc = MicroconferenceFactory(conference=conference)
    pci = TopicGroupFactory(microconference=mc, title="PCI", order=1)
    old = TopicFactory(group=pci, title="Old name", order=1)
    gone = TopicFactory(group=pci, title="Gone", order=2)
    client.force_login(organizer)

    data = change_form_data(
        mc,
        groups=[{"id": pci.pk, "title": "PCI and CXL", "position": 1}],
        topics=[
            {"id": old.pk, "group": pci.pk, "title": "New name", "position": 1},
            {"id": gone.pk, "group": pci.pk, "title": "Gone", "position": 2, "DELETE": "on"},
            {"group": pci.pk, "title": "Added", "position": 2},
        ],
    )
    response = client.post(f"/admin/microconferences/microconference/{mc.pk}/change/", data)

    assert response.status_code == 302
    assert list(pci.topics.order_by("order").values_list("title", "order")) == [
        ("New name", 1),
        ("Added", 2),
    ]
    trail = {e.action: e for e in audit_trail(mc)}
    assert set(trail) >= {
        "mc_group_renamed",
        "mc_topic_updated",
        "mc_topic_deleted",
        "mc_topic_added",
    }
    assert {e.actor for e in trail.values()} == {organizer}
    assert (trail["mc_group_renamed"].from_state, trail["mc_group_renamed"].to_state) == (
        "PCI",
        "PCI and CXL",
    )
    assert trail["mc_topic_deleted"].from_state == "Gone"


def test_admin_save_of_an_untouched_form_writes_no_audit_record(client, organizer, conference):
    mc = MicroconferenceFactory(conference=conference, status="proposed")
    topic = TopicFactory(microconference=mc, title="Only", order=1)
    client.force_login(organizer)

    data = change_form_data(
        mc, groups=[], topics=[{"id": topic.pk, "group": None, "title": "Only", "position": 1}]
    )
    response = client.post(f"/admin/microconferences/microconference/{mc.pk}/change/", data)

    assert response.status_code == 302
    assert not audit_trail(mc).exists()
    mc.refresh_from_db()
    assert mc.status == "proposed"


def test_admin_add_creates_a_proposed_mc_on_the_record(client, organizer, conference):
    client.force_login(organizer)
    data = {
        "conference": conference.pk,
        "title": "Tracing",
        "slug": "tracing",
        "summary": "Trace all the things.",
        "description": "",
        "leads": [organizer.pk],
        "order": 0,
        "complimentary_passes": 0,
        "_save": "Save",
    }
    for prefix in ("topic_groups", "topics"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})

    response = client.post("/admin/microconferences/microconference/add/", data)

    assert response.status_code == 302
    mc = Microconference.objects.get(slug="tracing")
    assert (mc.status, list(mc.leads.all())) == ("proposed", [organizer])
    entry = audit_trail(mc).get()
    assert (entry.action, entry.actor, entry.to_state) == ("mc_created", organizer, "proposed")
