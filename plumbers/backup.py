"""Backup and restore of the PostgreSQL database with pg_dump / pg_restore.

The custom format (-Fc) is compressed and restores selectively; --no-owner lets a backup be
restored by another role on another server. Credentials are passed through the environment
(PGPASSWORD), never on the command line where `ps` would show them.
"""

import os
import shutil
import subprocess
from pathlib import Path

from django.db import connections


class BackupError(Exception):
    pass


def _pg_env_and_args(alias: str, database: str | None = None) -> tuple[dict, list[str]]:
    settings_dict = connections[alias].settings_dict
    if not settings_dict["ENGINE"].endswith("postgresql"):
        raise BackupError(
            "Backups with pg_dump need PostgreSQL (DATABASE_URL). For the SQLite development "
            "database, copy var/db.sqlite3 while the server is stopped."
        )
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    args = []
    if settings_dict.get("HOST"):
        args += ["-h", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", str(settings_dict["USER"])]
    args += ["-d", database or str(settings_dict["NAME"])]
    return env, args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client).")
    return path


def database_backup(*, output: Path, alias: str = "default") -> Path:
    env, args = _pg_env_and_args(alias)
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(output), *args],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return output


def database_restore(*, source: Path, target_database: str, alias: str = "default") -> None:
    """Restore into ``target_database`` (which must exist and be empty). Restoring into a
    separate database and switching DATABASE_URL keeps the old one until the new is checked."""
    env, args = _pg_env_and_args(alias, database=target_database)
    result = subprocess.run(
        [_tool("pg_restore"), "--no-owner", "--exit-on-error", *args, str(source)],
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
