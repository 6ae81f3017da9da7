"""Watch the tool's sessions while it runs and name whoever makes them wait for a lock.

A thread with a connection of its own polls pg_locks for the tagged sessions' ungranted
locks older than WAIT_SECONDS and, through pg_blocking_pids, the sessions holding them.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

from . import db
from .dburl import DatabaseUrl
from .errors import MigrationFailed
from .masking import Masker

WAIT_SECONDS = 1.0
POLL_SECONDS = 0.5
QUERY_CHARS = 200

_BLOCKERS = f"""
SELECT coalesce(l.relation::regclass::text, l.locktype),
       extract(epoch FROM now() - l.waitstart)::float8,
       b.pid, b.usename, b.application_name, b.client_addr::text, b.state,
       extract(epoch FROM now() - b.xact_start)::float8, left(b.query, {QUERY_CHARS})
FROM pg_stat_activity w
JOIN pg_locks l ON l.pid = w.pid AND NOT l.granted
CROSS JOIN LATERAL unnest(pg_blocking_pids(w.pid)) AS blocker(pid)
JOIN pg_stat_activity b ON b.pid = blocker.pid
WHERE w.application_name = %s AND now() - l.waitstart > make_interval(secs => {WAIT_SECONDS})
"""


class Monitor:
    """Collects the blockers of one run's tool sessions (`blocked_by`), logging each once."""

    def __init__(self, tag: str, *, masker: Masker, log: Callable[[str], None]) -> None:
        self.tag = tag
        self.masker = masker
        self.log = log
        self.blocked_by: dict[tuple[str, int], dict[str, Any]] = {}

    def observe(self, rows: list[tuple[Any, ...]]) -> None:
        for relation, waited, pid, user, app, client, state, xact, query in rows:
            key = (relation, pid)
            first = key not in self.blocked_by
            self.blocked_by[key] = {
                "pid": pid,
                "user": user,
                "application": app,
                "client": client,
                "state": state,
                "seconds": round(waited, 1),
                "transaction_seconds": round(xact, 1) if xact is not None else None,
                "relation": relation,
                "query": self.masker(" ".join((query or "").split())),
            }
            if first:
                self.log(_line(self.blocked_by[key]))

    def report(self) -> list[dict[str, Any]]:
        return list(self.blocked_by.values())


def _line(blocker: dict[str, Any]) -> str:
    xact = blocker["transaction_seconds"]
    age = f" {_age(xact)}" if xact is not None else ""
    return (
        f"migrate-gate: waiting {blocker['seconds']:g} s for a lock on {blocker['relation']} "
        f"held by pid {blocker['pid']} (app '{blocker['application']}', "
        f"{blocker['state']}{age}): {blocker['query']}"
    )


def _age(seconds: float) -> str:
    if seconds >= 120:
        return f"{seconds / 60:.0f} min"
    return f"{seconds:.0f} s"


@contextlib.contextmanager
def watching(database: DatabaseUrl | None, monitor: Monitor) -> Iterator[Monitor]:
    """Poll in a thread for the block's duration (PostgreSQL only)."""
    if database is None or database.kind != "postgresql":
        yield monitor
        return
    stop = threading.Event()
    thread = threading.Thread(target=_poll, args=(database, monitor, stop), daemon=True)
    thread.start()
    try:
        yield monitor
    finally:
        stop.set()
        thread.join(timeout=5)


def _poll(database: DatabaseUrl, monitor: Monitor, stop: threading.Event) -> None:
    import psycopg

    try:
        connection = db.connect_postgresql(database, application_name="migrate-gate monitor")
    except MigrationFailed:
        return  # the run reports an unreachable database itself
    try:
        connection.execute("SET statement_timeout = '5s'")
        sql = _BLOCKERS
        if connection.info.server_version < 140000:  # no pg_locks.waitstart: since the query
            sql = sql.replace("l.waitstart", "w.query_start")
        while not stop.wait(POLL_SECONDS):
            monitor.observe(list(connection.execute(sql, (monitor.tag,)).fetchall()))
    except psycopg.Error:
        pass  # watching is best effort: the run goes on
    finally:
        connection.close()
