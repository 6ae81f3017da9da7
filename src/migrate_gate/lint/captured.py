"""Knex and Rails migrations are code: lint reads the SQL they send when they run.

The project's own migrate command runs against a scratch PostgreSQL database through a
loopback relay (capture.py) that records every statement. After each migration the tool
records it as applied with an INSERT into its table (knex_migrations, schema_migrations)
in the same session; that INSERT ends the migration's statements and names it. What the
tool sends for itself (its tables, catalog queries, SELECTs, SHOW, SETs other than
lock_timeout) is left out. BEGIN/COMMIT and SET lock_timeout stay, and each migration's
SQL starts with those its connection ran before, so lint knows whether a statement ran
inside a transaction and under a lock_timeout.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import MigrationFailed, UsageError
from . import pgparse
from .capture import Proxy, Sent
from .model import Source
from .sources import display

if TYPE_CHECKING:
    from ..dburl import DatabaseUrl
    from ..ecosystems.base import Context

_TLS_MODES = {"require", "verify-ca", "verify-full"}
_TOOL_KINDS = {"VariableShowStmt", "DeallocateStmt", "DiscardStmt"}  # no rule checks them
_SESSION_KINDS = {"TransactionStmt", "VariableSetStmt"}
_SKIPPED_FOLDERS = {"node_modules", "vendor", "tmp", "log"}


class _Tool(NamedTuple):
    name: str
    table: str  # the bookkeeping table each applied migration is inserted into
    column: str  # its column holding the migration's id
    find: Callable[[Path, str], Path | None]  # the migration's file, from its id


class _Piece(NamedTuple):
    connection: int
    sql: str
    migration: str | None = None  # set on the tool's INSERT recording a migration as applied
    marker: bool = False
    session: bool = False  # BEGIN/COMMIT or SET lock_timeout: it shapes what follows


def knex(ctx: Context) -> list[Source]:
    """The statements each Knex migration sends, captured from `knex migrate:latest`."""
    return _captured(ctx, _Tool("knex", "knex_migrations", "name", _knex_file))


def rails(ctx: Context) -> list[Source]:
    """The statements each Rails migration sends, captured from `bin/rails db:migrate`."""
    return _captured(ctx, _Tool("rails", "schema_migrations", "version", _rails_file))


def _captured(ctx: Context, tool: _Tool) -> list[Source]:
    from ..ecosystems import ECOSYSTEMS

    database = _scratch(ctx.database, tool.name)
    module = ECOSYSTEMS[tool.name]
    module.check(ctx)
    bookkeeping = module.bookkeeping_tables()
    from ..verify import snapshot

    snapshot.require_scratch(
        database,
        ctx.project_dir,
        bookkeeping,
        f"lint runs the {tool.name} migrations to read their SQL, so give it a scratch database",
    )
    with Proxy(database.host or "localhost", database.port or 5432) as proxy:
        module.migrate(replace(ctx, database=_through(database, proxy.port)))
    pieces = [piece for sent in proxy.sent for piece in _pieces(sent, tool, bookkeeping)]
    return _sources(ctx.project_dir, tool, pieces)


def _scratch(database: DatabaseUrl | None, name: str) -> DatabaseUrl:
    """The database to run the migrations on: PostgreSQL, reachable without TLS."""
    if database is None or database.kind != "postgresql":
        raise UsageError(
            f"lint reads the SQL of {name} migrations by running them, so it needs a scratch "
            "PostgreSQL database: pass --database-url (or set DATABASE_URL)"
        )
    if dict(database.query).get("sslmode") in _TLS_MODES:
        raise UsageError(
            f"lint relays the SQL of {name} migrations over plaintext loopback: give it a "
            "scratch database it can reach without TLS (sslmode=prefer or disable)"
        )
    return database


def _through(database: DatabaseUrl, port: int) -> DatabaseUrl:
    """The URL the tool gets: the relay on loopback, plaintext (the relay answers 'N')."""
    query = tuple((k, v) for k, v in database.query if not k.startswith("ssl"))
    return replace(database, host="127.0.0.1", port=port, query=(*query, ("sslmode", "disable")))


def _pieces(sent: Sent, tool: _Tool, bookkeeping: frozenset[str]) -> Iterator[_Piece]:
    """The statements of one message that belong to migrations, and the tool's markers."""
    try:
        tree = json.loads(pgparse.parse_json(sent.sql))
    except pgparse.SqlSyntaxError:
        yield _Piece(sent.connection, sent.sql)  # lint reports it as unparseable
        return
    data = sent.sql.encode("utf-8")
    for item in tree.get("stmts", ()):
        kind, node = next(iter(item["stmt"].items()))
        if kind == "InsertStmt" and node.get("relation", {}).get("relname") == tool.table:
            migration = _inserted(node, tool.column, sent.params)
            yield _Piece(sent.connection, "", migration, marker=True)
        elif _migrations_own(kind, node, bookkeeping):
            start = item.get("stmt_location", 0)
            end = start + item["stmt_len"] if item.get("stmt_len") else len(data)
            sql = data[start:end].decode("utf-8").strip()
            yield _Piece(sent.connection, sql, session=kind in _SESSION_KINDS)


def _migrations_own(kind: str, node: dict[str, Any], bookkeeping: frozenset[str]) -> bool:
    """False for what the tool sends for itself; lint rules never look at those kinds."""
    if kind in _TOOL_KINDS or (kind == "SelectStmt" and "intoClause" not in node):
        return False
    if kind == "VariableSetStmt":
        return node.get("name") == "lock_timeout"
    return not bookkeeping.intersection(_relnames(node))


def _relnames(node: Any) -> Iterator[str]:
    """Every table name the parse tree mentions."""
    if isinstance(node, dict):
        if isinstance(node.get("relname"), str):
            yield node["relname"]
        for value in node.values():
            yield from _relnames(value)
    elif isinstance(node, list):
        for value in node:
            yield from _relnames(value)


def _inserted(node: dict[str, Any], column: str, params: tuple[str | None, ...]) -> str | None:
    """The value the INSERT puts in `column`: a bound parameter or a literal."""
    try:
        columns = [c["ResTarget"]["name"] for c in node["cols"]]
        rows = node["selectStmt"]["SelectStmt"]["valuesLists"]
        value = rows[0]["List"]["items"][columns.index(column)]
        if "ParamRef" in value:
            number: int = value["ParamRef"]["number"]
            return params[number - 1]
        return str(value["A_Const"]["sval"]["sval"])
    except (KeyError, IndexError, ValueError, TypeError):
        return None


def _sources(project_dir: Path, tool: _Tool, pieces: list[_Piece]) -> list[Source]:
    """One source per migration: the statements up to the INSERT that recorded it."""
    sources: list[Source] = []
    pending: list[_Piece] = []
    history: dict[int, list[str]] = {}  # each connection's session statements so far
    for piece in pieces:
        if not piece.marker:
            pending.append(piece)
            continue
        connection = pending[0].connection if pending else piece.connection
        # replayed first, so lint knows the transaction and lock_timeout the migration
        # starts with on its connection (they cannot give findings themselves)
        replay = history.get(connection, [])
        text = "".join(f"{sql}\n;\n" for sql in [*replay, *(p.sql for p in pending if p.sql)])
        path = _path(project_dir, tool, piece.migration, len(sources))
        sources.append(Source(path, text, sql_lines=False))
        for done in pending:
            if done.session:
                history.setdefault(done.connection, []).append(done.sql)
        pending = []
    if not sources and any(p.sql for p in pending):
        raise MigrationFailed(
            f"lint cannot tell which {tool.name} migration sent which statement: no INSERT "
            f"INTO {tool.table} was captured (a renamed migrations table is not supported)"
        )
    return sources  # what follows the last migration's INSERT is the tool's own epilogue


def _path(project_dir: Path, tool: _Tool, migration: str | None, index: int) -> str:
    found = tool.find(project_dir, migration) if migration else None
    if found is not None:
        return display(found)
    return migration or f"{tool.name} migration {index + 1}"


def _knex_file(project_dir: Path, name: str) -> Path | None:
    """Knex names a migration after its file, in whichever folder the knexfile sets."""
    return next(_files(project_dir, lambda file: file == name), None)


def _rails_file(project_dir: Path, version: str) -> Path | None:
    """db/migrate/<version>_<name>.rb, else the same name anywhere in the app."""
    found = sorted((project_dir / "db" / "migrate").glob(f"{version}_*.rb"))
    if found:
        return found[0]
    return next(
        _files(project_dir, lambda f: f.startswith(f"{version}_") and f.endswith(".rb")), None
    )


def _files(project_dir: Path, match: Callable[[str], bool]) -> Iterator[Path]:
    for folder, subfolders, files in os.walk(project_dir):
        subfolders[:] = sorted(
            s for s in subfolders if s not in _SKIPPED_FOLDERS and not s.startswith(".")
        )
        for file in sorted(files):
            if match(file):
                yield Path(folder) / file
