"""A database schema as a flat, comparable mapping, and the readable difference of two."""

from __future__ import annotations

from pathlib import Path

from ..dburl import DatabaseUrl
from ..errors import UsageError

# "column books.title" -> "character varying(300) not null"; one entry per schema object
Snapshot = dict[str, str]


def take(database: DatabaseUrl, project_dir: Path, bookkeeping: frozenset[str]) -> Snapshot:
    """The application schema of the database: the tool's `bookkeeping` tables (which change
    on every run by design) and what belongs to them are left out."""
    if database.is_sqlite:
        from .sqlite import snapshot as sqlite_snapshot

        return sqlite_snapshot(database.sqlite_path(project_dir), bookkeeping)
    from .postgresql import snapshot as pg_snapshot

    return pg_snapshot(database, bookkeeping)


def require_scratch(
    database: DatabaseUrl, project_dir: Path, bookkeeping: frozenset[str], why: str
) -> None:
    """A usage error naming the application tables the database holds, if any, and `why`
    the command needs a scratch database."""
    found = tables(take(database, project_dir, bookkeeping))
    if found:
        shown = ", ".join(found[:5]) + (", ..." if len(found) > 5 else "")
        raise UsageError(f"{database.redacted()} already holds application tables ({shown}): {why}")


def tables(snapshot: Snapshot) -> list[str]:
    return sorted(key.split(" ", 1)[1] for key in snapshot if key.startswith("table "))


def diff(expected: Snapshot, actual: Snapshot) -> list[str]:
    """Lines: `- x` missing from actual, `+ x` not expected, `~ x: was -> now` changed."""
    lines = []
    for key in sorted(expected.keys() | actual.keys()):
        if key not in actual:
            lines.append(f"- {_show(key, expected[key])}")
        elif key not in expected:
            lines.append(f"+ {_show(key, actual[key])}")
        elif expected[key] != actual[key]:
            lines.append(f"~ {key}: {expected[key]} -> {actual[key]}")
    return lines


def _show(key: str, value: str) -> str:
    return f"{key} ({value})" if value else key
