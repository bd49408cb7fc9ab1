"""Factories for microconferences, their headings and topics."""

import factory

from microconferences.models import Microconference, Topic, TopicGroup
from tests.factories import ConferenceFactory


class MicroconferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Microconference
        skip_postgeneration_save = True

    conference = factory.SubFactory(ConferenceFactory)
    title = factory.Sequence(lambda n: f"Microconference {n}")
    slug = factory.Sequence(lambda n: f"mc-{n}")
    summary = "Open problems, discussed by the people who work on them."
    description = "We will talk about **hard problems**."
    status = Microconference.Status.ACCEPTED
    order = factory.Sequence(lambda n: n)

    @factory.post_generation
    def leads(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.leads.add(*extracted)


class TopicGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TopicGroup

    microconference = factory.SubFactory(MicroconferenceFactory)
    title = factory.Sequence(lambda n: f"Heading {n}")
    order = factory.Sequence(lambda n: n + 1)


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    microconference = factory.LazyAttribute(
        lambda o: o.group.microconference if o.group else MicroconferenceFactory()
    )
    group = None
    title = factory.Sequence(lambda n: f"Topic {n}")
    order = factory.Sequence(lambda n: n + 1)
