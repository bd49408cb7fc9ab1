"""Two organizers extend the same deadline at the same moment: the track row is locked, so
the second sees the first's new deadline and is refused instead of recording a duplicate."""

import datetime as dt
import threading

import pytest
from django.db import connection

from cfp import services
from cfp.models import DeadlineExtension, Track
from cfp.services import CfpError
from tests.cfp.factories import TrackFactory
from tests.factories import ConferenceFactory, UserFactory


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_track_extend_deadline_concurrent_same_date_records_one_extension():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions (row locks)")
    track = TrackFactory(conference=ConferenceFactory(is_current=True))
    actors = UserFactory.create_batch(4)
    new_deadline = track.deadline + dt.timedelta(days=7)
    barrier = threading.Barrier(len(actors))
    outcomes = []

    def extend(actor):
        try:
            barrier.wait()
            services.track_extend_deadline(
                track=Track.objects.get(pk=track.pk),
                new_deadline=new_deadline,
                reason="Same idea, same time",
                actor=actor,
            )
            outcomes.append("ok")
        except CfpError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=extend, args=(a,)) for a in actors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["ok", "refused", "refused", "refused"]
    track.refresh_from_db()
    assert track.sequence == 1
    assert DeadlineExtension.objects.count() == 1
