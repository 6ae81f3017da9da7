"""Read a migration tool's bookkeeping table straight from the database.

Used for the before/after state of a run: one query costs milliseconds where
asking the tool costs a process start, and the database is the truth about
what committed. PostgreSQL through psycopg, SQLite through sqlite3.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from .dburl import DatabaseUrl
from .errors import MigrationFailed, UsageError

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
        **dict(database.query),
        "host": database.host,
        "port": database.port or 5432,
        "user": database.user,
        "password": database.password,
        "dbname": database.database,
        "connect_timeout": CONNECT_TIMEOUT_SECONDS,
    }
    try:
        return psycopg.connect(autocommit=autocommit, **params)
    except psycopg.OperationalError as error:
        reason = " ".join(str(error).split())
        raise MigrationFailed(f"cannot connect to {database.redacted()}: {reason}") from None


# One idle autocommit connection per database for the before- and after-reads of a run:
# a second login (SCRAM) costs more than the query.
_open: dict[DatabaseUrl, Any] = {}


def _query_postgresql(database: DatabaseUrl, sql: str) -> list[Row] | None:
    import psycopg

    connection = _open.get(database)
    if connection is None or connection.closed or connection.broken:
        connection = _open[database] = connect_postgresql(database)
    try:
        return list(connection.execute(sql).fetchall())
    except psycopg.errors.UndefinedTable:
        return None
    except psycopg.OperationalError:  # dropped while the tool ran (idle timeout): once more
        connection.close()
        _open[database] = connection = connect_postgresql(database)
    try:
        return list(connection.execute(sql).fetchall())
    except psycopg.errors.UndefinedTable:
        return None
    except psycopg.OperationalError as error:
        connection.close()
        reason = " ".join(str(error).split())
        raise MigrationFailed(f"cannot read {database.redacted()}: {reason}") from None


def _query_sqlite(path: Path, sql: str) -> list[Row] | None:
    if not path.exists():
        return None
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=CONNECT_TIMEOUT_SECONDS)
    try:
        return list(connection.execute(sql).fetchall())
    except sqlite3.OperationalError as error:
        if "no such table" in str(error):
            return None
        raise MigrationFailed(f"cannot read {path.name}: {error}") from None
    finally:
        connection.close()
