"""MG008 destructive: a statement that deletes data — DROP TABLE, DROP COLUMN, TRUNCATE,
DELETE without WHERE on an existing table, DROP DATABASE, DROP SCHEMA, and DROP ... CASCADE
of a type, domain or extension (which drops every column of that type).

The data is gone once the migration commits, and the code still running in production
may need it. (An UPDATE without WHERE deletes nothing: it is a backfill, MG011.) An error
by default; `--allow-destructive` (or `allow_destructive: true` in .migrate-gate.yml)
makes it a warning, which still fails the default
`--fail-on warning` but passes `--fail-on error`. To accept one deliberate drop, put
`-- migrate-gate: ignore MG008` above it.

Anti-pattern:

    ALTER TABLE users DROP COLUMN legacy_flag;
    DELETE FROM sessions;
    DROP TYPE mood CASCADE;

Fix (contract only after no deployed code reads the column; bound data changes):

    -- migrate-gate: ignore MG008 -- legacy_flag unused since release 4.2
    ALTER TABLE users DROP COLUMN legacy_flag;
    DELETE FROM sessions WHERE expires_at < now();
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Node, Rule, Severity, Statement
from ..nodes import alter_commands, object_names, table_name
from ..state import State

_CASCADING = {"OBJECT_TYPE": "TYPE", "OBJECT_DOMAIN": "DOMAIN", "OBJECT_EXTENSION": "EXTENSION",
              "OBJECT_FUNCTION": "FUNCTION", "OBJECT_VIEW": "VIEW", "OBJECT_SEQUENCE": "SEQUENCE",
              "OBJECT_MATVIEW": "MATERIALIZED VIEW"}  # fmt: skip
_FIX = "make sure no deployed code needs the data and back it up first; suppress deliberately"


def check(statement: Statement, state: State) -> Iterator[Hit]:
    severity: Severity = "warning" if state.allow_destructive else "error"
    for message in _losses(statement, state):
        yield Hit(message, _FIX, severity)


def _losses(statement: Statement, state: State) -> Iterator[str]:
    kind, node = statement.kind, statement.node
    relation = node.get("relation")
    if kind == "DropdbStmt":
        yield f"DROP DATABASE {node.get('dbname')} deletes the whole database"
    elif kind == "DropStmt":
        yield from _drops(node, state)
    elif kind == "AlterTableStmt" and not state.is_new(relation):
        for cmd in alter_commands(node):
            if cmd.get("subtype") == "AT_DropColumn":
                yield f"DROP COLUMN {table_name(relation)}.{cmd.get('name')} deletes its data"
    elif kind == "TruncateStmt":
        tables = [table_name(r["RangeVar"]) for r in node.get("relations", ())]
        old = [t for t in tables if t not in state.new_tables]
        if old:
            cascade = " (CASCADE: and of every table referencing them)" if _cascade(node) else ""
            yield f"TRUNCATE {', '.join(old)} deletes every row{cascade}"
    elif kind == "DeleteStmt" and not _bounded(node, state):
        yield f"DELETE without WHERE on {table_name(relation)} deletes every row"


def _drops(node: Node, state: State) -> Iterator[str]:
    names = object_names(node)
    removed = node.get("removeType")
    if removed == "OBJECT_TABLE":
        old = [name for name in names if name not in state.new_tables]
        if old:
            yield f"DROP TABLE {', '.join(old)} deletes the table and its data"
    elif removed == "OBJECT_SCHEMA":
        what = "and everything in it" if _cascade(node) else "(it must be empty, or this fails)"
        yield f"DROP SCHEMA {', '.join(names)} deletes the schema {what}"
    elif removed in _CASCADING and _cascade(node):
        yield (
            f"DROP {_CASCADING[removed]} {', '.join(names)} CASCADE also drops every column, "
            "table or view that uses it, with their data"
        )


def _cascade(node: Node) -> bool:
    return node.get("behavior") == "DROP_CASCADE"


def _bounded(node: Node, state: State) -> bool:
    """A WHERE clause, or a table this file created (still empty)."""
    return "whereClause" in node or state.is_new(node.get("relation"))


RULE = Rule(
    id="MG008",
    name="destructive",
    summary="DROP TABLE/COLUMN/DATABASE/SCHEMA, DROP ... CASCADE, TRUNCATE, unbounded DELETE",
    severity="error",
    kinds=("DropStmt", "AlterTableStmt", "TruncateStmt", "DeleteStmt", "DropdbStmt"),
    check=check,
    doc=__doc__ or "",
    subtypes=frozenset({"AT_DropColumn"}),
)
