"""The organizers' dashboard at scale: how long the admin index takes with it, against the
same index without it, in the same run.

    .venv/bin/python bench/dashboard.py [--runs 30]

On a fresh PostgreSQL database (``plumbers_bench_dashboard``) it loads the LPC 2022 demo and
scales it up like bench/pages.py (2,000 proposals, 5,000 registrations), then spreads the
registrations and proposals over 60 days, makes offers (open, expiring, lapsed, accepted),
and writes reviews for a third of the proposals, so every card and chart has work to do.
With production settings (bench/settings.py), in one process, it requests:

- ``/admin/`` as an organizer: the index with the dashboard of the current edition;
- ``/admin/dashboard/<slug>/``: the dashboard page of that edition;
- one chart's CSV download;
- the floor: ``/admin/`` as a staff member who is not an organizer, i.e. the same page,
  middleware and session work without the dashboard.

Each is requested ``--runs`` times after two warm-up requests; the table gives the median
and 90th percentile wall time, the ratio of the median to the floor's, and the number of
database queries of one request (it must not depend on the data's size).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    ROOT,
    bench_env,
    machine_description,
    manage,
    prepare_static,
    recreate_database,
)
from bench.pages import scale_up  # noqa: E402

DATABASE = "plumbers_bench_dashboard"


def enrich() -> str:
    """Spread dates, make offers and reviews (runs in the process scale_up set up)."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from cfp.models import Proposal, Review, Track
    from plumbers.models import Conference, User
    from registration.models import AttendanceKind, Registration

    conference = Conference.objects.get(is_current=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE registration_registration SET created_at = now() - (id %% 60) * interval "
            "'1 day' WHERE kind_id IN (SELECT id FROM registration_attendancekind "
            "WHERE conference_id = %s)",
            [conference.pk],
        )
        cursor.execute(
            "UPDATE cfp_proposal SET created_at = now() - (id %% 60) * interval '1 day' "
            "WHERE track_id IN (SELECT id FROM cfp_track WHERE conference_id = %s)",
            [conference.pk],
        )
    in_person = AttendanceKind.objects.get(conference=conference, kind="in_person")
    now = timezone.now()
    waiting = list(
        Registration.objects.filter(kind=in_person, status="waitlisted").values_list(
            "pk", flat=True
        )[:200]
    )
    for n, pk in enumerate(waiting):
        offered_at = now - dt.timedelta(days=n % 5)
        if n % 4 == 0:
            fields = {"status": "confirmed", "confirmed_at": now}
        elif n % 4 == 1:
            fields = {"status": "expired", "ended_at": now}
        else:
            fields = {"status": "offered"}
        Registration.objects.filter(pk=pk).update(
            offered_at=offered_at,
            offer_expires_at=offered_at + dt.timedelta(hours=72 if n % 3 else 20),
            **fields,
        )
    reviewers = list(User.objects.filter(email__startswith="scaled")[:20])
    for track in Track.objects.filter(conference=conference):
        track.reviewers.add(*reviewers[:10])
    proposals = list(
        Proposal.objects.filter(track__conference=conference).values_list("pk", flat=True)
    )
    Review.objects.bulk_create(
        [
            Review(proposal_id=pk, reviewer=reviewers[n % 10], score=1, confidence=2)
            for n, pk in enumerate(proposals)
            if n % 3 == 0
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return (
        f"{Registration.objects.filter(kind__conference=conference).count()} registrations "
        f"({Registration.objects.filter(status='offered').count()} offered), "
        f"{len(proposals)} proposals, {Review.objects.count()} reviews"
    )


def measure(client, url: str, runs: int) -> dict:
    from django.db import connection

    for _ in range(2):
        assert client.get(url).status_code == 200, url
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        response = client.get(url)
    assert response.status_code == 200, url
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        if hasattr(response, "streaming_content"):
            b"".join(response.streaming_content)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, url
    times.sort()
    return {
        "median": statistics.median(times),
        "p90": times[int(len(times) * 0.9) - 1],
        "queries": len(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--reuse", action="store_true", help="measure the database a previous run built"
    )
    args = parser.parse_args()

    # Its own collected static files: other benchmarks may be collecting theirs meanwhile.
    env = bench_env(DATABASE, DJANGO_STATIC_ROOT=str(ROOT / "var" / "bench-static-dashboard"))
    print(f"Machine: {machine_description()}")
    if args.reuse:
        os.environ.update(env)
        import django

        django.setup()
    else:
        print(f"Fresh database {DATABASE}: migrate, demo, scale up…", flush=True)
        recreate_database(DATABASE)
        manage(env, "migrate", "--noinput")
        manage(env, "load_demo")
        prepare_static(env)
        print("  " + scale_up(env), flush=True)
        print("  " + enrich(), flush=True)

    from django.test import Client
    from django.urls import reverse

    from plumbers.models import Conference, User

    conference = Conference.objects.get(is_current=True)
    organizer = User.objects.get(email="organizer@example.org")
    staff, _ = User.objects.get_or_create(
        email="bench-staff@example.org", defaults={"display_name": "Staff", "is_staff": True}
    )
    as_organizer = Client(HTTP_HOST="127.0.0.1")
    as_organizer.force_login(organizer)
    as_staff = Client(HTTP_HOST="127.0.0.1")
    as_staff.force_login(staff)

    rows = [
        ("floor: admin index without the dashboard (staff)", as_staff, reverse("admin:index")),
        ("admin index with the dashboard (organizer)", as_organizer, reverse("admin:index")),
        (
            "dashboard page of the edition",
            as_organizer,
            reverse("admin:dashboard", args=[conference.slug]),
        ),
        (
            "one chart as CSV (registrations per day)",
            as_organizer,
            reverse("admin:dashboard_csv", args=[conference.slug, "registrations"]),
        ),
    ]
    results = [(name, path, measure(client, path, args.runs)) for name, client, path in rows]
    floor = results[0][2]["median"]
    print()
    print(f"{args.runs} requests each, in process, production settings")
    print("| request | path | median ms | p90 ms | ratio to floor | queries |")
    print("|---|---|---:|---:|---:|---:|")
    for name, path, r in results:
        print(
            f"| {name} | `{path}` | {r['median']:.0f} | {r['p90']:.0f} | "
            f"{r['median'] / floor:.1f} | {r['queries']} |"
        )


if __name__ == "__main__":
    main()
