"""Every change an organizer makes in the registration admin leaves an audit record: who,
on which object, from what, to what (DESIGN.md convention 7)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.duration import duration_string

from plumbers.models import AuditLog
from registration import services
from registration.models import AttendanceKind, ComplimentaryPass, PriorityRule, Registration
from tests.factories import UserFactory
from tests.registration.factories import PriorityRuleFactory
from tests.sponsors.factories import SponsorFactory, SponsorTierFactory
from tests.test_admin_audit import change_form_data, post_change

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_person(in_person):
    """As the admin's form shows it: to the second."""
    in_person.opens_at = in_person.opens_at.replace(microsecond=0)
    in_person.save()
    return in_person


def audit_of(obj, action):
    return AuditLog.objects.filter(
        object_id=str(obj.pk), content_type__model=obj._meta.model_name, action=action
    )


def split(value: dt.datetime | None, name: str) -> dict:
    """The admin's two boxes (date, time) of a date-time field."""
    if value is None:
        return {f"{name}_0": "", f"{name}_1": ""}
    local = timezone.localtime(value)
    return {f"{name}_0": local.strftime("%Y-%m-%d"), f"{name}_1": local.strftime("%H:%M:%S")}


def kind_url(kind: AttendanceKind) -> str:
    return reverse("admin:registration_attendancekind_change", args=[kind.pk])


def test_attendance_kind_change_form_is_audited(client, organizer, in_person):
    client.force_login(organizer)
    closes = timezone.now().replace(microsecond=0) + dt.timedelta(days=30)

    post_change(
        client,
        kind_url(in_person),
        **split(closes, "closes_at"),
        offer_duration=duration_string(dt.timedelta(days=3)),
        auto_offer="on",
    )

    in_person.refresh_from_db()
    assert (in_person.closes_at, in_person.auto_offer) == (closes, True)
    assert in_person.offer_duration == dt.timedelta(days=3)
    entry = audit_of(in_person, "attendance_kind_update").get()
    assert entry.actor == organizer
    assert entry.data["changes"] == {
        "closes_at": ["", closes.isoformat()],
        "offer_duration": ["2 days, 0:00:00", "3 days, 0:00:00"],
        "auto_offer": ["False", "True"],
    }
    assert "auto_offer: False" in entry.from_state and "auto_offer: True" in entry.to_state


def test_attendance_kind_change_form_without_change_records_nothing(client, organizer, in_person):
    client.force_login(organizer)

    post_change(client, kind_url(in_person))

    assert not audit_of(in_person, "attendance_kind_update").exists()


def test_attendance_kind_capacity_stays_with_the_set_capacity_action(client, organizer, in_person):
    """The change form shows the capacity read-only: a posted capacity is ignored."""
    client.force_login(organizer)
    page = client.get(kind_url(in_person))
    data = {**change_form_data(page), "name": "Main room", "capacity": "999"}

    client.post(kind_url(in_person), data)

    in_person.refresh_from_db()
    assert (in_person.name, in_person.capacity) == ("Main room", 2)
    assert audit_of(in_person, "attendance_kind_update").get().to_state == "name: Main room"


def test_attendance_kind_add_form_is_audited(client, organizer, conference):
    client.force_login(organizer)
    data = {
        "conference": conference.pk,
        "name": "Virtual",
        "kind": "virtual",
        "capacity": "",
        "offer_duration": "72:00:00",
        "order": "1",
        **split(timezone.now(), "opens_at"),
        **split(None, "closes_at"),
    }

    response = client.post(reverse("admin:registration_attendancekind_add"), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    kind = AttendanceKind.objects.get(conference=conference, name="Virtual")
    entry = audit_of(kind, "attendance_kind_create").get()
    assert entry.actor == organizer and "name: Virtual; kind: virtual" in entry.to_state


def test_attendance_kind_delete_is_audited(client, organizer, in_person):
    client.force_login(organizer)

    response = client.post(
        reverse("admin:registration_attendancekind_delete", args=[in_person.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not AttendanceKind.objects.filter(pk=in_person.pk).exists()
    assert audit_of(in_person, "attendance_kind_delete").get().actor == organizer


def test_registration_change_form_bonus_is_audited(client, organizer, in_person):
    services.attendance_kind_set_capacity(kind=in_person, capacity=0, actor=organizer)
    reg = services.registration_create(user=UserFactory(), kind=in_person, reason="Keen.")
    client.force_login(organizer)

    response = client.post(
        reverse("admin:registration_registration_change", args=[reg.pk]), {"manual_bonus": "15"}
    )

    assert response.status_code == 302
    reg.refresh_from_db()
    assert reg.manual_bonus == 15 and reg.status == Registration.Status.WAITLISTED
    entry = audit_of(reg, "registration_bonus").get()
    assert (entry.actor, entry.from_state, entry.to_state) == (organizer, "0", "15")


def test_priority_rule_change_form_is_audited(client, organizer, conference):
    rule = PriorityRuleFactory(conference=conference, weight=50, order=1)
    client.force_login(organizer)

    response = client.post(
        reverse("admin:registration_priorityrule_change", args=[rule.pk]),
        {
            "conference": conference.pk,
            "kind": rule.kind,
            "weight": "70",
            "order": "1",
            "enabled": "on",
        },
    )

    assert response.status_code == 302
    entry = audit_of(rule, "priority_rule_change").get()
    assert entry.actor == organizer
    assert (entry.from_state, entry.to_state) == (
        "weight 50, order 1, on",
        "weight 70, order 1, on",
    )


def test_priority_rule_list_edit_is_audited(client, organizer, conference):
    rule = PriorityRuleFactory(conference=conference, weight=50, order=1)
    client.force_login(organizer)

    response = client.post(
        reverse("admin:registration_priorityrule_changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": rule.pk,
            "form-0-weight": "20",
            "form-0-order": "1",
            "form-0-enabled": "on",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    assert audit_of(rule, "priority_rule_change").get().to_state == "weight 20, order 1, on"


def test_priority_rule_add_and_delete_are_audited(client, organizer, conference):
    client.force_login(organizer)

    client.post(
        reverse("admin:registration_priorityrule_add"),
        {
            "conference": conference.pk,
            "kind": PriorityRule.Kind.CONTENT_CONTRIBUTOR,
            "weight": "100",
            "order": "1",
            "enabled": "on",
        },
    )
    rule = PriorityRule.objects.get(conference=conference)
    client.post(reverse("admin:registration_priorityrule_delete", args=[rule.pk]), {"post": "yes"})

    assert audit_of(rule, "priority_rule_add").get().to_state == "weight 100, order 1, on"
    assert audit_of(rule, "priority_rule_delete").get().actor == organizer
    assert not PriorityRule.objects.exists()


@pytest.fixture
def issued_pass(conference, in_person, organizer):
    sponsor = SponsorFactory(tier=SponsorTierFactory(conference=conference, complimentary_passes=1))
    (item,) = services.pass_issue(kind=in_person, sponsor=sponsor, count=1, actor=organizer)
    return item


def test_pass_change_form_revokes_through_the_service(client, organizer, issued_pass):
    client.force_login(organizer)
    url = reverse("admin:registration_complimentarypass_change", args=[issued_pass.pk])
    assert "Revoke with this reason" in client.get(url).content.decode()

    response = client.post(url, {"revoke_reason": "Sponsor withdrew."})

    assert response.status_code == 302
    issued_pass.refresh_from_db()
    assert issued_pass.status == ComplimentaryPass.Status.REVOKED
    assert issued_pass.revoke_reason == "Sponsor withdrew."
    entry = audit_of(issued_pass, "pass_revoked").get()
    assert (entry.actor, entry.from_state, entry.to_state) == (organizer, "issued", "revoked")
    assert entry.reason == "Sponsor withdrew."


def test_pass_change_form_without_reason_changes_nothing(client, organizer, issued_pass):
    client.force_login(organizer)
    url = reverse("admin:registration_complimentarypass_change", args=[issued_pass.pk])

    client.post(url, {"revoke_reason": "  "})

    issued_pass.refresh_from_db()
    assert issued_pass.status == ComplimentaryPass.Status.ISSUED
    assert list(
        AuditLog.objects.filter(object_id=str(issued_pass.pk)).values_list("action", flat=True)
    ) == ["pass_issued"]


def test_redeemed_pass_change_form_has_nothing_to_change(client, organizer, issued_pass):
    services.pass_redeem(code=issued_pass.code, user=UserFactory())
    client.force_login(organizer)
    url = reverse("admin:registration_complimentarypass_change", args=[issued_pass.pk])

    page = client.get(url).content.decode()
    client.post(url, {"revoke_reason": "Too late."})

    assert "Revoke with this reason" not in page
    issued_pass.refresh_from_db()
    assert issued_pass.status == ComplimentaryPass.Status.REDEEMED
    assert not audit_of(issued_pass, "pass_revoked").exists()
