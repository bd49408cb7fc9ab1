"""Factories for the conference core. Each app's tests keep theirs in tests/<app>/factories.py."""

import datetime as dt

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from plumbers.models import Announcement, Conference, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    """A verified user with a known password (PASSWORD)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    affiliation = "Example Corp"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        obj.save()
        if create and extracted is not False:
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class ConferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conference

    name = factory.Sequence(lambda n: f"Plumbers {2030 + n}")
    slug = factory.Sequence(lambda n: str(2030 + n))
    year = factory.Sequence(lambda n: 2030 + n)
    starts_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=90))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + dt.timedelta(days=2))
    city = "Dublin"
    venue = "Conference Centre"
    timezone = "Europe/Dublin"
    is_current = False


class AnnouncementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Announcement

    title = factory.Sequence(lambda n: f"Announcement {n}")
    slug = factory.Sequence(lambda n: f"announcement-{n}")
    body = "Some **news**."
    published_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(hours=1))


def register_many(kind, count: int) -> list:
    """``count`` new people take seats of ``kind`` through the service, as they would by
    registering on the site (tests use it to fill or sell out a kind)."""
    from registration import services

    return [services.registration_create(user=UserFactory(), kind=kind) for _ in range(count)]
