"""MG001 non-concurrent-index: an index created or dropped without CONCURRENTLY on an
existing table.

CREATE INDEX holds a SHARE lock for the whole build: every INSERT, UPDATE and DELETE on
the table waits. DROP INDEX takes an ACCESS EXCLUSIVE lock: even reads wait. Tables
created earlier in the same file are empty and exempt.

Anti-pattern:

    CREATE INDEX orders_customer_idx ON orders (customer_id);
    DROP INDEX orders_status_idx;

Fix (outside a transaction block):

    CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);
    DROP INDEX CONCURRENTLY orders_status_idx;
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Rule, Statement
from ..nodes import strings, table_name
from ..state import State


def check(statement: Statement, state: State) -> Iterator[Hit]:
    node = statement.node
    if node.get("concurrent"):
        return
    if statement.kind == "IndexStmt" and not state.is_new(node.get("relation")):
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


RULE = Rule(
    id="MG001",
    name="non-concurrent-index",
    summary="index created or dropped without CONCURRENTLY on an existing table",
    severity="warning",
    kinds=("IndexStmt", "DropStmt"),
    check=check,
    doc=__doc__ or "",
)
