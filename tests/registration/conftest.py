import pytest

from registration.models import PriorityRule
from tests.registration.factories import (
    AttendanceKindFactory,
    PriorityRuleFactory,
    VirtualKindFactory,
)


@pytest.fixture
def in_person(conference):
    return AttendanceKindFactory(conference=conference, capacity=2)


@pytest.fixture
def virtual(conference):
    return VirtualKindFactory(conference=conference)


@pytest.fixture
def rules(conference):
    return [
        PriorityRuleFactory(
            conference=conference, kind=PriorityRule.Kind.CONTENT_CONTRIBUTOR, weight=100, order=1
        ),
        PriorityRuleFactory(
            conference=conference, kind=PriorityRule.Kind.NEW_ATTENDEE, weight=50, order=2
        ),
    ]
