"""Decisions and the topic outline: audited, and orders stay unique whatever the moves."""

import pytest
from django.db import IntegrityError, transaction

from microconferences import services
from microconferences.models import Microconference, Topic
from plumbers.audit import audit_trail
from plumbers.models import AuditLog
from tests.factories import UserFactory
from tests.microconferences.factories import (
    MicroconferenceFactory,
    TopicFactory,
    TopicGroupFactory,
)

pytestmark = pytest.mark.django_db


def orders(queryset):
    return list(queryset.order_by("order").values_list("title", "order"))


def test_microconference_accept_changes_status_and_audits(organizer):
    mc = MicroconferenceFactory(status=Microconference.Status.PROPOSED)

    services.microconference_accept(microconference=mc, actor=organizer, reason="Strong list")

    mc.refresh_from_db()
    assert mc.status == "accepted"
    entry = audit_trail(mc).get()
    assert (entry.action, entry.from_state, entry.to_state) == (
        "mc_accepted",
        "proposed",
        "accepted",
    )
    assert entry.actor == organizer and entry.reason == "Strong list"


def test_microconference_decline_after_acceptance_audits_both(organizer):
    mc = MicroconferenceFactory(status=Microconference.Status.PROPOSED)
    services.microconference_accept(microconference=mc, actor=organizer)

    services.microconference_decline(microconference=mc, actor=organizer, reason="No room")

    mc.refresh_from_db()
    assert mc.status == "declined"
    assert [(e.from_state, e.to_state) for e in audit_trail(mc).order_by("id")] == [
        ("proposed", "accepted"),
        ("accepted", "declined"),
    ]


def test_microconference_save_creates_a_proposed_mc_on_the_record(organizer, conference):
    lead = UserFactory(display_name="Lena Lead")
    mc = Microconference(
        conference=conference,
        title="Tracing",
        slug="tracing",
        summary="Trace all the things.",
        status=Microconference.Status.ACCEPTED,  # a new MC is proposed, whatever it says
    )

    services.microconference_save(microconference=mc, actor=organizer, leads=[lead])

    mc.refresh_from_db()
    assert (mc.status, list(mc.leads.all())) == ("proposed", [lead])
    entry = audit_trail(mc).get()
    assert (entry.action, entry.actor, entry.from_state, entry.to_state) == (
        "mc_created",
        organizer,
        "",
        "proposed",
    )
    assert entry.data["leads"] == ["Lena Lead"]


def test_microconference_save_audits_each_change_and_keeps_the_status(organizer):
    mc = MicroconferenceFactory(status=Microconference.Status.PROPOSED, title="Tracing")
    lead = UserFactory(display_name="Lena Lead")
    mc.title, mc.status, mc.complimentary_passes = "Tracing and BPF", "accepted", 3

    services.microconference_save(microconference=mc, actor=organizer, leads=[lead])

    mc.refresh_from_db()
    assert (mc.title, mc.status, mc.complimentary_passes) == ("Tracing and BPF", "proposed", 3)
    entry = audit_trail(mc).get()
    assert entry.action == "mc_updated" and entry.actor == organizer
    assert entry.data["changes"] == {
        "title": ["Tracing", "Tracing and BPF"],
        "complimentary_passes": ["0", "3"],
        "leads": ["", "Lena Lead"],
    }
    assert "title: Tracing" in entry.from_state and "title: Tracing and BPF" in entry.to_state


def test_microconference_save_without_changes_writes_nothing(organizer):
    mc = MicroconferenceFactory()
    services.microconference_save(microconference=mc, actor=organizer, leads=[])
    assert not audit_trail(mc).exists()


def test_microconference_save_refuses_an_invalid_mc(organizer):
    mc = MicroconferenceFactory()
    mc.summary = ""
    with pytest.raises(services.MicroconferenceError):
        services.microconference_save(microconference=mc, actor=organizer)
    assert not audit_trail(mc).exists()


def test_microconference_delete_leaves_a_record(organizer):
    mc = MicroconferenceFactory(title="Gone")
    TopicFactory(microconference=mc)
    pk = mc.pk

    services.microconference_delete(microconference=mc, actor=organizer)

    assert not Microconference.objects.filter(pk=pk).exists()
    entry = AuditLog.objects.get(action="mc_deleted", object_id=str(pk))
    assert (entry.actor, entry.to_state, entry.data["title"]) == (organizer, "deleted", "Gone")


def test_microconference_accept_when_already_accepted_is_refused(organizer):
    mc = MicroconferenceFactory(status=Microconference.Status.ACCEPTED, title="Android")

    with pytest.raises(services.MicroconferenceError, match="“Android” is already accepted"):
        services.microconference_accept(microconference=mc, actor=organizer)

    assert not audit_trail(mc).exists()


def test_microconference_update_content_normalises_and_audits(user):
    mc = MicroconferenceFactory(leads=[user])

    services.microconference_update_content(
        microconference=mc, summary="  New   summary ", description="# Hello", actor=user
    )

    mc.refresh_from_db()
    assert (mc.summary, mc.description) == ("New summary", "# Hello")
    assert audit_trail(mc).get().data == {"fields": ["summary", "description"]}


def test_microconference_update_content_with_blank_summary_is_refused(user):
    mc = MicroconferenceFactory(summary="Kept")

    with pytest.raises(services.MicroconferenceError, match="summary"):
        services.microconference_update_content(
            microconference=mc, summary="   ", description="", actor=user
        )

    mc.refresh_from_db()
    assert mc.summary == "Kept"


def test_topic_create_appends_at_the_end_of_its_heading(user):
    group = TopicGroupFactory()
    mc = group.microconference
    TopicFactory(group=group, title="First", order=4)
    TopicFactory(microconference=mc, title="Loose", order=9)

    topic = services.topic_create(microconference=mc, title=" New  one ", group=group, actor=user)

    assert (topic.title, topic.order) == ("New one", 5)
    loose = services.topic_create(microconference=mc, title="Loose 2", actor=user)
    assert loose.order == 10 and loose.group is None
    assert [e.action for e in audit_trail(mc)] == ["mc_topic_added", "mc_topic_added"]


def test_topic_create_with_blank_title_is_refused(user):
    mc = MicroconferenceFactory()

    with pytest.raises(services.MicroconferenceError, match="Please enter the topic's title"):
        services.topic_create(microconference=mc, title="  ", actor=user)

    assert not Topic.objects.exists()


def test_topic_create_under_heading_of_another_mc_is_refused(user):
    mc = MicroconferenceFactory()
    foreign = TopicGroupFactory()

    with pytest.raises(services.MicroconferenceError, match="another microconference"):
        services.topic_create(microconference=mc, title="X", group=foreign, actor=user)


def test_topic_reorder_reverses_a_heading_and_keeps_orders_unique(user):
    group = TopicGroupFactory()
    mc = group.microconference
    topics = [TopicFactory(group=group, title=f"T{i}", order=i + 1) for i in range(5)]
    loose = TopicFactory(microconference=mc, title="Loose", order=1)

    services.topic_reorder(
        microconference=mc, group=group, topic_ids=[t.pk for t in reversed(topics)], actor=user
    )

    assert orders(group.topics) == [("T4", 1), ("T3", 2), ("T2", 3), ("T1", 4), ("T0", 5)]
    loose.refresh_from_db()
    assert loose.order == 1
    assert audit_trail(mc).get().action == "mc_topics_reordered"


def test_topic_reorder_of_ungrouped_topics_with_gaps_renumbers_from_one(user):
    mc = MicroconferenceFactory()
    a = TopicFactory(microconference=mc, title="A", order=7)
    b = TopicFactory(microconference=mc, title="B", order=2)

    services.topic_reorder(microconference=mc, group=None, topic_ids=[a.pk, b.pk], actor=user)

    assert orders(Topic.objects.filter(microconference=mc)) == [("A", 1), ("B", 2)]


def test_topic_reorder_with_incomplete_list_is_refused(user):
    group = TopicGroupFactory()
    a = TopicFactory(group=group, order=1)
    TopicFactory(group=group, order=2)

    with pytest.raises(services.MicroconferenceError, match="reload"):
        services.topic_reorder(
            microconference=group.microconference, group=group, topic_ids=[a.pk], actor=user
        )


def test_topic_move_up_swaps_with_the_topic_above(user):
    group = TopicGroupFactory()
    first = TopicFactory(group=group, title="First", order=1)
    second = TopicFactory(group=group, title="Second", order=2)

    services.topic_move(topic=second, direction="up", actor=user)

    first.refresh_from_db()
    second.refresh_from_db()
    assert (second.order, first.order) == (1, 2)


def test_topic_move_up_of_the_first_topic_is_refused(user):
    group = TopicGroupFactory()
    first = TopicFactory(group=group, order=1)
    TopicFactory(group=group, order=2)

    with pytest.raises(services.MicroconferenceError, match="already the first"):
        services.topic_move(topic=first, direction="up", actor=user)


def test_topic_update_to_another_heading_puts_it_last_there(user):
    pci = TopicGroupFactory(title="PCI")
    mc = pci.microconference
    iommu = TopicGroupFactory(microconference=mc, title="IOMMU")
    TopicFactory(group=iommu, title="iommufd", order=1)
    topic = TopicFactory(group=pci, title="Misfiled", order=1)

    services.topic_update(topic=topic, title="Refiled", group=iommu, actor=user)

    assert orders(iommu.topics) == [("iommufd", 1), ("Refiled", 2)]
    assert not pci.topics.exists()
    entry = audit_trail(mc).get()
    assert entry.data["changes"]["title"] == ["Misfiled", "Refiled"]


def test_topic_group_move_and_reorder_keep_orders_unique(user):
    mc = MicroconferenceFactory()
    a, b, c = (
        TopicGroupFactory(microconference=mc, title=t, order=i)
        for i, t in enumerate("ABC", start=1)
    )

    services.topic_group_move(group=c, direction="up", actor=user)
    services.topic_group_reorder(microconference=mc, group_ids=[c.pk, b.pk, a.pk], actor=user)

    assert orders(mc.topic_groups) == [("C", 1), ("B", 2), ("A", 3)]


def test_topic_group_delete_removes_its_topics_and_audits_their_titles(user):
    group = TopicGroupFactory(title="PCI")
    TopicFactory(group=group, title="DOE", order=1)

    count = services.topic_group_delete(group=group, actor=user)

    assert count == 1
    assert not Topic.objects.exists()
    entry = audit_trail(group.microconference).get()
    assert (entry.action, entry.from_state, entry.data["topics"]) == (
        "mc_group_deleted",
        "PCI",
        ["DOE"],
    )


def test_topic_duplicate_order_in_a_heading_is_refused_by_the_database():
    group = TopicGroupFactory()
    TopicFactory(group=group, order=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        TopicFactory(group=group, order=1)


def test_topic_duplicate_order_among_ungrouped_topics_is_refused_by_the_database():
    mc = MicroconferenceFactory()
    TopicFactory(microconference=mc, order=1)

    with pytest.raises(IntegrityError), transaction.atomic():
        TopicFactory(microconference=mc, order=1)


def test_topic_empty_title_is_refused_by_the_database():
    mc = MicroconferenceFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Topic.objects.create(microconference=mc, title="", order=1)


def test_topic_create_records_the_lead_as_actor():
    lead = UserFactory()
    mc = MicroconferenceFactory(leads=[lead])

    services.topic_create(microconference=mc, title="By the lead", actor=lead)

    assert audit_trail(mc).get().actor == lead
