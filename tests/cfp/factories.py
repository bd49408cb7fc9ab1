"""Factories for the CFP: tracks, proposals, reviews."""

import datetime as dt

import factory
from django.utils import timezone

from cfp.models import Proposal, Review, Track
from tests.factories import ConferenceFactory, UserFactory


class TrackFactory(factory.django.DjangoModelFactory):
    """An open, extendable refereed track (opened 30 days ago, deadline in 30 days)."""

    class Meta:
        model = Track
        skip_postgeneration_save = True

    conference = factory.SubFactory(ConferenceFactory)
    name = factory.Sequence(lambda n: f"Track {n}")
    slug = factory.Sequence(lambda n: f"track-{n}")
    description = "Talks about **plumbing**."
    kind = Track.Kind.REFEREED
    opens_at = factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30))
    deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=30))
    deadline_policy = Track.DeadlinePolicy.EXTENDABLE

    @factory.post_generation
    def reviewers(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.reviewers.add(*extracted)

    @factory.post_generation
    def chairs(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.chairs.add(*extracted)


class ProposalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Proposal
        skip_postgeneration_save = True

    track = factory.SubFactory(TrackFactory)
    title = factory.Sequence(lambda n: f"Proposal {n}")
    abstract = "An abstract with *emphasis*."
    notes = "Private notes."
    submitter = factory.SubFactory(UserFactory)
    state = Proposal.State.SUBMITTED

    @factory.post_generation
    def co_speakers(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.co_speakers.add(*extracted)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    proposal = factory.SubFactory(ProposalFactory)
    reviewer = factory.SubFactory(UserFactory)
    score = 1
    confidence = 2
    comment = "Solid."
