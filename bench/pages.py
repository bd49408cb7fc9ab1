"""Page speed: public pages against a trivial view, in the same server run.

    .venv/bin/python bench/pages.py [--seconds 10] [--connections 16] [--workers 4]
        [--database plumbers_bench_pages]

On a fresh PostgreSQL database (``plumbers_bench_pages``) it loads the LPC 2022 demo, scales
it up to 50 microconferences (about 1,000 topics), 2,000 proposals and 5,000 registrations,
starts gunicorn with production settings (Redis cache, collected static files) and measures,
with wrk, requests per second and latency percentiles of each public page as an anonymous
visitor, and of ``/ping`` (a view that returns "ok": the cost of the server and middleware
alone). Each page's throughput is reported as a ratio of the trivial view's; the target is
at least 1/3. Public pages come from the shared page cache (plumbers/pagecache.py), which
every change of content invalidates, so the figures are the steady state of a busy site.

A second server run measures the same pages without the page cache
(``PLUMBERS_PAGE_CACHE=0``; the fragment caches keyed by the content version stay on), and
the pages signed-in people see, which are never page-cached: /register/ with a registration
in each state, the personal page /me/, /cfp/proposals/, and a reviewer's /cfp/review/ over
200 proposals. Goals (issue 16): every public page uncached at least 0.15 of the trivial
view, every signed-in page at least 0.10; the script exits non-zero below them.
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
    require_wrk,
    worker_rss_mib,
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
    ("program", "/schedule/"),
]


def _program_item_path() -> str:
    """An item's page on the demo's published program, a microconference's block where
    there is one (its page lists the MC's topics); "" when nothing is published."""
    from django.db import connection

    from schedule.models import PublishedSlot

    slots = PublishedSlot.objects.order_by("pk")
    slot = slots.filter(item__microconference__isnull=False).first() or slots.first()
    connection.close()
    return f"/schedule/{slot.guid}/" if slot else ""


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
    signed_in = _signed_in_pages(conference, people, tracks, in_person, now)
    summary = (
        f"{Microconference.objects.filter(conference=conference).count()} MCs, "
        f"{Topic.objects.count()} topics, {Proposal.objects.count()} proposals, "
        f"{Registration.objects.count()} registrations, {User.objects.count()} users"
    )
    connection.close()
    return summary, signed_in


SIGNED_IN = [  # (page name, path, the person looking at it)
    *[
        (f"/register/ ({state})", "/register/", f"bench-{state.replace(' ', '-')}@example.org")
        for state in ("nothing yet", "confirmed", "waitlisted", "offered", "cancelled")
    ],
    ("my proposals", "/cfp/proposals/", "scaled0@example.org"),
    ("personal page /me/ (speaker)", "/me/", "scaled0@example.org"),
    ("personal page /me/ (waitlisted)", "/me/", "bench-waitlisted@example.org"),
    ("reviewer triage (200 proposals)", "/cfp/review/", "bench-reviewer@example.org"),
]


def _signed_in_cookies() -> list[tuple[str, str, str]]:
    from plumbers.models import User

    people = {u.email: u for u in User.objects.filter(email__in=[e for *_, e in SIGNED_IN])}
    return [(name, path, _session_cookie(people[email])) for name, path, email in SIGNED_IN]


def signed_in_again(env: dict) -> list[tuple[str, str, str]]:
    """Fresh sessions for the people a previous run created (``--reuse``)."""
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection

    pages = _signed_in_cookies()
    connection.close()
    return pages


def _session_cookie(user) -> str:
    """A logged-in session for ``user`` (as a login leaves it), as a Cookie header value."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "plumbers.auth_backend.CachedUserBackend"  # as a login does
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _signed_in_pages(conference, people, tracks, in_person, now) -> list[tuple[str, str, str]]:
    """People with a registration in each state, a speaker, a reviewer of a track with 200
    proposals; (name, path, Cookie) of the pages they look at."""
    import datetime as dt

    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from cfp.models import Proposal, Track
    from plumbers.models import User
    from registration.models import Registration

    def person(email: str):
        user = User.objects.create(email=email, display_name=email.split("@")[0].title())
        user.set_password("bench-password")
        user.save(update_fields=["password"])
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return user

    S = Registration.Status
    states = {
        "nothing yet": {},
        "confirmed": {"status": S.CONFIRMED, "confirmed_at": now},
        "waitlisted": {"status": S.WAITLISTED, "reason": "Bench.", "joined_at": now},
        "offered": {
            "status": S.OFFERED,
            "offered_at": now,
            "offer_expires_at": now + dt.timedelta(days=2),
        },
        "cancelled": {"status": S.CANCELLED, "ended_at": now},
    }
    for state, fields in states.items():
        user = person(f"bench-{state.replace(' ', '-')}@example.org")
        if fields:
            Registration.objects.create(user=user, kind=in_person, **fields)
    reviewer = person("bench-reviewer@example.org")
    track = Track.objects.create(
        conference=conference,
        name="Bench review track",
        slug="bench-review",
        description="Two hundred proposals to triage.",
        opens_at=timezone.now() - dt.timedelta(days=30),
        deadline=timezone.now() + dt.timedelta(days=30),
    )
    track.reviewers.add(reviewer)
    proposals = [
        Proposal(
            track=track,
            title=f"Review me {n}",
            abstract="An abstract to review.",
            submitter=people[2000 + n],
            created_at=now,
        )
        for n in range(200)
    ]
    for proposal in proposals:
        proposal.render_markdown_fields()
    Proposal.objects.bulk_create(proposals)
    return _signed_in_cookies()


def _measure(base: str, pages, *, seconds: int, connections: int) -> list:
    results = []
    for name, path, cookie in pages:
        headers = {"Cookie": cookie} if cookie else None
        run = {"connections": connections, "headers": headers, "timeout": 30}
        wrk(base + path, seconds=2, **run)  # warm up
        measured = wrk(base + path, seconds=seconds, **run)
        results.append((name, path, measured))
    return results


def _table(title: str, results: list, trivial: float, goal: float | None) -> list[str]:
    """Print one table; return the pages under ``goal``."""
    print()
    print(title)
    print("| page | path | req/s | p50 ms | p99 ms | ratio to trivial | errors |")
    print("|---|---|---:|---:|---:|---:|---:|")
    under = []
    for name, path, r in results:
        errors = r["non_2xx"] + r["socket_errors"]
        ratio = r["rps"] / trivial
        print(
            f"| {name} | `{path}` | {r['rps']:.0f} | {r['p50_ms']:.1f} | "
            f"{r['p99_ms']:.1f} | {ratio:.2f} | {errors} |"
        )
        if (goal is not None and ratio < goal) or errors:
            under.append(f"{name} ({ratio:.2f}, {errors} errors)")
    return under


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8821)
    parser.add_argument("--database", default=DATABASE)
    parser.add_argument("--public-goal", type=float, default=0.15, help="uncached public pages")
    parser.add_argument("--signed-in-goal", type=float, default=0.10)
    parser.add_argument(
        "--reuse", action="store_true", help="measure the database a previous run built"
    )
    args = parser.parse_args()

    require_wrk()
    env = bench_env(args.database)
    print(f"Machine: {machine_description()}")
    if args.reuse:
        print(f"Database {args.database} as a previous run left it", flush=True)
        manage(env, "migrate", "--noinput")
        prepare_static(env)
        signed_in = signed_in_again(env)
    else:
        print(f"Fresh database {args.database}: migrate, demo, scale up…", flush=True)
        recreate_database(args.database)
        manage(env, "migrate", "--noinput")
        manage(env, "load_demo")
        prepare_static(env)
        summary, signed_in = scale_up(env)
        print("  " + summary, flush=True)

    program_item = _program_item_path()
    public = [(name, path, "") for name, path in PAGES]
    if program_item:
        public.append(("one program item", program_item, ""))
        speaker_cookie = next(c for name, _, c in signed_in if name == "my proposals")
        signed_in += [
            ("program (signed in)", "/schedule/", speaker_cookie),
            ("one program item (signed in)", program_item, speaker_cookie),
            ("my program", "/schedule/mine/", speaker_cookie),
        ]
    problems = []
    for label, run_env in (("cached", env), ("uncached", {**env, "PLUMBERS_PAGE_CACHE": "0"})):
        manage(run_env, "shell", "-c", "from django.core.cache import cache; cache.clear()")
        with gunicorn(run_env, [args.port], workers=args.workers) as processes:
            base = f"http://127.0.0.1:{args.port}"
            results = _measure(base, public, seconds=args.seconds, connections=args.connections)
            trivial = results[0][2]["rps"]
            if label == "uncached":
                mine = _measure(base, signed_in, seconds=args.seconds, connections=args.connections)
            rss = worker_rss_mib(processes)
        heading = (
            f"gunicorn {args.workers} workers, wrk {args.connections} connections, "
            f"{args.seconds}s per page; worker RSS after the run (MiB): "
            + " ".join(f"{r:.0f}" for r in rss)
        )
        if label == "cached":
            _table(f"Anonymous, page cache on: {heading}", results, trivial, None)
        else:
            problems += _table(
                f"Anonymous, page cache off (PLUMBERS_PAGE_CACHE=0; fragment caches on): "
                f"{heading}; goal {args.public_goal}",
                results,
                trivial,
                args.public_goal,
            )
            problems += _table(
                f"Signed in (never page-cached), same server run; goal {args.signed_in_goal}",
                mine,
                trivial,
                args.signed_in_goal,
            )
    print()
    print("RESULT:", "OK" if not problems else "UNDER GOAL: " + "; ".join(problems))
    sys.exit(0 if not problems else 1)


if __name__ == "__main__":
    main()
