"""Assignment: the automatic plan (property tests), the services and what reviewers see."""

import pytest
from django.core import mail
from hypothesis import given, settings
from hypothesis import strategies as st

from cfp import assignment, services
from cfp.assignment import plan
from cfp.models import Conflict, Review, ReviewAssignment
from cfp.services import CfpError
from plumbers.models import AuditLog
from tests.cfp.factories import ProposalFactory, ReviewFactory, TrackFactory
from tests.factories import UserFactory

# ------------------------------------------------------------------- the plan, as properties


@st.composite
def problems(draw, *, with_conflicts=True, with_levels=True):
    n_proposals = draw(st.integers(min_value=0, max_value=12))
    n_reviewers = draw(st.integers(min_value=0, max_value=8))
    proposals = list(range(1, n_proposals + 1))
    reviewers = list(range(100, 100 + n_reviewers))
    k = draw(st.integers(min_value=1, max_value=5))
    excluded = {}
    if with_conflicts and reviewers:
        for p in proposals:
            excluded[p] = set(draw(st.lists(st.sampled_from(reviewers), max_size=n_reviewers)))
    levels = {}
    if with_levels and reviewers:
        for r in reviewers:
            levels[r] = draw(st.sampled_from(["eager", "willing", "avoid"]))
    return {
        "proposals": proposals,
        "reviewers": reviewers,
        "k": k,
        "excluded": excluded,
        "levels": levels,
    }


def _loads(pairs, reviewers):
    loads = dict.fromkeys(reviewers, 0)
    for _p, r in pairs:
        loads[r] += 1
    return loads


@settings(max_examples=300, deadline=None)
@given(problems())
def test_plan_never_assigns_a_conflict(problem):
    pairs = plan(**problem)
    for p, r in pairs:
        assert r not in problem["excluded"].get(p, set())
    assert len(pairs) == len(set(pairs))  # nobody twice on one proposal


@settings(max_examples=300, deadline=None)
@given(problems())
def test_plan_brings_every_proposal_to_k_where_enough_reviewers_exist(problem):
    pairs = plan(**problem)
    for p in problem["proposals"]:
        eligible = [r for r in problem["reviewers"] if r not in problem["excluded"].get(p, set())]
        got = sum(1 for q, _r in pairs if q == p)
        assert got == min(problem["k"], len(eligible))


@settings(max_examples=300, deadline=None)
@given(problems(with_conflicts=False, with_levels=False))
def test_plan_loads_within_one_of_each_other(problem):
    pairs = plan(**problem)
    loads = _loads(pairs, problem["reviewers"])
    if loads:
        assert max(loads.values()) - min(loads.values()) <= 1


@settings(max_examples=300, deadline=None)
@given(problems())
def test_plan_no_overloaded_reviewer_could_hand_over_to_a_willing_one(problem):
    """With conflicts, perfect balance may be impossible; but no assignment stays with a
    reviewer two above another reviewer of the same preference who could take it."""
    pairs = plan(**problem)
    loads = _loads(pairs, problem["reviewers"])
    levels = problem["levels"]
    taken = {(p, r) for p, r in pairs}
    for p, a in pairs:
        for b in problem["reviewers"]:
            same_kind = (levels.get(a) == "avoid") == (levels.get(b) == "avoid")
            could = (p, b) not in taken and b not in problem["excluded"].get(p, set())
            assert not (same_kind and could and loads[a] >= loads[b] + 2)


@settings(max_examples=300, deadline=None)
@given(problems())
def test_plan_uses_a_reviewer_who_asked_to_be_spared_only_when_needed(problem):
    pairs = plan(**problem)
    levels = problem["levels"]
    for p in problem["proposals"]:
        mine = [r for q, r in pairs if q == p]
        if any(levels.get(r) == "avoid" for r in mine):
            willing = [
                r
                for r in problem["reviewers"]
                if levels.get(r) != "avoid" and r not in problem["excluded"].get(p, set())
            ]
            assert len(willing) < problem["k"]
            assert set(willing) <= set(mine)


@settings(max_examples=200, deadline=None)
@given(problems(with_conflicts=False, with_levels=False), st.data())
def test_plan_counts_existing_coverage(problem, data):
    covered = {
        p: set(data.draw(st.lists(st.sampled_from(problem["reviewers"]), max_size=3)))
        for p in problem["proposals"]
        if problem["reviewers"]
    }
    pairs = plan(covered=covered, **problem)
    for p in problem["proposals"]:
        before = covered.get(p, set())
        new = {r for q, r in pairs if q == p}
        assert not before & new
        assert len(before | new) == min(max(problem["k"], len(before)), len(problem["reviewers"]))


def test_plan_prefers_eager_reviewers_on_ties():
    pairs = plan(proposals=[1], reviewers=[10, 11], k=1, levels={11: "eager"})
    assert pairs == [(1, 11)]


# -------------------------------------------------------------------------- the services


@pytest.fixture
def committee(db, conference):
    reviewers = [UserFactory(display_name=f"Reviewer {i}") for i in range(4)]
    chair = UserFactory(display_name="Chair Person")
    track = TrackFactory(conference=conference, reviewers=reviewers, chairs=[chair])
    return track, reviewers, chair


def test_auto_assign_gives_k_reviewers_never_the_speaker(
    committee, django_capture_on_commit_callbacks
):
    track, reviewers, chair = committee
    speaker_reviewer = reviewers[0]
    own = ProposalFactory(track=track, submitter=speaker_reviewer)
    co = ProposalFactory(track=track, co_speakers=[reviewers[1]])
    conflicted = ProposalFactory(track=track)
    Conflict.objects.create(proposal=conflicted, reviewer=reviewers[2])
    others = ProposalFactory.create_batch(3, track=track)

    with django_capture_on_commit_callbacks(execute=True):
        created = services.assignment_auto(track=track, k=3, actor=chair)

    assert not ReviewAssignment.objects.filter(proposal=own, reviewer=speaker_reviewer).exists()
    assert not ReviewAssignment.objects.filter(proposal=co, reviewer=reviewers[1]).exists()
    assert not ReviewAssignment.objects.filter(proposal=conflicted, reviewer=reviewers[2]).exists()
    for proposal in [own, co, conflicted, *others]:
        assert ReviewAssignment.objects.filter(proposal=proposal).count() == 3
    assert len(created) == 18
    loads = [ReviewAssignment.objects.filter(reviewer=r).count() for r in reviewers]
    assert max(loads) - min(loads) <= 1
    assert AuditLog.objects.filter(action="review_assign_auto").count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted(r.email for r in reviewers)


def test_auto_assign_twice_adds_nothing(committee):
    track, _reviewers, chair = committee
    ProposalFactory.create_batch(2, track=track)
    services.assignment_auto(track=track, k=2, actor=chair)
    assert services.assignment_auto(track=track, k=2, actor=chair) == []


def test_auto_assign_counts_a_review_already_written(committee):
    track, reviewers, chair = committee
    proposal = ProposalFactory(track=track)
    ReviewFactory(proposal=proposal, reviewer=reviewers[3])
    services.assignment_auto(track=track, k=1, actor=chair)
    assert not ReviewAssignment.objects.filter(proposal=proposal).exists()


def test_only_chairs_and_organizers_assign(committee):
    track, reviewers, _chair = committee
    proposal = ProposalFactory(track=track)
    with pytest.raises(CfpError, match="Only a chair"):
        services.assignment_auto(track=track, k=1, actor=reviewers[0])
    with pytest.raises(CfpError, match="Only a chair"):
        services.assignment_add(proposal=proposal, reviewer=reviewers[1], actor=reviewers[0])


def test_manual_assignment_refuses_a_conflict_and_a_stranger(committee):
    track, reviewers, chair = committee
    proposal = ProposalFactory(track=track, co_speakers=[reviewers[0]])
    with pytest.raises(CfpError, match="choose someone else"):
        services.assignment_add(proposal=proposal, reviewer=reviewers[0], actor=chair)
    with pytest.raises(CfpError, match="does not review"):
        services.assignment_add(proposal=proposal, reviewer=UserFactory(), actor=chair)
    services.assignment_add(proposal=proposal, reviewer=reviewers[1], actor=chair)
    with pytest.raises(CfpError, match="already assigned"):
        services.assignment_add(proposal=proposal, reviewer=reviewers[1], actor=chair)


def test_reassignment_keeps_the_review(committee):
    track, reviewers, chair = committee
    proposal = ProposalFactory(track=track)
    services.assignment_add(proposal=proposal, reviewer=reviewers[0], actor=chair)
    services.review_submit(proposal=proposal, reviewer=reviewers[0], score=1, confidence=2)
    services.assignment_remove(assignment_obj=ReviewAssignment.objects.get(), actor=chair)
    services.assignment_add(proposal=proposal, reviewer=reviewers[1], actor=chair)
    assert Review.objects.filter(proposal=proposal, reviewer=reviewers[0]).exists()
    assert list(ReviewAssignment.objects.values_list("reviewer", flat=True)) == [reviewers[1].pk]
    assert AuditLog.objects.filter(action="review_unassign").count() == 1


def test_avoid_preference_is_respected(committee):
    track, reviewers, chair = committee
    services.reviewer_preference_set(track=track, reviewer=reviewers[0], level="avoid")
    ProposalFactory.create_batch(3, track=track)
    services.assignment_auto(track=track, k=2, actor=chair)
    assert not ReviewAssignment.objects.filter(reviewer=reviewers[0]).exists()


def test_assigned_only_track_shows_reviewers_only_their_assignments(client, committee):
    track, reviewers, chair = committee
    track.assigned_only = True
    track.save()
    mine = ProposalFactory(track=track, title="Assigned-one-A1")
    ProposalFactory(track=track, title="Not-mine-B2")
    services.assignment_add(proposal=mine, reviewer=reviewers[0], actor=chair)
    client.force_login(reviewers[0])
    html = client.get("/cfp/review/").content.decode()
    assert "Assigned-one-A1" in html and "Not-mine-B2" not in html
    assert "assigned to you, 1; 1 left" in html
    client.force_login(chair)
    html = client.get("/cfp/review/").content.decode()
    assert "Assigned-one-A1" in html and "Not-mine-B2" in html


def test_reviewer_sees_assigned_count_and_left_goes_down(client, committee):
    track, reviewers, chair = committee
    first, second = ProposalFactory.create_batch(2, track=track)
    for proposal in (first, second):
        services.assignment_add(proposal=proposal, reviewer=reviewers[0], actor=chair)
    client.force_login(reviewers[0])
    assert "assigned to you, 2; 2 left" in client.get("/cfp/review/").content.decode()
    services.review_submit(proposal=first, reviewer=reviewers[0], score=0, confidence=1)
    assert "assigned to you, 2; 1 left" in client.get("/cfp/review/").content.decode()


def test_next_unreviewed_takes_my_assignment_first(client, committee):
    track, reviewers, chair = committee
    ProposalFactory(track=track)
    assigned = ProposalFactory(track=track)
    services.assignment_add(proposal=assigned, reviewer=reviewers[0], actor=chair)
    client.force_login(reviewers[0])
    response = client.get("/cfp/review/next/")
    assert response["Location"] == f"/cfp/review/{assigned.pk}/"


def test_chair_assigns_on_the_page_and_auto_assigns(client, committee):
    track, reviewers, chair = committee
    proposal = ProposalFactory(track=track, title="Page-assign-P")
    client.force_login(chair)
    response = client.post(
        f"/cfp/review/track/{track.pk}/assignments/",
        {"proposal": proposal.pk, "reviewer": reviewers[2].pk},
    )
    assert response.status_code == 302
    assert ReviewAssignment.objects.get().reviewer == reviewers[2]
    response = client.post(f"/cfp/review/track/{track.pk}/assignments/auto/", {"k": "3"})
    assert response.status_code == 302
    assert ReviewAssignment.objects.filter(proposal=proposal).count() == 3
    html = client.get(f"/cfp/review/track/{track.pk}/assignments/").content.decode()
    assert "Page-assign-P" in html and "Reviewer 2" in html


def test_assignment_page_refuses_bad_input_with_reasons(client, committee):
    track, reviewers, chair = committee
    proposal = ProposalFactory(track=track, submitter=reviewers[1])
    client.force_login(chair)
    response = client.post(
        f"/cfp/review/track/{track.pk}/assignments/",
        {"proposal": proposal.pk, "reviewer": reviewers[1].pk},
    )
    assert response.status_code == 400
    assert "choose someone else" in response.content.decode()
    response = client.post(f"/cfp/review/track/{track.pk}/assignments/auto/", {"k": "0"})
    assert response.status_code == 400
    response = client.post(
        f"/cfp/review/track/{track.pk}/assignments/",
        {"proposal": "99999999999999999999999", "reviewer": "x"},
    )
    assert response.status_code == 400


def test_reviewer_sets_preference(client, committee):
    track, reviewers, _chair = committee
    client.force_login(reviewers[0])
    response = client.post(
        f"/cfp/review/track/{track.pk}/preference/",
        {"level": "eager", "expertise": "memory management"},
    )
    assert response.status_code == 302
    state = assignment.track_state(track)
    assert state["levels"] == {reviewers[0].pk: "eager"}
    response = client.post(f"/cfp/review/track/{track.pk}/preference/", {"level": "nope"})
    assert response.status_code == 400


def test_assignment_page_query_count_does_not_grow(client, committee):
    from tests.conftest import get_counting_queries

    track, reviewers, chair = committee
    client.force_login(chair)
    url = f"/cfp/review/track/{track.pk}/assignments/"

    def add(n):
        for _ in range(n):
            proposal = ProposalFactory(track=track, co_speakers=[UserFactory()])
            ReviewFactory(proposal=proposal, reviewer=reviewers[3])
        services.assignment_auto(track=track, k=2, actor=chair)

    add(1)
    client.get(url)
    one, _ = get_counting_queries(client, url)
    add(10)
    client.get(url)  # warm the shared caches again (the changes bumped the content version)
    many, response = get_counting_queries(client, url)
    assert response.content.decode().count("Remove</button>") == 11  # K=2, one review each
    assert many == one
