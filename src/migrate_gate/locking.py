"""One migrate-gate run per database at a time.

PostgreSQL: a session-level advisory lock on a connection of its own that stays idle outside
any transaction between polls, so it holds no snapshot and `CREATE INDEX CONCURRENTLY` in a
migration never waits on it. The two-int key form is a key space of its own: Rails and Prisma
take their advisory locks with one bigint, so they never collide with it.
SQLite: an exclusive `flock` on a file beside the database (`<file>.migrate-gate.lock`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from . import db
from .dburl import DatabaseUrl
from .errors import Cancelled, MigrationFailed

KEY = (0x6D67, 0x6C6F636B)  # "mg", "lock"
POLL_SECONDS = 0.25
LOG_EVERY_SECONDS = 5.0
DEFAULT_WAIT_SECONDS = 600.0

_HOLDER_SQL = f"""
SELECT a.pid, a.usename, a.application_name, a.client_addr::text,
       extract(epoch FROM now() - a.state_change)::float8, a.query
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
  AND l.classid = {KEY[0]} AND l.objid = {KEY[1]}
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
"""


class LockBusy(MigrationFailed):
    """Another run held the database's lock for longer than --lock-wait."""

    def __init__(self, message: str, info: dict[str, Any]) -> None:
        super().__init__(message)
        self.info = info  # the report's `lock` field: how long it waited, who holds it


def job_url(environ: dict[str, str] | os._Environ[str] = os.environ) -> str | None:
    """The CI job this run belongs to: GitHub's run URL or GitLab's CI_JOB_URL."""
    if environ.get("GITLAB_CI") and environ.get("CI_JOB_URL"):
        return environ["CI_JOB_URL"]
    server, repo, run = (
        environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    )
    if server and repo and run:
        return f"{server}/{repo}/actions/runs/{run}"
    return None


def describe(command: str, project_dir: Path) -> str:
    """Who takes the lock: command, project and CI job, in characters safe in a SQL comment."""
    words = ["migrate-gate", command, project_dir.name, job_url() or ""]
    return _SAFE.sub("", " ".join(w for w in words if w))[:300]


_SAFE = re.compile(r"[^A-Za-z0-9 ._:/=#@+-]")


@contextlib.contextmanager
def hold(
    database: DatabaseUrl,
    project_dir: Path,
    *,
    who: str,
    wait: float,
    log: Callable[[str], None],
    cancelled: Callable[[], bool],
) -> Iterator[dict[str, Any]]:
    """Hold the database's lock for the block; yields the report's `lock` field.

    Waits up to `wait` seconds for another run, logging its holder; then raises LockBusy."""
    if database.is_sqlite:
        with _file_lock(database.sqlite_path(project_dir), who, wait, log, cancelled) as info:
            yield info
    elif database.kind == "postgresql":
        with _advisory_lock(database, who, wait, log, cancelled) as info:
            yield info
    else:
        yield {"kind": None, "waited_seconds": 0.0, "holder": None}


@contextlib.contextmanager
def _advisory_lock(
    database: DatabaseUrl,
    who: str,
    wait: float,
    log: Callable[[str], None],
    cancelled: Callable[[], bool],
) -> Iterator[dict[str, Any]]:
    connection = db.connect_postgresql(database, application_name=who[:63])
    try:
        # The comment is the full description; pg_stat_activity.query shows it to a waiter.
        sql = f"SELECT pg_try_advisory_lock({KEY[0]}, {KEY[1]}) /* {who} */"

        def attempt() -> Any:
            if connection.execute(sql).fetchone()[0]:
                return None
            return _holder(connection)

        _keep_alive(connection)
        held = {"kind": "advisory", **_poll(attempt, database.redacted(), wait, log, cancelled)}
        yield held
        if not _still_held(connection):
            log(f"migrate-gate: warning: the lock's session on {database.redacted()} was lost")
            held["lost"] = True
    finally:
        connection.close()  # ends the session, which releases the lock


def _keep_alive(connection: Any) -> None:
    """A server-wide idle_session_timeout (PostgreSQL 14+) must not end the lock's session."""
    import psycopg

    with contextlib.suppress(psycopg.Error):
        connection.execute("SET idle_session_timeout = 0")


def _still_held(connection: Any) -> bool:
    """Whether the session (so the lock) survived the run: a terminated one did not."""
    import psycopg

    try:
        row = connection.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            f" AND pid = pg_backend_pid() AND classid = {KEY[0]} AND objid = {KEY[1]}"
        ).fetchone()
    except psycopg.Error:
        return False
    return bool(row and row[0])


def _holder(connection: Any) -> dict[str, Any]:
    row = connection.execute(_HOLDER_SQL).fetchone()
    if row is None:  # released between the try and this look
        return {"pid": None, "application": "", "seconds": 0.0, "description": ""}
    pid, user, application, client, seconds, query = row
    described = query.partition("/*")[2].partition("*/")[0].strip() if query else ""
    return {
        "pid": pid,
        "user": user,
        "application": application,
        "client": client,
        "seconds": round(seconds or 0.0, 1),
        "description": described,
    }


def holder_text(holder: dict[str, Any]) -> str:
    """One line about the holder: pid, application, how long it has held the lock."""
    if holder.get("pid") is None:
        return holder.get("description") or "another run"
    who = holder.get("description") or holder.get("application") or "?"
    return f"pid {holder['pid']} ({who}, held for {holder['seconds']:g} s)"


def _poll(
    attempt: Callable[[], dict[str, Any] | None],
    where: str,
    wait: float,
    log: Callable[[str], None],
    cancelled: Callable[[], bool],
) -> dict[str, Any]:
    """Try until the lock is taken (attempt() returns None) or `wait` runs out."""
    started = time.monotonic()
    logged_at = -LOG_EVERY_SECONDS
    first_holder: dict[str, Any] | None = None
    while True:
        holder = attempt()
        waited = time.monotonic() - started
        if holder is None:
            return {"waited_seconds": round(waited, 3), "holder": first_holder}
        first_holder = first_holder or holder
        if waited - logged_at >= LOG_EVERY_SECONDS:
            logged_at = waited
            log(f"migrate-gate: waiting for the lock on {where}: held by {holder_text(holder)}")
        if cancelled():
            raise Cancelled("cancelled while waiting for another run's lock")
        if waited >= wait:
            raise LockBusy(
                f"another run holds the migrate-gate lock on {where}: {holder_text(holder)}; "
                f"waited {wait:g} s (raise --lock-wait, or let that run finish)",
                {"waited_seconds": round(waited, 3), "holder": holder},
            )
        time.sleep(min(POLL_SECONDS, max(0.0, wait - waited)))


@contextlib.contextmanager
def _file_lock(
    database_file: Path,
    who: str,
    wait: float,
    log: Callable[[str], None],
    cancelled: Callable[[], bool],
) -> Iterator[dict[str, Any]]:
    path = database_file.with_name(database_file.name + ".migrate-gate.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:  # the file stays: removing it races

        def attempt() -> dict[str, Any] | None:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return _file_holder(handle)
            return None

        info = _poll(attempt, path.name, wait, log, cancelled)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {who}\n")
        handle.flush()
        try:
            yield {"kind": "file", **info}
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _file_holder(handle: IO[str]) -> dict[str, Any]:
    handle.seek(0)
    pid, _, described = handle.read().strip().partition(" ")
    return {
        "pid": int(pid) if pid.isdigit() else None,
        "application": "",
        "seconds": round(max(0.0, time.time() - os.fstat(handle.fileno()).st_mtime), 1),
        "description": described,
    }
