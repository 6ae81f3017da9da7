"""MG008 destructive: a statement that deletes data — DROP TABLE, DROP COLUMN, TRUNCATE,
DELETE or UPDATE without WHERE on an existing table.

The data is gone once the migration commits, and the code still running in production
may need it. An error by default; `--allow-destructive` (or `allow_destructive: true`
in .migrate-gate.yml) makes it a warning, which still fails the default
`--fail-on warning` but passes `--fail-on error`. To accept one deliberate drop, put
`-- migrate-gate: ignore MG008` above it.

Anti-pattern:

    ALTER TABLE users DROP COLUMN legacy_flag;
    DELETE FROM sessions;

Fix (contract only after no deployed code reads the column; bound data changes):

    -- migrate-gate: ignore MG008 -- legacy_flag unused since release 4.2
    ALTER TABLE users DROP COLUMN legacy_flag;
    DELETE FROM sessions WHERE expires_at < now();
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Node, Rule, Severity, Statement
from ..nodes import alter_commands, strings, table_name
from ..state import State

_FIX = "make sure no deployed code needs the data and back it up first; suppress deliberately"


def check(statement: Statement, state: State) -> Iterator[Hit]:
    severity: Severity = "warning" if state.allow_destructive else "error"
    for message in _losses(statement, state):
        yield Hit(message, _FIX, severity)


def _losses(statement: Statement, state: State) -> Iterator[str]:
    kind, node = statement.kind, statement.node
    relation = node.get("relation")
    if kind == "DropStmt" and node.get("removeType") == "OBJECT_TABLE":
        names = [".".join(strings(obj["List"]["items"])) for obj in node.get("objects", ())]
        old = [name for name in names if name not in state.new_tables]
        if old:
            yield f"DROP TABLE {', '.join(old)} deletes the table and its data"
    elif kind == "AlterTableStmt" and not state.is_new(relation):
        for cmd in alter_commands(node):
            if cmd.get("subtype") == "AT_DropColumn":
                yield f"DROP COLUMN {table_name(relation)}.{cmd.get('name')} deletes its data"
    elif kind == "TruncateStmt":
        tables = [table_name(r["RangeVar"]) for r in node.get("relations", ())]
        old = [t for t in tables if t not in state.new_tables]
        if old:
            yield f"TRUNCATE {', '.join(old)} deletes every row"
    elif kind in ("DeleteStmt", "UpdateStmt") and not _bounded(node, state):
        verb = "DELETE" if kind == "DeleteStmt" else "UPDATE"
        yield f"{verb} without WHERE on {table_name(relation)} changes every row"


def _bounded(node: Node, state: State) -> bool:
    """A WHERE clause, or a table this file created (still empty)."""
    return "whereClause" in node or state.is_new(node.get("relation"))


RULE = Rule(
    id="MG008",
    name="destructive",
    summary="DROP TABLE / DROP COLUMN / TRUNCATE / DELETE or UPDATE without WHERE",
    severity="error",
    kinds=("DropStmt", "AlterTableStmt", "TruncateStmt", "DeleteStmt", "UpdateStmt"),
    check=check,
    doc=__doc__ or "",
    subtypes=frozenset({"AT_DropColumn"}),
)
