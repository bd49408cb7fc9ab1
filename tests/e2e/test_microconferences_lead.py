"""An MC lead adds a topic to their own MC, and cannot edit somebody else's."""

import pytest
from playwright.sync_api import expect

from tests.conftest import log_in
from tests.factories import UserFactory
from tests.microconferences.factories import MicroconferenceFactory, TopicGroupFactory

pytestmark = pytest.mark.e2e


def test_lead_adds_a_topic_and_sees_it_on_the_public_page(page, conference):
    lead = UserFactory(display_name="Vera Vector")
    mc = MicroconferenceFactory(
        conference=conference, title="VFIO/IOMMU/PCI", slug="vfio-iommu-pci", leads=[lead]
    )
    TopicGroupFactory(microconference=mc, title="PCI", order=1)
    TopicGroupFactory(microconference=mc, title="IOMMU", order=2)

    log_in(page, lead.email)
    page.goto(mc.get_absolute_url())
    page.get_by_role("link", name="Edit this microconference").click()
    page.get_by_label("New topic:", exact=True).fill("IOMMU page table sharing")
    page.get_by_label("Heading of the new topic").select_option(label="IOMMU")
    page.get_by_role("button", name="Add topic").click()

    expect(
        page.get_by_role("status").get_by_text("Topic “IOMMU page table sharing” added.")
    ).to_be_visible()
    page.get_by_role("link", name="View the public page").click()
    iommu = page.get_by_role("region", name="IOMMU", exact=True)
    expect(iommu.get_by_role("listitem").filter(has_text="IOMMU page table sharing")).to_have_count(
        1
    )


def test_lead_opening_another_mcs_edit_page_gets_forbidden(page, conference):
    lead = UserFactory()
    MicroconferenceFactory(conference=conference, slug="own", leads=[lead])
    other = MicroconferenceFactory(conference=conference, slug="android", title="Android")

    log_in(page, lead.email)
    response = page.goto(f"/microconferences/{other.slug}/edit/")

    assert response.status == 403
    expect(page.get_by_role("heading", name="Forbidden")).to_be_visible()
    expect(page.get_by_text("leads and the organizers can edit it")).to_be_visible()
