import os
import subprocess
import sys
from pathlib import Path

from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, env_extra: dict, drop: tuple = ()) -> subprocess.CompletedProcess:
    drop = (*drop, "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_without_secret_key_refuses_to_start():
    result = _manage("check", env_extra={"DJANGO_DEBUG": "0"}, drop=("DJANGO_SECRET_KEY",))
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_check_deploy_with_production_variables_reports_nothing():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env_extra={
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "a-production-secret-key-that-is-long-and-random-0123456789abcdef",
            "DJANGO_ALLOWED_HOSTS": "plumbers.example.org",
            "PLUMBERS_SITE_URL": "https://plumbers.example.org",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_defaults_use_sqlite_with_immediate_transactions():
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings as s; d=s.DATABASES['default'];"
        "print(d['ENGINE'], d['OPTIONS']['transaction_mode'], s.EMAIL_BACKEND)",
        env_extra={},
        drop=("DATABASE_URL", "DJANGO_DEBUG", "DJANGO_SECRET_KEY"),
    )
    assert result.returncode == 0, result.stderr
    assert "sqlite3 IMMEDIATE" in result.stdout
    assert "console.EmailBackend" in result.stdout


def test_models_and_migrations_are_in_sync(db):
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
