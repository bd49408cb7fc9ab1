"""A visitor finds the VFIO/IOMMU/PCI microconference and its IOMMU topics."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from microconferences import demo
from plumbers.demo import DemoContext

pytestmark = pytest.mark.e2e


@pytest.fixture
def lpc_microconferences(conference, organizer):
    ctx = DemoContext(
        conference=conference,
        historical=True,
        shift=dt.timedelta(0),
        out=lambda line: None,
        accounts={"organizer": organizer},
    )
    demo.load(ctx)
    return ctx.extra["microconferences"]


def test_visitor_sees_iommufd_under_the_iommu_heading(page, lpc_microconferences):
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Microconferences").click()
    page.get_by_role("heading", name="Microconferences", level=1).wait_for()
    page.get_by_role("link", name="VFIO/IOMMU/PCI").click()

    expect(page.get_by_role("heading", name="VFIO/IOMMU/PCI", level=1)).to_be_visible()
    iommu = page.get_by_role("region", name="IOMMU", exact=True)
    expect(iommu.get_by_role("heading", name="IOMMU", exact=True)).to_be_visible()
    topic = (
        iommu.get_by_role("list")
        .get_by_role("listitem")
        .filter(has_text="/dev/iommufd development")
    )
    assert topic.count() == 1 and topic.is_visible()
    assert (
        page.get_by_role("region", name="PCI", exact=True)
        .get_by_text("/dev/iommufd development")
        .count()
        == 0
    )
    headings = page.locator(".mc-topic-group h3").all_inner_texts()
    assert headings == ["PCI", "VFIO", "IOMMU"]
    assert page.get_by_role("link", name="Edit this microconference").count() == 0
