"""Factories for the registration app."""

import datetime as dt

import factory
from django.utils import timezone

from registration.models import AttendanceKind, PriorityRule, Registration
from tests.factories import ConferenceFactory, UserFactory


class AttendanceKindFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttendanceKind

    conference = factory.SubFactory(ConferenceFactory)
    name = "In person"
    kind = AttendanceKind.Kind.IN_PERSON
    capacity = 10
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=1))
    closes_at = None
    offer_duration = dt.timedelta(hours=48)
    auto_offer = False


class VirtualKindFactory(AttendanceKindFactory):
    name = "Virtual"
    kind = AttendanceKind.Kind.VIRTUAL
    capacity = None
    order = 1


class RegistrationFactory(factory.django.DjangoModelFactory):
    """A row written directly (for arranging history such as an earlier edition); tests of
    behaviour go through the services."""

    class Meta:
        model = Registration

    user = factory.SubFactory(UserFactory)
    kind = factory.SubFactory(AttendanceKindFactory)
    status = Registration.Status.CONFIRMED
    confirmed_at = factory.LazyFunction(timezone.now)


class PriorityRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriorityRule

    conference = factory.SubFactory(ConferenceFactory)
    kind = PriorityRule.Kind.NEW_ATTENDEE
    weight = 50
    order = 0
