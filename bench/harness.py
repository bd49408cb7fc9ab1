"""Shared pieces of the benchmarks: a fresh PostgreSQL database, gunicorn servers, wrk."""

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")


def bench_env(database: str, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{database}",
        PYTHONPATH=str(ROOT),
        DJANGO_STATIC_ROOT=str(ROOT / "var" / "bench-static"),
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5"),
        DJANGO_CACHE_PREFIX=f"bench-{database}",
        DJANGO_MEDIA_ROOT=str(ROOT / "var" / "bench-media"),
        DJANGO_ALLOW_ASYNC_UNSAFE="",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE")
    env.update(extra)
    return env


def recreate_database(name: str) -> None:
    for sql in (f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"'):
        subprocess.run(
            ["psql", PG_ADMIN_URL, "-qc", sql], check=True, capture_output=True, text=True
        )


def manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def prepare_static(env: dict) -> None:
    """Production serves collected, hashed static files (whitenoise manifest)."""
    manage(env, "collectstatic", "--noinput", "--clear")


def wait_until_up(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"server at {url} did not come up")


@contextmanager
def gunicorn(
    env: dict,
    ports: list[int],
    workers: int = 2,
    threads: int = 1,
    app: str = "plumbers.wsgi",
    up_path: str = "/ping",
):
    """Start one gunicorn per port (separate instances sharing the database). ``app`` is the
    WSGI module (``bench.floor.wsgi`` for the floor project)."""
    processes = []
    log_path = ROOT / "var" / "bench-gunicorn.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")  # noqa: SIM115 - closed in finally
    try:
        for port in ports:
            processes.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        app,
                        "--workers",
                        str(workers),
                        "--threads",
                        str(threads),
                        "--bind",
                        f"127.0.0.1:{port}",
                        "--log-level",
                        "warning",
                        "--backlog",
                        "2048",
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                    start_new_session=True,
                )
            )
        for port in ports:
            wait_until_up(f"http://127.0.0.1:{port}{up_path}")
        yield processes
    finally:
        for process in processes:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()


def wrk(
    url: str,
    *,
    seconds: int,
    connections: int,
    threads: int = 2,
    headers: dict | None = None,
    timeout: int | None = None,
) -> dict:
    """Run wrk and return requests/s, p50/p99 latency (ms), non-2xx/3xx and socket errors.
    ``headers`` (e.g. a session Cookie) go with every request; ``timeout`` (s) replaces
    wrk's 2 s, after which an answer counts as a socket error."""
    extra = [arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")]
    if timeout is not None:
        extra += ["--timeout", f"{timeout}s"]
    result = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", *extra, url],
        capture_output=True,
        text=True,
        check=True,
    )
    out = result.stdout

    def latency(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": latency("50"),
        "p99_ms": latency("99"),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(x) for x in errors.groups()) if errors else 0,
    }


def _worker_files(processes, name: str):
    """The /proc/<pid>/<name> text of every gunicorn worker (child) of the given masters;
    workers gone meanwhile are skipped."""
    for process in processes:
        try:
            children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text()
        except OSError:
            continue
        for pid in children.split():
            try:
                yield Path(f"/proc/{pid}/{name}").read_text()
            except OSError:
                continue


def worker_rss_mib(processes) -> list[float]:
    """Resident memory (MiB) of every gunicorn worker of the given masters."""
    sizes = []
    for status in _worker_files(processes, "status"):
        match = re.search(r"^VmRSS:\s+(\d+) kB", status, re.M)
        if match:
            sizes.append(int(match.group(1)) / 1024)
    return sorted(sizes)


def worker_cpu_seconds(processes) -> float:
    """CPU time (user + system) the gunicorn workers of the given masters have used so far:
    differences of it per request are a steadier measure than requests/s on a shared
    machine, where others' work takes CPU from both sides of a ratio unevenly."""
    total = 0
    for stat in _worker_files(processes, "stat"):
        fields = stat.rsplit(")", 1)[1].split()  # after the command name
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / os.sysconf("SC_CLK_TCK")


def require_wrk() -> None:
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk (https://github.com/wg/wrk)")


def machine_description() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {sys.version.split()[0]}"
