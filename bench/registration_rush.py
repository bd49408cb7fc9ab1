"""Registration rush: many people submit the real /register/ form the moment it opens.

    .venv/bin/python bench/registration_rush.py [--users 3000] [--capacity 600]
        [--clients 64] [--instances 1] [--workers 2]

What it does, on a fresh PostgreSQL database (``plumbers_bench_rush``):
1. migrates, creates one current edition with an in-person kind of ``--capacity`` seats and
   ``--users`` verified users;
2. starts ``--instances`` gunicorn servers (separate processes on separate ports, sharing the
   database, as separate machines would);
3. untimed: every user logs in through the real allauth form and loads /register/ (people sit
   on the page waiting for registration to open), keeping the CSRF token and session;
4. timed: ``--clients`` concurrent clients submit the real register form (with CSRF) for all
   users at once; a person who gets "sold out" back submits the waitlist form with a reason,
   as a person would;
5. reports registrations per second, latency percentiles of the form posts, confirmed vs
   capacity, waitlisted, and every 5xx; then checks the database: never more confirmed than
   capacity and exactly one registration per user.
"""

import argparse
import http.client
import http.cookies
import os
import re
import statistics
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    bench_env,
    gunicorn,
    machine_description,
    manage,
    prepare_static,
    recreate_database,
)

DATABASE = "plumbers_bench_rush"
PASSWORD = "rush-hour-password"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_ACTION = re.compile(r'action="(/register/kind/(\d+)/)"')


def setup_data(env: dict, *, users: int, capacity: int) -> None:
    """Create the edition, the in-person kind and the users in the bench database."""
    os.environ.update(env)
    import django

    django.setup()
    import datetime as dt

    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from plumbers.models import Conference, User
    from registration.models import AttendanceKind

    today = timezone.localdate()
    conference = Conference.objects.create(
        name="Rush Conference",
        slug="rush",
        year=today.year,
        starts_on=today + dt.timedelta(90),
        ends_on=today + dt.timedelta(92),
        city="Dublin",
        timezone="Europe/Dublin",
        is_current=True,
    )
    AttendanceKind.objects.create(
        conference=conference,
        name="In person",
        kind="in_person",
        capacity=capacity,
        opens_at=timezone.now() - dt.timedelta(minutes=1),
        auto_offer=False,
    )
    AttendanceKind.objects.create(
        conference=conference,
        name="Virtual",
        kind="virtual",
        capacity=None,
        opens_at=timezone.now() - dt.timedelta(minutes=1),
        order=1,
    )
    hashed = make_password(PASSWORD)
    created = User.objects.bulk_create(
        [
            User(email=f"rush{n}@example.org", display_name=f"Rush {n}", password=hashed)
            for n in range(users)
        ],
        batch_size=1000,
    )
    EmailAddress.objects.bulk_create(
        [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in created],
        batch_size=1000,
    )
    from django.db import connection

    connection.close()


class Browser:
    """One person's browser: a keep-alive connection and a cookie jar."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"Host": "127.0.0.1", "Connection": "keep-alive"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        for attempt in range(3):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, ConnectionError):
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                cookie = http.cookies.SimpleCookie(value)
                for key, morsel in cookie.items():
                    self.cookies[key] = morsel.value
        return response.status, response.getheader("Location", ""), data

    def close(self):
        self.conn.close()


class Person:
    def __init__(self, n: int, port: int):
        self.email = f"rush{n}@example.org"
        self.browser = Browser(port)
        self.csrf = ""
        self.action = ""
        self.kind_id = ""
        self.outcome = ""

    def log_in_and_open_register_page(self) -> None:
        status, _, html = self.browser.request("GET", "/accounts/login/")
        token = CSRF_INPUT.search(html).group(1)
        status, location, html = self.browser.request(
            "POST",
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "login": self.email, "password": PASSWORD},
        )
        if status != 302:
            raise RuntimeError(f"login failed for {self.email}: {status}")
        status, _, html = self.browser.request("GET", "/register/")
        self.csrf = CSRF_INPUT.search(html).group(1)
        match = FORM_ACTION.search(html)
        self.action, self.kind_id = match.group(1), match.group(2)
        self.browser.close()  # the page sits open; the rush opens fresh connections


def rush(people: list[Person], clients: int) -> dict:
    queue = list(reversed(people))
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    start_gate = threading.Barrier(clients + 1)

    def post(person: Person, form: dict):
        t0 = time.perf_counter()
        status, location, html = person.browser.request("POST", person.action, form)
        elapsed = time.perf_counter() - t0
        with lock:
            latencies.append(elapsed)
            statuses[status] = statuses.get(status, 0) + 1
        return status, location, html

    def worker():
        start_gate.wait()
        while True:
            with lock:
                if not queue:
                    return
                person = queue.pop()
            form = {"csrfmiddlewaretoken": person.csrf}
            status, location, html = post(person, form)
            if status == 400 and 'name="waitlist"' in html:
                # Sold out while the page was open: the person writes why and joins the list.
                token = CSRF_INPUT.search(html).group(1)
                form = {
                    "csrfmiddlewaretoken": token,
                    "waitlist": "1",
                    f"kind{person.kind_id}-reason": "I maintain a driver two MCs discuss.",
                }
                status, location, html = post(person, form)
            person.outcome = "ok" if status == 302 else f"http {status}"
            person.browser.close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start_gate.wait()
    t0 = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - t0
    ordered = sorted(latencies) or [0.0]

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000

    return {
        "elapsed": elapsed,
        "posts": len(latencies),
        "statuses": statuses,
        "p50": pct(0.50),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "mean": statistics.mean(ordered) * 1000,
        "failed": [p.email for p in people if p.outcome != "ok"],
    }


def count_outcome(env: dict) -> dict:
    out = manage(
        env,
        "shell",
        "-c",
        "from registration.models import Registration as R, AttendanceKind as K;"
        "from django.db.models import Count;"
        "k=K.objects.get(kind='in_person');"
        "print(k.capacity, R.objects.filter(kind=k,status='confirmed').count(),"
        " R.objects.filter(kind=k,status='waitlisted').count(),"
        " R.objects.filter(kind=k).count(),"
        " R.objects.values('user','kind').annotate(n=Count('id')).filter(n__gt=1).count())",
    )
    capacity, confirmed, waitlisted, total, duplicates = map(int, out.split()[-5:])
    return dict(
        capacity=capacity,
        confirmed=confirmed,
        waitlisted=waitlisted,
        total=total,
        duplicates=duplicates,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=3000)
    parser.add_argument("--capacity", type=int, default=600)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--base-port", type=int, default=8811)
    args = parser.parse_args()

    env = bench_env(DATABASE)
    print(f"Machine: {machine_description()}")
    print(f"Fresh database {DATABASE}; migrating and creating {args.users} users…", flush=True)
    recreate_database(DATABASE)
    manage(env, "migrate", "--noinput")
    prepare_static(env)
    setup_data(env, users=args.users, capacity=args.capacity)

    ports = [args.base_port + i for i in range(args.instances)]
    with gunicorn(env, ports, workers=args.workers, threads=args.threads):
        people = [Person(n, ports[n % len(ports)]) for n in range(args.users)]
        print(f"Logging in {len(people)} people on {len(ports)} instance(s) (untimed)…", flush=True)
        t0 = time.perf_counter()
        login_queue = list(people)
        login_lock = threading.Lock()

        def login_worker():
            while True:
                with login_lock:
                    if not login_queue:
                        return
                    person = login_queue.pop()
                person.log_in_and_open_register_page()

        threads = [threading.Thread(target=login_worker) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        print(f"  logged in and on /register/ in {time.perf_counter() - t0:.1f}s", flush=True)

        print(f"Rush: {args.clients} concurrent clients submit the form…", flush=True)
        result = rush(people, args.clients)

    outcome = count_outcome(env)
    five_xx = sum(n for status, n in result["statuses"].items() if status >= 500)
    rate = args.users / result["elapsed"]
    print()
    print(
        f"instances={args.instances} workers/instance={args.workers} clients={args.clients} "
        f"users={args.users} capacity={args.capacity}"
    )
    print(
        f"registrations/s: {rate:.1f}  (all {args.users} people done in "
        f"{result['elapsed']:.2f}s; {result['posts']} form posts)"
    )
    print(
        f"form post latency ms: p50 {result['p50']:.1f}  p95 {result['p95']:.1f}  "
        f"p99 {result['p99']:.1f}  mean {result['mean']:.1f}"
    )
    print(f"HTTP statuses of posts: {dict(sorted(result['statuses'].items()))}  5xx: {five_xx}")
    print(
        f"confirmed {outcome['confirmed']} / capacity {outcome['capacity']}; "
        f"waitlisted {outcome['waitlisted']}; registrations {outcome['total']}; "
        f"users with more than one: {outcome['duplicates']}; "
        f"people without an outcome: {len(result['failed'])}"
    )
    oversold = outcome["confirmed"] > outcome["capacity"]
    ok = (
        not oversold
        and five_xx == 0
        and outcome["duplicates"] == 0
        and not result["failed"]
        and outcome["confirmed"] + outcome["waitlisted"] == args.users
    )
    print("RESULT:", "OK (no oversell, no errors)" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
