"""MG002 concurrently-in-transaction: a CONCURRENTLY operation inside a transaction block.

PostgreSQL refuses CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY and DETACH
PARTITION CONCURRENTLY in a transaction block, so the migration fails. The block is
an explicit BEGIN, or the one the tool wraps the file in (goose without
`-- +goose NO TRANSACTION`; Prisma when the file holds more than one statement).

Anti-pattern:

    BEGIN;
    CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);
    COMMIT;

Fix (goose):

    -- +goose NO TRANSACTION
    -- +goose Up
    CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Node, Rule, Statement
from ..nodes import alter_commands, unwrap
from ..state import State

_VERBS = {"IndexStmt": "CREATE INDEX", "DropStmt": "DROP", "ReindexStmt": "REINDEX"}


def check(statement: Statement, state: State) -> Iterator[Hit]:
    if state.in_transaction and _concurrent(statement.kind, statement.node):
        verb = _VERBS.get(statement.kind, "DETACH PARTITION")
        yield Hit(
            f"{verb} CONCURRENTLY cannot run inside a transaction block: the migration fails",
            "run it in its own migration outside a transaction "
            "(no BEGIN; goose: -- +goose NO TRANSACTION; Prisma: alone in its migration.sql)",
        )


def _concurrent(kind: str, node: Node) -> bool:
    if kind == "ReindexStmt":
        return any(
            p.get("DefElem", {}).get("defname") == "concurrently" for p in node.get("params", ())
        )
    if kind == "AlterTableStmt":
        return any(
            unwrap(cmd.get("def", {}))[1].get("concurrent", False)
            for cmd in alter_commands(node)
            if cmd.get("subtype") == "AT_DetachPartition"
        )
    return bool(node.get("concurrent"))


RULE = Rule(
    id="MG002",
    name="concurrently-in-transaction",
    summary="CONCURRENTLY inside a transaction block (the migration fails)",
    severity="error",
    kinds=("IndexStmt", "DropStmt", "ReindexStmt", "AlterTableStmt"),
    check=check,
    doc=__doc__ or "",
    subtypes=frozenset({"AT_DetachPartition"}),
)
