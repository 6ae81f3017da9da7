"""Read a migration tool's bookkeeping table straight from the database.

Used for the before/after state of a run: one query costs milliseconds where
asking the tool costs a process start, and the database is the truth about
what committed. PostgreSQL through psycopg, SQLite through sqlite3.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .dburl import DatabaseUrl
from .errors import Cancelled, MigrationFailed, UsageError

Row = tuple[Any, ...]
CONNECT_TIMEOUT_SECONDS = 10
APPLICATION_NAME = "migrate-gate"


def query(database: DatabaseUrl, project_dir: Path, sql: str) -> list[Row] | None:
    """The rows of `sql`, or None when its table does not exist (nothing applied yet)."""
    if database.is_sqlite:
        return _query_sqlite(database.sqlite_path(project_dir), sql)
    if database.kind == "postgresql":
        return _query_postgresql(database, sql)
    raise UsageError(
        f"reading migration state from {database.kind} is not supported yet: "
        "use a PostgreSQL or SQLite database"
    )


def connect_postgresql(
    database: DatabaseUrl,
    *,
    autocommit: bool = True,
    application_name: str = APPLICATION_NAME,
) -> Any:
    """A psycopg connection from the URL's fields (the password never enters a DSN string),
    tagged with `application_name` so a look at pg_stat_activity tells whose it is."""
    import psycopg

    params: dict[str, Any] = {
        "application_name": application_name,
        **database.libpq_options(),
        "host": database.host,
        "port": database.port or 5432,
        "user": database.user,
        "password": database.password,
        "dbname": database.database,
        "connect_timeout": _connect_timeout(),
    }
    try:
        return psycopg.connect(autocommit=autocommit, **params)
    except psycopg.OperationalError as error:
        reason = " ".join(str(error).split())
        raise MigrationFailed(f"cannot connect to {database.redacted()}: {reason}") from None


# One idle autocommit connection per database for the before- and after-reads of a run:
# a second login (SCRAM) costs more than the query.
_open: dict[DatabaseUrl, Any] = {}
_timeouts: dict[int, int] = {}  # id(connection) -> the statement_timeout it has (ms)
_cancel_requested = [False]


_budget: list[Callable[[], float | None]] = [lambda: None]


def remaining() -> float | None:
    """Seconds left of the run's --timeout (None: no limit); see set_budget."""
    return _budget[0]()


def set_budget(seconds_left: Callable[[], float | None]) -> None:
    """Bound every connect and read of migrate-gate's own by `seconds_left()`."""
    _budget[0] = seconds_left


def cancel_queries() -> None:
    """Cancel the reads in progress (from a signal handler: libpq's cancel is signal-safe)."""
    _cancel_requested[0] = True
    for connection in list(_open.values()):
        with contextlib.suppress(Exception):
            connection.cancel()


def _connect_timeout() -> int:
    left = remaining()
    if left is None:
        return CONNECT_TIMEOUT_SECONDS
    return max(2, min(CONNECT_TIMEOUT_SECONDS, math.ceil(left)))  # libpq's minimum is 2


def connect_ahead(database: DatabaseUrl) -> None:
    """Open the connection the next reads of `database` use (importing psycopg and logging in
    take longer than a read), e.g. while a tool starts; SQLite needs nothing."""
    if database.kind == "postgresql" and _open.get(database) is None:
        _open[database] = connect_postgresql(database)


def _query_postgresql(database: DatabaseUrl, sql: str) -> list[Row] | None:
    import psycopg

    _cancel_requested[0] = False
    try:
        return _read(database, sql)
    except psycopg.errors.QueryCanceled:
        if _cancel_requested[0]:
            raise Cancelled("cancelled while reading the database") from None
        raise MigrationFailed(
            f"reading {database.redacted()} timed out (raise --timeout; is a table locked?)"
        ) from None


def _read(database: DatabaseUrl, sql: str) -> list[Row] | None:
    import psycopg

    connection = _open.get(database)
    if connection is None or connection.closed or connection.broken:
        connection = _open[database] = connect_postgresql(database)
    try:
        return _execute(connection, sql)
    except psycopg.errors.UndefinedTable:
        return None
    except psycopg.errors.QueryCanceled:
        raise
    except psycopg.OperationalError:  # dropped while the tool ran (idle timeout): once more
        connection.close()
        _open[database] = connection = connect_postgresql(database)
    try:
        return _execute(connection, sql)
    except psycopg.errors.UndefinedTable:
        return None
    except psycopg.errors.QueryCanceled:
        raise
    except psycopg.OperationalError as error:
        connection.close()
        reason = " ".join(str(error).split())
        raise MigrationFailed(f"cannot read {database.redacted()}: {reason}") from None


def _execute(connection: Any, sql: str) -> list[Row]:
    """The rows of `sql`, under a statement_timeout of what is left of --timeout."""
    left = remaining()
    if left is not None:
        if left <= 0:
            raise MigrationFailed("no time left to read the database (raise --timeout)")
        wanted = max(1, int(left * 1000))
        if abs(_timeouts.get(id(connection), 0) - wanted) > 100:  # not on every read
            connection.execute(f"SET statement_timeout = {wanted}")
            _timeouts[id(connection)] = wanted
    return list(connection.execute(sql).fetchall())


def _query_sqlite(path: Path, sql: str) -> list[Row] | None:
    if not path.exists():
        return None
    import sqlite3  # lazily: PostgreSQL runs never need it

    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=CONNECT_TIMEOUT_SECONDS)
    try:
        return list(connection.execute(sql).fetchall())
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return None
        raise MigrationFailed(f"cannot read {path.name}: {error}") from None
    finally:
        connection.close()
