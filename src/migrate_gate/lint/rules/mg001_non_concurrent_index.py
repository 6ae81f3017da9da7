"""MG001 non-concurrent-index: an index created or dropped without CONCURRENTLY on an
existing table.

CREATE INDEX holds a SHARE lock for the whole build: every INSERT, UPDATE and DELETE on
the table waits. DROP INDEX and REINDEX take an ACCESS EXCLUSIVE lock on the index (REINDEX
also blocks writes to the table): queries that use it wait. Tables created earlier in the
same file are empty and exempt, and so is `CREATE INDEX ... ON ONLY parent`: on a
partitioned table it only creates the parent's (invalid) index, instantly, and
CONCURRENTLY is impossible there; build each partition's index concurrently and ATTACH it.

Anti-pattern:

    CREATE INDEX orders_customer_idx ON orders (customer_id);
    DROP INDEX orders_status_idx;
    REINDEX INDEX orders_email_idx;

Fix (outside a transaction block):

    CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);
    DROP INDEX CONCURRENTLY orders_status_idx;
    REINDEX INDEX CONCURRENTLY orders_email_idx;
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Node, Rule, Statement
from ..nodes import strings, table_name
from ..state import State


def check(statement: Statement, state: State) -> Iterator[Hit]:
    node = statement.node
    if node.get("concurrent"):
        return
    if statement.kind == "ReindexStmt":
        yield from _reindex(node)
    elif statement.kind == "IndexStmt" and _existing_table(node.get("relation"), state):
        table = table_name(node.get("relation"))
        yield Hit(
            f"CREATE INDEX on existing table {table} blocks its writes for the whole build",
            "use CREATE INDEX CONCURRENTLY, in a migration that does not run in a transaction",
        )
    elif statement.kind == "DropStmt" and node.get("removeType") == "OBJECT_INDEX":
        names = [".".join(strings(obj["List"]["items"])) for obj in node.get("objects", ())]
        if any(name not in state.new_indexes for name in names):
            yield Hit(
                f"DROP INDEX {', '.join(names)} locks the table against reads and writes",
                "use DROP INDEX CONCURRENTLY, in a migration that does not run in a transaction",
            )


def _existing_table(relation: Node | None, state: State) -> bool:
    """Not created in this file, and not `ON ONLY` a partitioned parent (inh false)."""
    return relation is not None and bool(relation.get("inh")) and not state.is_new(relation)


def _reindex(node: Node) -> Iterator[Hit]:
    if any(p.get("DefElem", {}).get("defname") == "concurrently" for p in node.get("params", ())):
        return
    what = str(node.get("kind", "REINDEX_OBJECT_INDEX")).rsplit("_", 1)[-1].lower()
    if what in ("index", "table", "schema"):  # SYSTEM and DATABASE run outside migrations
        yield Hit(
            f"REINDEX of {what} without CONCURRENTLY blocks writes (and reads of the index) "
            "until it finishes",
            "use REINDEX ... CONCURRENTLY (PostgreSQL 12+), outside a transaction",
        )


RULE = Rule(
    id="MG001",
    name="non-concurrent-index",
    summary="index created, dropped or rebuilt without CONCURRENTLY on an existing table",
    severity="warning",
    kinds=("IndexStmt", "DropStmt", "ReindexStmt"),
    check=check,
    doc=__doc__ or "",
)
