"""Registration rush: many people submit the /register/ form the moment it opens, measured
against the floor (a minimal Django project doing the same locked registration) in the same run.

    .venv/bin/python bench/registration_rush.py [--users 3000] [--capacity 600]
        [--connections 50] [--instances 1] [--workers 4] [--rounds 2] [--full-flow]

What it does:
1. two fresh PostgreSQL databases: ``<database>`` for Plumbers (migrated; one current edition
   with an in-person kind of ``--capacity`` seats; ``--users`` verified users) and
   ``<database>_floor`` for the floor project (``bench/floor``: the same users, a kind with
   the same capacity);
2. untimed: a session (cookie, in the database and cached in Redis, as a login leaves it)
   and a CSRF token for every person on both sites — people sit on the page, logged in,
   waiting for registration to open;
3. starts ``--instances`` gunicorn servers of each project (``--workers`` sync workers each,
   separate ports, sharing their database as separate machines would);
4. each round, for the floor and then Plumbers (registrations emptied before each rush):
   a bare "ok" view (floor ``/ok``) against Plumbers ``/ping`` (the whole middleware stack),
   then the rush with ``wrk`` (``bench/wrk/register.lua``, ``--connections`` connections,
   each request one person's registration: confirmed while seats last, then the waitlist, in
   one post), then the same prepared posts from a Python client (``--connections`` threads);
   after each rush it counts in the database (never more confirmed than capacity, one
   registration per person, no 5xx) and records the workers' memory (RSS);
5. prints each ratio Plumbers/floor and exits non-zero when the wrk registration ratio is
   below ``--min-ratio`` (0.6) or any run oversold, duplicated or answered 5xx.

``--full-flow`` adds the browser-like rush of earlier rounds on Plumbers alone: every person
logs in through the real allauth form and loads /register/ (untimed), then posts the register
form; whoever gets "sold out" back submits the waitlist form with a reason.

Needs PostgreSQL on 127.0.0.1:5432, Redis on 127.0.0.1:6379 and wrk (apt-get install wrk).
"""

import argparse
import http.client
import http.cookies
import json
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (  # noqa: E402
    ROOT,
    bench_env,
    gunicorn,
    machine_description,
    manage,
    prepare_static,
    recreate_database,
    require_wrk,
    worker_cpu_seconds,
    worker_rss_mib,
    wrk,
)

DATABASE = "plumbers_bench_rush"
PASSWORD = "rush-hour-password"
REASON = "I maintain a driver two MCs discuss."
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_ACTION = re.compile(r'action="(/register/kind/(\d+)/)"')
LUA = ROOT / "bench" / "wrk" / "register.lua"


# --------------------------------------------------------------------------- setup (child)


def _prepare_sessions(users, lines_path: Path, line_for) -> None:
    """A logged-in session (database row + Redis copy, as ``cached_db`` keeps it) and a CSRF
    secret per person; one prepared post per line: path <TAB> Cookie <TAB> body."""
    import datetime as dt
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        load_backend,
    )
    from django.contrib.sessions.models import Session
    from django.core.cache import caches
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    engine = import_module(settings.SESSION_ENGINE)
    # As a login leaves it: the first backend that can load a session's user (Plumbers'
    # cached one; the floor's Django default).
    backend = next(
        path for path in settings.AUTHENTICATION_BACKENDS if hasattr(load_backend(path), "get_user")
    )
    expires = timezone.now() + dt.timedelta(days=1)
    rows, cached, lines = [], {}, []
    for user in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: backend,
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        rows.append(
            Session(
                session_key=key,
                session_data=engine.SessionStore().encode(data),
                expire_date=expires,
            )
        )
        cached[engine.KEY_PREFIX + key] = data
        csrf = get_random_string(32)
        lines.append(line_for(key, csrf))
    Session.objects.bulk_create(rows, batch_size=1000)
    caches[settings.SESSION_CACHE_ALIAS].set_many(cached, timeout=86400)
    lines_path.write_text("\n".join(lines) + "\n")


def setup_plumbers(*, users: int, capacity: int, lines_path: Path) -> None:
    """The edition, its in-person (``capacity``) and virtual kinds, the users, their sessions."""
    import datetime as dt

    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.core.cache import cache
    from django.utils import timezone

    from plumbers.models import Conference, User
    from registration.models import AttendanceKind

    # A fresh database: what the shared cache holds of the last one (its users, behind
    # sessions; its content versions) must go too, as after restoring a backup.
    cache.clear()
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
    kind = AttendanceKind.objects.create(
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
    body = urllib.parse.urlencode
    _prepare_sessions(
        created,
        lines_path,
        lambda key, csrf: (
            f"/register/kind/{kind.pk}/\tsessionid={key}; csrftoken={csrf}\t"
            + body({"csrfmiddlewaretoken": csrf, "waitlist": "1", f"kind{kind.pk}-reason": REASON})
        ),
    )


def setup_floor(*, users: int, capacity: int, lines_path: Path) -> None:
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from bench.floor.models import Kind

    kind = Kind.objects.create(capacity=capacity)
    hashed = make_password(PASSWORD)
    created = User.objects.bulk_create(
        [
            User(username=f"rush{n}", email=f"rush{n}@example.org", password=hashed)
            for n in range(users)
        ],
        batch_size=1000,
    )
    _prepare_sessions(
        created,
        lines_path,
        lambda key, csrf: (
            f"/register/{kind.pk}/\tsessionid={key}; csrftoken={csrf}\t"
            + urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "reason": REASON})
        ),
    )


def run_setup(project: str, users: int, capacity: int, lines_path: str) -> None:
    """Child-process entry point: each project's Django is set up in its own process."""
    import django

    django.setup()
    from django.db import connection

    setup = setup_plumbers if project == "plumbers" else setup_floor
    setup(users=users, capacity=capacity, lines_path=Path(lines_path))
    connection.close()


# --------------------------------------------------------------------------- the projects


class Project:
    def __init__(self, name: str, database: str, app: str, ping: str, settings: str):
        self.name = name
        self.database = database
        self.app = app
        self.ping = ping
        self.env = bench_env(database, DJANGO_SETTINGS_MODULE=settings)
        self.lines = ROOT / "var" / f"bench-{database}-posts.txt"

    def create(self, *, users: int, capacity: int) -> None:
        recreate_database(self.database)
        if self.app == "plumbers.wsgi":
            manage(self.env, "migrate", "--noinput")
            prepare_static(self.env)
        else:
            manage(self.env, "migrate", "--noinput")
        self.lines.parent.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [
                sys.executable,
                __file__,
                "--setup",
                self.name,
                "--users",
                str(users),
                "--capacity",
                str(capacity),
                "--lines",
                str(self.lines),
            ],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise SystemExit(f"setup of {self.name} failed:\n{result.stdout}\n{result.stderr}")

    def shell(self, code: str) -> str:
        return manage(self.env, "shell", "-c", code)

    def reset(self) -> None:
        """Empty the registrations (and Plumbers' queued mail) before a rush."""
        if self.name == "floor":
            self.shell("from bench.floor.models import Reg; Reg.objects.all().delete()")
        else:
            self.shell(
                "from registration.models import Registration as R;"
                "from django_tasks_db.models import DBTaskResult as T;"
                "R.objects.all().delete(); T.objects.all().delete()"
            )

    def outcome(self) -> dict:
        if self.name == "floor":
            code = (
                "from bench.floor.models import Reg as R, Kind as K;"
                "from django.db.models import Count;"
                "k=K.objects.get();"
                "print(json.dumps(dict(capacity=k.capacity,"
                " confirmed=R.objects.filter(status='confirmed').count(),"
                " waitlisted=R.objects.filter(status='waitlisted').count(),"
                " total=R.objects.count(), mails=0,"
                " duplicates=R.objects.values('user').annotate(n=Count('id'))"
                ".filter(n__gt=1).count())))"
            )
        else:
            code = (
                "from registration.models import Registration as R, AttendanceKind as K;"
                "from django_tasks_db.models import DBTaskResult as T;"
                "from django.db.models import Count;"
                "k=K.objects.get(kind='in_person');"
                "print(json.dumps(dict(capacity=k.capacity,"
                " confirmed=R.objects.filter(kind=k,status='confirmed').count(),"
                " waitlisted=R.objects.filter(kind=k,status='waitlisted').count(),"
                " total=R.objects.count(), mails=T.objects.count(),"
                " duplicates=R.objects.values('user','kind').annotate(n=Count('id'))"
                ".filter(n__gt=1).count())))"
            )
        out = self.shell("import json;" + code)
        return json.loads(out.strip().splitlines()[-1])


# --------------------------------------------------------------------------- the clients


def _read_posts(path: Path) -> list[tuple[str, str, str]]:
    return [tuple(line.split("\t", 2)) for line in path.read_text().splitlines() if line]


def wrk_rush(posts_file: Path, ports: list[int], *, connections: int, idle: str) -> dict:
    """One wrk per instance (the people shared out), all at once; people per second, timed
    from wrk's start to the last thread's DONE (then wrk is interrupted and prints its
    summary: latency percentiles and the status counts)."""
    lines = posts_file.read_text().splitlines()
    threads = max(1, 2 // len(ports))
    runs = []
    t0 = time.perf_counter()
    for i, port in enumerate(ports):
        part = posts_file.with_suffix(f".{port}.txt")
        part.write_text("\n".join(lines[i :: len(ports)]) + "\n")
        runs.append(
            subprocess.Popen(
                [
                    "wrk",
                    f"-t{threads}",
                    f"-c{max(threads, connections // len(ports))}",
                    "-d600s",
                    "--timeout",
                    "60s",
                    "--latency",
                    "-s",
                    str(LUA),
                    f"http://127.0.0.1:{port}",
                    "--",
                    str(part),
                    str(threads),
                    idle,
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
                bufsize=1,
            )
        )
    outputs = ["" for _ in runs]
    finished = [0.0 for _ in runs]

    def read(i: int, run) -> None:
        done = 0
        for line in run.stdout:
            outputs[i] += line
            if line.strip() == "DONE":
                done += 1
                if done == threads:
                    finished[i] = time.perf_counter()
                    run.send_signal(signal.SIGINT)

    readers = [threading.Thread(target=read, args=(i, run)) for i, run in enumerate(runs)]
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join()
    statuses: dict[int, int] = {}
    p50, p99 = [], []
    for run, out, end in zip(runs, outputs, finished, strict=True):
        run.wait()
        summary = re.search(r"^STATUSES(.*)$", out, re.M)
        if not end or summary is None:
            raise SystemExit(f"wrk did not finish its people:\n{out}")
        for code, n in re.findall(r"(\d+)=(\d+)", summary.group(1)):
            statuses[int(code)] = statuses.get(int(code), 0) + int(n)
        for label, into in (("50", p50), ("99", p99)):
            m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
            value, unit = float(m.group(1)), m.group(2)
            into.append(value / 1000 if unit == "us" else value * 1000 if unit == "s" else value)
    elapsed = max(finished) - t0
    people = len(lines)
    return {
        "people": people,
        "elapsed": elapsed,
        "rate": people / elapsed,
        "statuses": statuses,
        "p50": max(p50),
        "p99": max(p99),
    }


def python_rush(posts_file: Path, ports: list[int], *, connections: int) -> dict:
    """The same prepared posts from Python threads, one keep-alive connection each."""
    posts = _read_posts(posts_file)
    queue = list(reversed(list(enumerate(posts))))
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    gate = threading.Barrier(connections + 1)

    def worker(port: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        gate.wait()
        while True:
            with lock:
                if not queue:
                    break
                _, (path, cookie, body) = queue.pop()
            headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
            t0 = time.perf_counter()
            for attempt in range(3):
                try:
                    conn.request("POST", path, body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                    break
                except (http.client.HTTPException, ConnectionError):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                    if attempt == 2:
                        raise
            elapsed = time.perf_counter() - t0
            with lock:
                latencies.append(elapsed)
                statuses[response.status] = statuses.get(response.status, 0) + 1
        conn.close()

    threads = [
        threading.Thread(target=worker, args=(ports[i % len(ports)],)) for i in range(connections)
    ]
    for thread in threads:
        thread.start()
    gate.wait()
    t0 = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - t0
    ordered = sorted(latencies) or [0.0]
    return {
        "people": len(posts),
        "elapsed": elapsed,
        "rate": len(posts) / elapsed,
        "statuses": statuses,
        "p50": ordered[len(ordered) // 2] * 1000,
        "p99": ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000,
    }


# --------------------------------------------------------------------------- full flow


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


def full_flow_rush(people: list[Person], clients: int) -> dict:
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
                    f"kind{person.kind_id}-reason": REASON,
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


# --------------------------------------------------------------------------- the run


def full_flow(ports: list[int], users: int, clients: int) -> dict:
    people = [Person(n, ports[n % len(ports)]) for n in range(users)]
    queue, lock = list(people), threading.Lock()

    def login_worker():
        while True:
            with lock:
                if not queue:
                    return
                person = queue.pop()
            person.log_in_and_open_register_page()

    threads = [threading.Thread(target=login_worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = full_flow_rush(people, clients)
    result["people"] = users
    result["rate"] = users / result["elapsed"]
    return result


def check(result: dict, outcome: dict) -> list[str]:
    """What went wrong in one rush (empty: nothing)."""
    problems = []
    if outcome["confirmed"] > outcome["capacity"]:
        problems.append(f"OVERSOLD {outcome['confirmed']} > {outcome['capacity']}")
    if outcome["duplicates"]:
        problems.append(f"{outcome['duplicates']} people with two registrations")
    if outcome["confirmed"] + outcome["waitlisted"] != result["people"]:
        problems.append(
            f"{result['people'] - outcome['confirmed'] - outcome['waitlisted']} people without "
            "a registration"
        )
    five_xx = sum(n for status, n in result["statuses"].items() if status >= 500)
    if five_xx:
        problems.append(f"{five_xx} answers 5xx")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=3000)
    parser.add_argument("--capacity", type=int, default=600)
    parser.add_argument("--connections", type=int, default=50, help="wrk connections / threads")
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers per instance")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--rounds", type=int, default=2, help="rushes of each kind, in turn")
    parser.add_argument("--base-port", type=int, default=8811)
    parser.add_argument("--database", default=DATABASE, help="Plumbers' database (floor: _floor)")
    parser.add_argument("--min-ratio", type=float, default=0.6)
    parser.add_argument("--no-python-client", action="store_true")
    parser.add_argument("--full-flow", action="store_true", help="also the login+form rush")
    parser.add_argument("--setup", choices=["plumbers", "floor"], help=argparse.SUPPRESS)
    parser.add_argument("--lines", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        run_setup(args.setup, args.users, args.capacity, args.lines)
        return

    require_wrk()
    floor = Project(
        "floor", f"{args.database}_floor", "bench.floor.wsgi", "/ok", "bench.floor.settings"
    )
    plumbers = Project("plumbers", args.database, "plumbers.wsgi", "/ping", "bench.settings")
    print(f"Machine: {machine_description()}")
    print(
        f"Fresh databases {plumbers.database} and {floor.database}; {args.users} users, "
        f"{args.capacity} seats, sessions prepared…",
        flush=True,
    )
    for project in (floor, plumbers):
        project.create(users=args.users, capacity=args.capacity)

    n = args.instances
    floor_ports = [args.base_port + i for i in range(n)]
    plumbers_ports = [args.base_port + 10 + i for i in range(n)]
    clients = ["wrk"] + ([] if args.no_python_client else ["python"])
    rows, cpu_rows, problems, full = [], [], [], None
    with (
        gunicorn(
            floor.env,
            floor_ports,
            workers=args.workers,
            threads=args.threads,
            app=floor.app,
            up_path="/ok",
        ) as floor_procs,
        gunicorn(
            plumbers.env, plumbers_ports, workers=args.workers, threads=args.threads
        ) as plumbers_procs,
    ):
        servers = {
            "floor": (floor, floor_ports, floor_procs),
            "plumbers": (plumbers, plumbers_ports, plumbers_procs),
        }
        for round_no in range(1, args.rounds + 1):
            bare, bare_cpu = {}, {}
            for name, (project, ports, procs) in servers.items():
                url = f"http://127.0.0.1:{ports[0]}{project.ping}"
                wrk(url, seconds=2, connections=args.connections)
                cpu0 = worker_cpu_seconds(procs)
                bare[name] = wrk(url, seconds=5, connections=args.connections)
                bare_cpu[name] = (worker_cpu_seconds(procs) - cpu0) / (bare[name]["rps"] * 5)
            rows.append(
                ("bare view", round_no, bare["floor"]["rps"], bare["plumbers"]["rps"], "", "")
            )
            cpu_rows.append(("bare view", round_no, bare_cpu["floor"], bare_cpu["plumbers"]))
            print(
                f"round {round_no}: bare view floor /ok {bare['floor']['rps']:.0f}/s, "
                f"Plumbers /ping {bare['plumbers']['rps']:.0f}/s, ratio "
                f"{bare['plumbers']['rps'] / bare['floor']['rps']:.2f}; worker CPU per request "
                f"{bare_cpu['floor'] * 1e6:.0f} / {bare_cpu['plumbers'] * 1e6:.0f} us, ratio "
                f"{bare_cpu['floor'] / bare_cpu['plumbers']:.2f}",
                flush=True,
            )
            for client in clients:
                rates, cpus = {}, {}
                for name, (project, ports, procs) in servers.items():
                    project.reset()
                    cpu0 = worker_cpu_seconds(procs)
                    if client == "wrk":
                        result = wrk_rush(
                            project.lines, ports, connections=args.connections, idle=project.ping
                        )
                    else:
                        result = python_rush(project.lines, ports, connections=args.connections)
                    cpus[name] = (worker_cpu_seconds(procs) - cpu0) / result["people"]
                    outcome = project.outcome()
                    rss = worker_rss_mib(procs)
                    found = check(result, outcome)
                    problems += [f"{name} {client} round {round_no}: {p}" for p in found]
                    rates[name] = result["rate"]
                    print(
                        f"  {client:6} {name:8} {result['rate']:6.1f} registrations/s "
                        f"(p50 {result['p50']:.0f} ms, p99 {result['p99']:.0f} ms; worker CPU "
                        f"{cpus[name] * 1e3:.2f} ms each); "
                        f"statuses {dict(sorted(result['statuses'].items()))}; confirmed "
                        f"{outcome['confirmed']}/{outcome['capacity']}, waitlisted "
                        f"{outcome['waitlisted']}, duplicates {outcome['duplicates']}, mails "
                        f"queued {outcome['mails']}; worker RSS MiB "
                        f"{' '.join(f'{r:.0f}' for r in rss)}"
                        + (f"  PROBLEMS: {'; '.join(found)}" if found else ""),
                        flush=True,
                    )
                    rows.append(
                        (
                            f"registration ({client})",
                            round_no,
                            None,
                            None,
                            name,
                            (result, outcome, rss),
                        )
                    )
                print(
                    f"  {client} registration ratio Plumbers/floor: "
                    f"{rates['plumbers'] / rates['floor']:.2f}",
                    flush=True,
                )
                rows.append(
                    (
                        f"registration ({client})",
                        round_no,
                        rates["floor"],
                        rates["plumbers"],
                        "",
                        "",
                    )
                )
                cpu_rows.append(
                    (f"registration ({client})", round_no, cpus["floor"], cpus["plumbers"])
                )
        if args.full_flow:
            plumbers.reset()
            full = full_flow(plumbers_ports, args.users, args.connections)
            outcome = plumbers.outcome()
            found = check(full, outcome)
            problems += [f"plumbers full flow: {p}" for p in found]
            print(
                f"  full flow (log in, form, sold-out page, waitlist form): "
                f"{full['rate']:.1f} people/s, {full['posts']} posts, p50 {full['p50']:.0f} "
                f"ms, p99 {full['p99']:.0f} ms; statuses {dict(sorted(full['statuses'].items()))}"
                f"; confirmed {outcome['confirmed']}/{outcome['capacity']}",
                flush=True,
            )

    print()
    print(
        f"instances={n} workers/instance={args.workers} threads={args.threads} "
        f"connections={args.connections} users={args.users} capacity={args.capacity}"
    )
    print("| what | round | floor | Plumbers | ratio |")
    print("|---|---:|---:|---:|---:|")
    worst = None
    for what, round_no, floor_rate, plumbers_rate, _name, _ in rows:
        if floor_rate is None:
            continue
        ratio = plumbers_rate / floor_rate
        if what == "registration (wrk)":
            worst = ratio if worst is None else min(worst, ratio)
        print(f"| {what} | {round_no} | {floor_rate:.1f}/s | {plumbers_rate:.1f}/s | {ratio:.2f} |")
    print()
    print("Worker CPU per request (gunicorn workers only; PostgreSQL and wrk not counted):")
    print("| what | round | floor | Plumbers | ratio floor/Plumbers |")
    print("|---|---:|---:|---:|---:|")
    for what, round_no, floor_cpu, plumbers_cpu in cpu_rows:
        print(
            f"| {what} | {round_no} | {floor_cpu * 1e3:.2f} ms | {plumbers_cpu * 1e3:.2f} ms | "
            f"{floor_cpu / plumbers_cpu:.2f} |"
        )
    ok = not problems and worst is not None and worst >= args.min_ratio
    for problem in problems:
        print("PROBLEM:", problem)
    print(
        "RESULT:",
        "OK" if ok else "FAILED",
        f"(lowest wrk registration ratio {worst:.2f}, goal {args.min_ratio}; "
        f"{len(problems)} problems)",
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
