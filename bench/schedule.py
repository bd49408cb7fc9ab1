"""Program speed: /schedule/ and the exports at 12 rooms × 3 days × 400 slots.

    .venv/bin/python bench/schedule.py [--seconds 10] [--connections 16] [--workers 4]

On a fresh PostgreSQL database (``plumbers_bench_schedule``) it builds a current edition with
12 rooms over 3 days and 400 published slots (talks with two speakers each, microconference
blocks with two leads, breaks), then measures:

* the generation time of each export (schedule.xml, schedule.json, schedule.ics) in this
  process, without the cache: the cost the first request after a release pays;
* with gunicorn (production settings, Redis) and wrk, as an anonymous visitor: ``/ping``
  (the trivial view: the server and middleware alone), ``/schedule/`` and the three exports,
  once with the shared cache (the steady state: pages and exports are cached until the next
  release) and once with the page cache off (``PLUMBERS_PAGE_CACHE=0``: /schedule/ rendered
  from the database on every request). Throughput is reported as a ratio of the trivial
  view's in the same run; the target for cached pages is at least 1/3.
"""

import argparse
import os
import statistics
import sys
import time
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

DATABASE = "plumbers_bench_schedule"
ROOMS, DAYS, SLOTS = 12, 3, 400
PAGES = [
    ("trivial view (/ping)", "/ping"),
    ("program (first day)", "/schedule/"),
    ("schedule.xml", "/schedule/export/schedule.xml"),
    ("schedule.json", "/schedule/export/schedule.json"),
    ("schedule.ics", "/schedule/export/schedule.ics"),
]


def build_program(env: dict) -> str:
    """A current edition with ROOMS rooms and SLOTS published slots over DAYS days."""
    os.environ.update(env)
    import django

    django.setup()
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from cfp.models import Proposal, Track
    from microconferences.models import Microconference
    from plumbers.models import Conference, User
    from schedule.models import Item, PublishedSlot, Release, Room

    starts_on = timezone.localdate() + dt.timedelta(days=60)
    conference = Conference.objects.create(
        name="Bench Plumbers",
        slug="bench",
        year=starts_on.year,
        starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=DAYS - 1),
        city="Dublin",
        timezone="Europe/Dublin",
        is_current=True,
    )
    tz = conference.tzinfo
    rooms = Room.objects.bulk_create(
        [Room(conference=conference, name=f"Room {n + 1}", order=n) for n in range(ROOMS)]
    )
    people = User.objects.bulk_create(
        [
            User(email=f"speaker{n}@example.org", display_name=f"Speaker {n}", password="!")
            for n in range(2 * SLOTS)
        ],
        batch_size=500,
    )
    now = timezone.now()
    tracks = [
        Track.objects.create(
            conference=conference,
            name=f"Track {n}",
            slug=f"track-{n}",
            opens_at=now - dt.timedelta(days=90),
            deadline=now - dt.timedelta(days=30),
        )
        for n in range(6)
    ]
    per_room_day = -(-SLOTS // (ROOMS * DAYS))
    items = []
    made = 0
    for day in range(DAYS):
        for room in rooms:
            for n in range(per_room_day):
                if made >= SLOTS:
                    break
                start = dt.datetime.combine(
                    starts_on + dt.timedelta(days=day), dt.time(8), tz
                ) + dt.timedelta(minutes=40 * n)
                speaker, co_speaker = people[2 * made], people[2 * made + 1]
                item = Item(conference=conference, room=room, starts_at=start)
                item.ends_at = start + dt.timedelta(minutes=35)
                if made % 20 == 19:
                    item.kind, item.title = "break", f"Break {made}"
                elif made % 25 == 0:
                    mc = Microconference.objects.create(
                        conference=conference,
                        title=f"Microconference {made}",
                        slug=f"mc-{made}",
                        summary="A block.",
                        description="A *block* of topics.",
                        status="accepted",
                    )
                    mc.leads.add(speaker, co_speaker)
                    item.kind, item.microconference = "microconference", mc
                else:
                    proposal = Proposal(
                        track=tracks[made % len(tracks)],
                        title=f"Talk {made}: a title of a usual length for a talk",
                        abstract="An abstract with **Markdown** of a few lines. " * 5,
                        submitter=speaker,
                        state="confirmed",
                        decided_at=now,
                    )
                    proposal.save()
                    proposal.co_speakers.add(co_speaker)
                    item.kind, item.proposal = "talk", proposal
                items.append(item)
                made += 1
    Item.objects.bulk_create(items, batch_size=500)
    release = Release.objects.create(conference=conference, number=1, version="1.0")
    items = Item.objects.filter(conference=conference).select_related("proposal", "microconference")
    PublishedSlot.objects.bulk_create(
        [PublishedSlot.of(item, release) for item in items],
        batch_size=500,
    )
    summary = (
        f"{Room.objects.count()} rooms, {PublishedSlot.objects.count()} published slots over "
        f"{DAYS} days, {User.objects.count()} speakers"
    )
    connection.close()
    return summary


def export_generation_times(repeat: int = 5) -> list[tuple[str, float, int]]:
    """(format, median ms, bytes) of building each export from the database, uncached."""
    from django.db import connection

    from plumbers.models import Conference
    from schedule import exports
    from schedule.selectors import latest_release

    conference = Conference.objects.get(is_current=True)
    release = latest_release(conference)
    results = []
    for fmt, builder in exports.BUILDERS.items():
        times, size = [], 0
        for _ in range(repeat):
            started = time.perf_counter()
            body = builder(exports.export_context(conference, release, "http://127.0.0.1"))
            times.append((time.perf_counter() - started) * 1000)
            size = len(body)
        results.append((fmt, statistics.median(times), size))
    connection.close()
    return results


def render_cpu_ms(path: str = "/schedule/", repeat: int = 10) -> tuple[float, int, int]:
    """(median CPU ms, queries, bytes) of rendering ``path`` uncached in this process: a
    figure that a loaded machine disturbs less than wall-clock throughput."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    settings.PLUMBERS_PAGE_CACHE = False
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.get(path)
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started = time.process_time()
            response = client.get(path)
            times.append((time.process_time() - started) * 1000)
    connection.close()
    return statistics.median(times), len(queries), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8831)
    args = parser.parse_args()

    env = bench_env(DATABASE)
    print(f"Machine: {machine_description()}")
    print(f"Fresh database {DATABASE}: migrate, build the program…", flush=True)
    recreate_database(DATABASE)
    manage(env, "migrate", "--noinput")
    prepare_static(env)
    print("  " + build_program(env), flush=True)

    print()
    print("Export generation (in process, from the database, no cache), median of 5:")
    print("| export | ms | bytes |")
    print("|---|---:|---:|")
    for fmt, ms, size in export_generation_times():
        print(f"| schedule.{fmt} | {ms:.0f} | {size:,} |")

    ms, queries, size = render_cpu_ms()
    print()
    print(
        f"/schedule/ rendered uncached in process: {ms:.0f} ms CPU (median of 10), "
        f"{queries} queries, {size:,} bytes"
    )

    runs = [("cached", env), ("uncached", {**env, "PLUMBERS_PAGE_CACHE": "0"})]
    for label, run_env in runs:
        manage(run_env, "shell", "-c", "from django.core.cache import cache; cache.clear()")
        pages = PAGES if label == "cached" else PAGES[:2]
        # Uncached renders take hundreds of milliseconds on a busy machine: as many
        # connections as workers, so wrk's 2-second timeout measures the server, not a queue.
        connections = args.connections if label == "cached" else args.workers
        with gunicorn(run_env, [args.port], workers=args.workers):
            base = f"http://127.0.0.1:{args.port}"
            results = []
            for name, path in pages:
                wrk(base + path, seconds=2, connections=connections)  # warm up
                results.append(
                    (
                        name,
                        path,
                        wrk(base + path, seconds=args.seconds, connections=connections),
                    )
                )
        trivial = results[0][2]["rps"]
        print()
        print(
            f"{label}: gunicorn {args.workers} workers, wrk {connections} connections, "
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
