"""Page speed: public pages against a trivial view, in the same server run.

    .venv/bin/python bench/pages.py [--seconds 10] [--connections 16] [--workers 4]

On a fresh PostgreSQL database (``plumbers_bench_pages``) it loads the LPC 2022 demo, scales
it up to 50 microconferences (about 1,000 topics), 2,000 proposals and 5,000 registrations,
starts gunicorn with production settings (Redis cache, collected static files) and measures,
with wrk, requests per second and latency percentiles of each public page as an anonymous
visitor, and of ``/ping`` (a view that returns "ok": the cost of the server and middleware
alone). Each page's throughput is reported as a ratio of the trivial view's; the target is
at least 1/3. Public pages come from the shared page cache (plumbers/pagecache.py), which
every change of content invalidates, so the figures are the steady state of a busy site.

A second table measures the same pages with the cache emptied before every request
(``--uncached``): the cost of rendering them from the database at this scale.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    bench_env,
    gunicorn,
    machine_description,
    manage,
    prepare_static,
    recreate_database,
    wrk,
)

DATABASE = "plumbers_bench_pages"
PAGES = [
    ("trivial view (/ping)", "/ping"),
    ("home", "/"),
    ("microconferences", "/microconferences/"),
    ("one microconference", "/microconferences/vfio-iommu-pci/"),
    ("CFP", "/cfp/"),
    ("sponsors", "/sponsors/"),
    ("news", "/news/"),
    ("one announcement", "/news/cfp-deadline-extended-refereed/"),
]


def scale_up(env: dict) -> str:
    """Add MCs, proposals and registrations to the loaded demo (bulk inserts)."""
    os.environ.update(env)
    import django

    django.setup()
    import datetime as dt

    from allauth.account.models import EmailAddress
    from django.db import connection
    from django.utils import timezone

    from cfp.models import Proposal, Track
    from microconferences.models import Microconference, Topic, TopicGroup
    from plumbers.models import Conference, User
    from registration.models import AttendanceKind, Registration

    conference = Conference.objects.get(is_current=True)
    have = Microconference.objects.filter(conference=conference).count()
    lead = User.objects.get(email="organizer@example.org")
    for n in range(have, 50):
        mc = Microconference.objects.create(
            conference=conference,
            title=f"Scaled microconference {n}",
            slug=f"scaled-{n}",
            summary="A microconference added to measure the pages at scale.",
            description="Generated for the page benchmark.",
            status="accepted",
            order=100 + n,
        )
        mc.leads.add(lead)
        groups = TopicGroup.objects.bulk_create(
            [TopicGroup(microconference=mc, title=f"Heading {g}", order=g) for g in (1, 2)]
        )
        Topic.objects.bulk_create(
            [
                Topic(microconference=mc, group=groups[t % 2], title=f"Topic {t}", order=t)
                for t in range(20)
            ]
        )
    hashed = User.objects.get(email="attendee@example.org").password
    people = User.objects.bulk_create(
        [
            User(email=f"scaled{n}@example.org", display_name=f"Scaled {n}", password=hashed)
            for n in range(5000)
        ],
        batch_size=1000,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=p, email=p.email, verified=True, primary=True) for p in people],
        batch_size=1000,
    )
    tracks = list(Track.objects.filter(conference=conference))
    now = timezone.now()
    proposals = [
        Proposal(
            track=tracks[n % len(tracks)],
            title=f"Scaled proposal {n}",
            abstract="An abstract.",
            submitter=people[n],
            created_at=now,
        )
        for n in range(2000)
    ]
    for proposal in proposals:  # bulk_create skips save(), which renders the stored HTML
        proposal.render_markdown_fields()
    Proposal.objects.bulk_create(proposals, batch_size=1000)
    virtual = AttendanceKind.objects.get(conference=conference, kind="virtual")
    in_person = AttendanceKind.objects.get(conference=conference, kind="in_person")
    Registration.objects.bulk_create(
        [
            Registration(
                user=p,
                kind=in_person if n % 2 else virtual,
                status="waitlisted" if n % 2 else "confirmed",
                reason="Scaled waitlist entry." if n % 2 else "",
                joined_at=now - dt.timedelta(seconds=n) if n % 2 else None,
                confirmed_at=None if n % 2 else now,
            )
            for n, p in enumerate(people)
        ],
        batch_size=1000,
    )
    summary = (
        f"{Microconference.objects.filter(conference=conference).count()} MCs, "
        f"{Topic.objects.count()} topics, {Proposal.objects.count()} proposals, "
        f"{Registration.objects.count()} registrations, {User.objects.count()} users"
    )
    connection.close()
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8821)
    parser.add_argument(
        "--uncached", action="store_true", help="also measure with the page cache disabled"
    )
    args = parser.parse_args()

    env = bench_env(DATABASE)
    print(f"Machine: {machine_description()}")
    print(f"Fresh database {DATABASE}: migrate, demo, scale up…", flush=True)
    recreate_database(DATABASE)
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo")
    prepare_static(env)
    print("  " + scale_up(env), flush=True)

    runs = [("cached", env)]
    if args.uncached:
        runs.append(("uncached", {**env, "PLUMBERS_PAGE_CACHE": "0"}))
    for label, run_env in runs:
        manage(run_env, "shell", "-c", "from django.core.cache import cache; cache.clear()")
        with gunicorn(run_env, [args.port], workers=args.workers):
            base = f"http://127.0.0.1:{args.port}"
            results = []
            for name, path in PAGES:
                wrk(base + path, seconds=2, connections=args.connections)  # warm up
                results.append(
                    (
                        name,
                        path,
                        wrk(base + path, seconds=args.seconds, connections=args.connections),
                    )
                )
        trivial = results[0][2]["rps"]
        print()
        print(
            f"{label}: gunicorn {args.workers} workers, wrk {args.connections} connections, "
            f"{args.seconds}s per page"
        )
        print("| page | path | req/s | p50 ms | p99 ms | ratio to trivial | errors |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for name, path, r in results:
            errors = r["non_2xx"] + r["socket_errors"]
            print(
                f"| {name} | `{path}` | {r['rps']:.0f} | {r['p50_ms']:.1f} | "
                f"{r['p99_ms']:.1f} | {r['rps'] / trivial:.2f} | {errors} |"
            )


if __name__ == "__main__":
    main()
