"""Faults during a registration rush: Redis stops, PostgreSQL restarts, the mail worker dies.

    .venv/bin/python bench/faults.py [--users 2400] [--capacity 600] [--clients 12]

On a fresh PostgreSQL database (``plumbers_bench_faults``), with its own Redis server (a
private port, so stopping it touches nothing else), two gunicorn instances and one
``mail_worker`` writing mail to files:

1. untimed: every user logs in and opens /register/;
2. the rush: ``--clients`` people at a time post the register form (a sold-out answer is
   followed by the waitlist form, as a person would); a person who gets a 503 waits a
   second and posts again, as the page asks;
3. meanwhile, on a timeline: Redis is stopped for 10 s; PostgreSQL is restarted; the mail
   worker is killed (SIGKILL) and started again two seconds later.

It prints requests, 5xx other than 503 (target 0), the 503s while the database was away,
seconds to recover after each fault, confirmed vs capacity, duplicates, and mails queued vs
mails sent (and any Message-ID sent twice). Needs root for ``pg_ctlcluster``.
"""

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
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
)
from bench.registration_rush import (  # noqa: E402
    CSRF_INPUT,
    Person,
    count_outcome,
    setup_data,
)

DATABASE = "plumbers_bench_faults"
REDIS_PORT = 6391
MAIL_DIR = ROOT / "var" / "bench-faults-mail"


class Timeline:
    """Every post's (time, status), and the moments faults began and ended."""

    def __init__(self):
        self.lock = threading.Lock()
        self.posts: list[tuple[float, int]] = []
        self.marks: dict[str, float] = {}

    def post(self, status: int) -> None:
        with self.lock:
            self.posts.append((time.monotonic(), status))

    def mark(self, name: str) -> None:
        self.marks[name] = time.monotonic()
        print(f"  {time.strftime('%H:%M:%S')} {name}", flush=True)

    def first_success_after(self, moment: float) -> float | None:
        with self.lock:
            later = [t for t, status in self.posts if t >= moment and status < 400]
        return min(later) - moment if later else None


def start_redis() -> subprocess.Popen:
    process = subprocess.Popen(
        ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", ""]
        + ["--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(100):
        if (
            subprocess.run(
                ["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True
            ).returncode
            == 0
        ):
            return process
        time.sleep(0.05)
    raise SystemExit("redis-server did not start")


def health(port: int) -> dict:
    import json

    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=3) as response:
            return json.loads(response.read())
    except Exception as exc:  # noqa: BLE001 - any failure is "not healthy" here
        return {"status": f"error {exc.__class__.__name__}"}


def restart_postgresql() -> None:
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "restart"],
        check=True,
        capture_output=True,
    )


def start_worker(env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "mail_worker", "--stale-after", "3"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def rush(people: list[Person], clients: int, timeline: Timeline, pace: float) -> list[str]:
    queue = list(reversed(people))
    lock = threading.Lock()

    def post(person: Person, form: dict):
        while True:
            status, location, html = person.browser.request("POST", person.action, form)
            timeline.post(status)
            if status != 503:
                return status, html
            time.sleep(1.0)  # "Back in a moment": the person tries again

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                person = queue.pop()
            status, html = post(person, {"csrfmiddlewaretoken": person.csrf})
            if status == 400 and 'name="waitlist"' in html:
                token = CSRF_INPUT.search(html).group(1)
                status, html = post(
                    person,
                    {
                        "csrfmiddlewaretoken": token,
                        "waitlist": "1",
                        f"kind{person.kind_id}-reason": "I maintain a driver two MCs discuss.",
                    },
                )
            person.outcome = "ok" if status == 302 else f"http {status}"
            person.browser.close()
            time.sleep(pace)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [p.email for p in people if p.outcome != "ok"]


def mail_outcome(env: dict) -> dict:
    out = manage(
        env,
        "shell",
        "-c",
        "from django_tasks_db.models import DBTaskResult as T; from plumbers.models import"
        " SentMail; q=T.objects.filter(task_path__endswith='deliver_mail');"
        "w=T.objects.filter(task_path__endswith='send_waitlisted_mail');"
        "print(q.count()+w.count(), q.exclude(status='SUCCESSFUL').count()"
        "+w.exclude(status='SUCCESSFUL').count(), SentMail.objects.count())",
    )
    queued, unfinished, recorded = map(int, out.split()[-3:])
    message_ids = []
    for path in MAIL_DIR.glob("*.log"):
        for line in path.read_text(errors="replace").splitlines():
            if line.lower().startswith("message-id:"):
                message_ids.append(line.split(":", 1)[1].strip())
    return {
        "queued": queued,
        "unfinished": unfinished,
        "recorded": recorded,
        "files": len(message_ids),
        "twice": len(message_ids) - len(set(message_ids)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=2400)
    parser.add_argument("--capacity", type=int, default=600)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument(
        "--pace", type=float, default=0.15, help="seconds between a client's people"
    )
    parser.add_argument("--base-port", type=int, default=8831)
    args = parser.parse_args()

    MAIL_DIR.mkdir(parents=True, exist_ok=True)
    for old in MAIL_DIR.glob("*"):
        old.unlink()
    env = bench_env(
        DATABASE,
        REDIS_URL=f"redis://127.0.0.1:{REDIS_PORT}/0",
        PLUMBERS_TASK_BACKEND="django_tasks_db.DatabaseBackend",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(MAIL_DIR),
        DJANGO_CONN_MAX_AGE="60",
    )
    print(f"Machine: {machine_description()}")
    redis = start_redis()
    recreate_database(DATABASE)
    manage(env, "migrate", "--noinput")
    prepare_static(env)
    setup_data(env, users=args.users, capacity=args.capacity)
    ports = [args.base_port, args.base_port + 1]
    timeline = Timeline()
    worker = start_worker(env)
    recovery: dict[str, float | None] = {}
    try:
        with gunicorn(env, ports, workers=2):
            people = [Person(n, ports[n % 2]) for n in range(args.users)]
            print(f"Logging in {len(people)} people (untimed)…", flush=True)
            for start in range(0, len(people), 16):
                batch = [
                    threading.Thread(target=p.log_in_and_open_register_page)
                    for p in people[start : start + 16]
                ]
                for thread in batch:
                    thread.start()
                for thread in batch:
                    thread.join()

            def faults():
                nonlocal worker, redis
                time.sleep(3)
                timeline.mark("redis stopped")
                redis.terminate()
                redis.wait()
                time.sleep(10)
                redis = start_redis()
                timeline.mark("redis started")
                t0 = time.monotonic()
                while health(ports[0]).get("cache") != "ok" and time.monotonic() - t0 < 30:
                    time.sleep(0.1)
                recovery["redis: cache used again (s)"] = time.monotonic() - t0
                time.sleep(3)
                timeline.mark("postgresql restarting")
                restart_postgresql()
                timeline.mark("postgresql restarted")
                time.sleep(3)
                timeline.mark("worker killed")
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()
                time.sleep(2)
                worker = start_worker(env)
                timeline.mark("worker started")

            injector = threading.Thread(target=faults)
            print(f"Rush with faults: {args.clients} clients…", flush=True)
            t0 = time.monotonic()
            injector.start()
            failed = rush(people, args.clients, timeline, args.pace)
            injector.join()
            elapsed = time.monotonic() - t0
            recovery["postgresql: first registration after restart (s)"] = (
                timeline.first_success_after(timeline.marks["postgresql restarted"])
            )
        print("Waiting for the mail worker to send everything…", flush=True)
        deadline = time.monotonic() + 120
        mails = mail_outcome(env)
        while mails["unfinished"] and time.monotonic() < deadline:
            time.sleep(2)
            mails = mail_outcome(env)
    finally:
        try:
            os.killpg(worker.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        redis.terminate()

    outcome = count_outcome(env)
    statuses: dict[int, int] = {}
    for _, status in timeline.posts:
        statuses[status] = statuses.get(status, 0) + 1
    bad_5xx = sum(n for s, n in statuses.items() if s >= 500 and s != 503)
    print()
    print(
        f"rush: {len(timeline.posts)} posts in {elapsed:.1f}s; "
        f"statuses {dict(sorted(statuses.items()))}"
    )
    print(f"5xx other than 503: {bad_5xx}; 503 while the database was away: {statuses.get(503, 0)}")
    for name, seconds in recovery.items():
        print(f"recovery, {name}: {'never' if seconds is None else f'{seconds:.1f}'}")
    print(
        f"confirmed {outcome['confirmed']} / capacity {outcome['capacity']}; waitlisted "
        f"{outcome['waitlisted']}; duplicates {outcome['duplicates']}; people without an "
        f"outcome {len(failed)}"
    )
    print(
        f"mails queued {mails['queued']}, recorded sent {mails['recorded']}, written "
        f"{mails['files']}, unfinished {mails['unfinished']}, sent twice {mails['twice']}"
    )
    ok = (
        bad_5xx == 0
        and outcome["confirmed"] == outcome["capacity"]
        and outcome["duplicates"] == 0
        and not failed
        and mails["unfinished"] == 0
        and mails["queued"] == mails["files"]
        and mails["twice"] == 0
        and all(v is not None for v in recovery.values())
    )
    print("RESULT:", "OK" if ok else "FAILED")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
