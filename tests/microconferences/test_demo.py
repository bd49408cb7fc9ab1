"""The demo's seven 2022 MCs, complete topic lists, idempotent."""

import datetime as dt

import pytest

from microconferences import demo
from microconferences.models import Microconference, Topic, TopicGroup
from plumbers.demo import DemoContext
from plumbers.models import User

pytestmark = pytest.mark.django_db


def load(conference, organizer, lines):
    ctx = DemoContext(
        conference=conference,
        historical=True,
        shift=dt.timedelta(0),
        out=lines.append,
        accounts={"organizer": organizer},
    )
    demo.load(ctx)
    return ctx


def test_demo_loads_seven_accepted_mcs_with_their_topics(conference, organizer):
    lines = []

    ctx = load(conference, organizer, lines)

    mcs = Microconference.objects.filter(conference=conference)
    assert sorted(mcs.values_list("slug", flat=True)) == sorted(
        [
            "vfio-iommu-pci",
            "android",
            "open-printing",
            "cpu-isolation",
            "iot",
            "real-time-and-scheduling",
            "kernel-memory-management",
        ]
    )
    assert set(mcs.values_list("status", flat=True)) == {"accepted"}
    assert set(mcs.values_list("complimentary_passes", flat=True)) == {2}
    vfio = ctx.extra["microconferences"]["vfio-iommu-pci"]
    groups = list(vfio.topic_groups.order_by("order"))
    assert [g.title for g in groups] == ["PCI", "VFIO", "IOMMU"]
    assert [g.topics.count() for g in groups] == [19, 6, 5]
    assert list(groups[2].topics.order_by("order").values_list("title", flat=True))[0] == (
        "/dev/iommufd development"
    )
    rt = ctx.extra["microconferences"]["real-time-and-scheduling"]
    assert rt.topics.order_by("order").first().title == (
        "How to scalqe PREEMPT_RT for very-large systems"
    )
    assert (
        Topic.objects.filter(microconference__conference=conference).count()
        == 30 + 11 + 5 + 7 + 8 + 9 + 7
    )
    assert all(mc.leads.exists() for mc in mcs)


def test_demo_mc_lead_account_can_log_in_and_leads_vfio(conference, organizer):
    load(conference, organizer, [])

    lead = User.objects.get(email=demo.MC_LEAD_EMAIL)

    assert lead.check_password(demo.MC_LEAD_PASSWORD)
    assert list(lead.led_microconferences.values_list("slug", flat=True)) == ["vfio-iommu-pci"]


def test_demo_loaded_twice_changes_nothing_and_keeps_lead_additions(conference, organizer):
    ctx = load(conference, organizer, [])
    vfio = ctx.extra["microconferences"]["vfio-iommu-pci"]
    iommu = vfio.topic_groups.get(title="IOMMU")
    Topic.objects.create(microconference=vfio, group=iommu, title="Added by a lead", order=99)
    counts = (Microconference.objects.count(), TopicGroup.objects.count(), User.objects.count())
    lines = []

    load(conference, organizer, lines)

    assert counts == (
        Microconference.objects.count(),
        TopicGroup.objects.count(),
        User.objects.count(),
    )
    assert Topic.objects.count() == 78
    titles = list(iommu.topics.order_by("order").values_list("title", flat=True))
    assert titles[0] == "/dev/iommufd development" and titles[-1] == "Added by a lead"
    assert "(0 new)" in lines[0]
