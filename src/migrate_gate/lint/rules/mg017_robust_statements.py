"""MG017 robust-statements: outside a transaction, a CREATE without IF NOT EXISTS or a DROP
without IF EXISTS.

A migration that runs without a transaction (goose `NO TRANSACTION`, a file of
CONCURRENTLY statements) stops half way when one statement fails; what ran before stays.
Re-running it then fails on the objects the first attempt already created or dropped, and
someone has to repair the database by hand. A failed CREATE INDEX CONCURRENTLY also leaves
an INVALID index behind: a warning for CONCURRENTLY statements, info for the rest (a plain
SQL file given on the command line may well run in a transaction lint cannot see; say so
with --assume-in-transaction). Quiet inside a transaction: a failure rolls everything back;
and on SQL a tool generates (Django, Alembic, Knex, Rails), which the project cannot edit.

Anti-pattern:

    -- +goose NO TRANSACTION
    CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);

Fix:

    -- +goose NO TRANSACTION
    DROP INDEX CONCURRENTLY IF EXISTS orders_customer_idx;  -- an INVALID leftover
    CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_customer_idx ON orders (customer_id);
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Node, Rule, Statement
from ..nodes import alter_commands
from ..state import State

_FIX = "add IF NOT EXISTS / IF EXISTS so the migration can run again after a failure"
_CREATES = {"CreateStmt": "CREATE TABLE", "IndexStmt": "CREATE INDEX",
            "CreateSeqStmt": "CREATE SEQUENCE", "CreateSchemaStmt": "CREATE SCHEMA",
            "CreateExtensionStmt": "CREATE EXTENSION"}  # fmt: skip
_ALTERS = {"AT_AddColumn": "ADD COLUMN", "AT_DropColumn": "DROP COLUMN",
           "AT_DropConstraint": "DROP CONSTRAINT"}  # fmt: skip


def check(statement: Statement, state: State) -> Iterator[Hit]:
    if state.in_transaction or not state.written:
        return
    verb = _fragile(statement.kind, statement.node)
    if verb:
        concurrent = bool(statement.node.get("concurrent"))
        yield Hit(
            f"{verb}{' CONCURRENTLY' if concurrent else ''} outside a transaction fails when "
            "the migration is run again after a partial failure",
            _FIX,
            None if concurrent else "info",
        )


def _fragile(kind: str, node: Node) -> str | None:
    if kind in _CREATES:
        return None if node.get("if_not_exists") else _CREATES[kind]
    if kind == "DropStmt":
        return None if node.get("missing_ok") else "DROP"
    if kind == "AlterTableStmt":
        for cmd in alter_commands(node):
            if cmd.get("subtype") in _ALTERS and not cmd.get("missing_ok"):
                return f"ALTER TABLE ... {_ALTERS[cmd['subtype']]}"
    return None


RULE = Rule(
    id="MG017",
    name="robust-statements",
    summary="CREATE without IF NOT EXISTS / DROP without IF EXISTS outside a transaction",
    severity="warning",
    kinds=(*_CREATES, "DropStmt", "AlterTableStmt"),
    check=check,
    doc=__doc__ or "",
    subtypes=frozenset(_ALTERS),
)
