"""SQLite schema snapshot from sqlite_master and the pragmas."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .snapshot import Snapshot


def snapshot(path: Path, bookkeeping: frozenset[str]) -> Snapshot:
    """Tables, columns (type, nullability, default), indexes, foreign keys, views, triggers."""
    if not path.exists():
        return {}
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return _read(connection, bookkeeping)
    finally:
        connection.close()


def _read(connection: sqlite3.Connection, bookkeeping: frozenset[str]) -> Snapshot:
    result: Snapshot = {}
    objects = connection.execute(
        "select type, name, tbl_name, sql from sqlite_master where name not like 'sqlite_%'"
    ).fetchall()
    for kind, name, table, sql in objects:
        if table in bookkeeping:
            continue
        if kind == "table":
            result[f"table {name}"] = ""
            result.update(_columns(connection, name))
            result.update(_foreign_keys(connection, name))
            result.update(_implicit_indexes(connection, name))
        elif kind == "index" and sql:
            result[f"index {table}.{name}"] = " ".join(sql.split())
        elif kind in ("view", "trigger"):
            result[f"{kind} {name}"] = " ".join((sql or "").split())
    return result


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _columns(connection: sqlite3.Connection, table: str) -> Snapshot:
    rows = connection.execute(f"pragma table_info({_quote(table)})").fetchall()
    return {
        f"column {table}.{name}": f"{(kind or '').lower()}"
        + (" not null" if notnull else " null")
        + (f" default {default}" if default is not None else "")
        + (" primary key" if pk else "")
        for _cid, name, kind, notnull, default, pk in rows
    }


def _foreign_keys(connection: sqlite3.Connection, table: str) -> Snapshot:
    rows = connection.execute(f"pragma foreign_key_list({_quote(table)})").fetchall()
    return {
        f"constraint {table}.fk({source})": f"references {target}({to})"
        for _id, _seq, target, source, to, *_rest in rows
    }


def _implicit_indexes(connection: sqlite3.Connection, table: str) -> Snapshot:
    """UNIQUE / PRIMARY KEY indexes SQLite makes itself (no SQL in sqlite_master)."""
    result = {}
    for _seq, name, unique, origin, _partial in connection.execute(
        f"pragma index_list({_quote(table)})"
    ).fetchall():
        if origin in ("u", "pk"):
            columns = [row[2] for row in connection.execute(f"pragma index_info({_quote(name)})")]
            kind = "unique" if unique else "index"
            result[f"constraint {table}.{origin}({', '.join(columns)})"] = kind
    return result
