"""When a migration that failed on a lock timeout may run again, and how long to wait first."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import Any

from . import db
from .ecosystems.base import Context
from .errors import Cancelled, MigrationFailed
from .report import one_line

DEFAULT_RETRIES = 3
FIRST_PAUSE_SECONDS = 1.0
MAX_PAUSE_SECONDS = 30.0
# PostgreSQL's message, the SQLSTATE, and psycopg's and Ruby pg's class names for it
_LOCK_TIMEOUT = ("lock timeout", "55p03", "locknotavailable")
_INVALID = "SELECT indexrelid::regclass::text FROM pg_index WHERE NOT indisvalid"


def is_lock_timeout(error: BaseException) -> bool:
    text = str(error).lower()
    return any(marker in text for marker in _LOCK_TIMEOUT)


def invalid_indexes(ctx: Context) -> set[str]:
    """INVALID indexes (left by an interrupted CREATE INDEX CONCURRENTLY); PostgreSQL only."""
    database = ctx.database
    if database is None or database.kind != "postgresql":
        return set()
    return {row[0] for row in db.query(database, ctx.project_dir, _INVALID) or []}


def pause(attempt: int, *, rng: Callable[[], float] = random.random) -> float:
    """Exponential backoff with full jitter's upper half: attempt 1 waits 0.5-1 s, 2 1-2 s..."""
    ceiling = min(MAX_PAUSE_SECONDS, FIRST_PAUSE_SECONDS * 2 ** (attempt - 1))
    return float(ceiling * (0.5 + rng() / 2))


def sleep_unless_stopped(seconds: float, stopped: Callable[[], bool]) -> bool:
    """Sleep; False (at once) when a stop arrives meanwhile."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if stopped():
            return False
        time.sleep(min(0.1, max(0.0, end - time.monotonic())))
    return not stopped()


Failure = MigrationFailed | Cancelled


def attempt(
    act: Callable[[], None],
    ctx: Context,
    *,
    retries: int,
    attempts: list[dict[str, Any]],
    may_retry: Callable[[], bool],
    invalid_before: set[str],
    log: Callable[[str], None],
) -> Failure | None:
    """Run `act`, again after a lock timeout (up to `retries` more times, with backoff), each
    attempt recorded in `attempts`; the last failure, or None once it succeeded."""
    number = 0
    while True:
        number += 1
        started = time.monotonic()
        try:
            act()
        except (MigrationFailed, Cancelled) as error:
            attempts.append(_record(number, started, error))
            if isinstance(error, Cancelled) or not is_lock_timeout(error) or not may_retry():
                return error
            left = invalid_indexes(ctx) - invalid_before
            if left:
                return MigrationFailed(f"{error}; not retried: {_left_behind(left)}")
            if number > retries:
                return MigrationFailed(f"{error} (gave up after {number} attempts)")
            wait = pause(number)
            remaining = ctx.runner.remaining()
            if remaining is not None and remaining < wait:
                return MigrationFailed(f"{error} (no time left for another attempt)")
            log(
                f"migrate-gate: lock timeout; attempt {number + 1} of {retries + 1} in {wait:.1f} s"
            )
            if not sleep_unless_stopped(wait, lambda: ctx.runner.cancelled):
                return Cancelled("cancelled between attempts")
            continue
        attempts.append(_record(number, started, None))
        return None


def _record(number: int, started: float, error: BaseException | None) -> dict[str, Any]:
    return {
        "attempt": number,
        "seconds": round(time.monotonic() - started, 3),
        "error": one_line(str(error)) if error is not None else None,
    }


def _left_behind(indexes: set[str]) -> str:
    names = ", ".join(sorted(indexes))
    return (
        f"it left the INVALID index {names} (an interrupted CREATE INDEX CONCURRENTLY); "
        f"drop it (DROP INDEX CONCURRENTLY {sorted(indexes)[0]}) and run again"
    )
