"""The tool's own PostgreSQL sessions: tagged, given their limits, and ended when a run stops.

Every tool migrate-gate runs gets `PGAPPNAME` (its sessions' application_name, one tag per
run) and `PGOPTIONS` (`-c lock_timeout=... -c statement_timeout=...`). libpq reads both
(psycopg: Alembic, Django; Ruby pg: Rails), and so do node-postgres (Knex, Prisma through
@prisma/adapter-pg) and pgx (goose); a setting the project's own configuration makes wins.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from typing import Any

from . import db
from .dburl import DatabaseUrl
from .errors import MigrationFailed

CANCEL_GRACE_SECONDS = 1.0  # from pg_cancel_backend to pg_terminate_backend
TERMINATE_WAIT_MS = 2000


def new_tag(command: str) -> str:
    """The application_name of one run's tool sessions (unique, so runs never touch each
    other's sessions)."""
    import secrets  # 9 ms of start-up otherwise

    return f"migrate-gate {command} tool {secrets.token_hex(4)}"


def tool_env(
    tag: str,
    *,
    lock_timeout: float | None,
    statement_timeout: float | None,
    environ: Mapping[str, str] = os.environ,
) -> dict[str, str]:
    """The environment that tags the tool's sessions and sets their timeouts."""
    env = {"PGAPPNAME": tag}
    options = [environ.get("PGOPTIONS", "").strip()]
    if lock_timeout:
        options.append(f"-c lock_timeout={milliseconds(lock_timeout)}")
    if statement_timeout:
        options.append(f"-c statement_timeout={milliseconds(statement_timeout)}")
    if any(options):
        env["PGOPTIONS"] = " ".join(option for option in options if option)
    return env


def milliseconds(seconds: float) -> int:
    return max(1, round(seconds * 1000))


_TAGGED = "SELECT pid FROM pg_stat_activity WHERE application_name = %s AND pid <> pg_backend_pid()"


def end_tool_sessions(database: DatabaseUrl, tag: str) -> list[int]:
    """Cancel, then terminate, every session tagged `tag` (the tool has stopped, so none of
    them may run on or keep a lock queued); the pids ended, oldest first."""
    if database.kind != "postgresql":
        return []
    connection = db.connect_postgresql(database, application_name="migrate-gate cleanup")
    try:
        pids = _tagged(connection, tag)
        for pid in pids:
            connection.execute("SELECT pg_cancel_backend(%s)", (pid,))
        deadline = time.monotonic() + CANCEL_GRACE_SECONDS
        while _tagged(connection, tag) and time.monotonic() < deadline:
            time.sleep(0.1)
        for pid in _tagged(connection, tag):
            connection.execute("SELECT pg_terminate_backend(%s, %s)", (pid, TERMINATE_WAIT_MS))
        left = _tagged(connection, tag)
    finally:
        connection.close()
    if left:
        raise MigrationFailed(
            f"could not end the tool's database sessions (pids {', '.join(map(str, left))}): "
            "end them with pg_terminate_backend"
        )
    return pids


def _tagged(connection: Any, tag: str) -> list[int]:
    return sorted(row[0] for row in connection.execute(_TAGGED, (tag,)).fetchall())
