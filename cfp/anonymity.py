"""Anonymised review: on a track with ``anonymised_review`` its reviewers never see who
speaks (names, emails, affiliations, profile links), on any page, export or mail; its chairs
and organizers, who decide, still do. Conflicts keep working without telling anyone who:
a reviewer who speaks on a proposal simply never sees it (``selectors.visible_proposals``).

Every page of the triage area asks here, once per page, which tracks hide their speakers
from the viewer."""

from collections.abc import Iterable

from cfp.models import Track
from cfp.permissions import decider_track_ids

ANONYMOUS_LABEL = "Hidden (anonymised review)"


def hidden_speaker_track_ids(user, tracks: Iterable[Track], *, deciders=None) -> set[int]:
    """Of ``tracks``, those whose speakers ``user`` may not see (one query, none when the
    caller passes ``deciders``, ``decider_track_ids(user, tracks)`` read already)."""
    tracks = list(tracks)
    anonymised = {track.pk for track in tracks if track.anonymised_review}
    if not anonymised:
        return set()
    if deciders is None:
        deciders = decider_track_ids(user, tracks)
    return anonymised - set(deciders)


def speakers_hidden(user, track: Track) -> bool:
    return track.pk in hidden_speaker_track_ids(user, [track])
