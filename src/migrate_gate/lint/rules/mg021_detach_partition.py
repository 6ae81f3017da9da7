"""MG021 detach-partition: DETACH PARTITION without CONCURRENTLY.

A plain DETACH PARTITION takes an ACCESS EXCLUSIVE lock on the partitioned table: every
read and write of every partition waits. From PostgreSQL 14, DETACH ... CONCURRENTLY only
takes SHARE UPDATE EXCLUSIVE (it cannot run in a transaction block).

Anti-pattern:

    ALTER TABLE measurements DETACH PARTITION measurements_2020;

Fix (outside a transaction):

    ALTER TABLE measurements DETACH PARTITION measurements_2020 CONCURRENTLY;
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Rule, Statement
from ..nodes import alter_commands, table_name, unwrap
from ..state import State


def check(statement: Statement, state: State) -> Iterator[Hit]:
    if state.is_new(statement.node.get("relation")):
        return
    for cmd in alter_commands(statement.node):
        if cmd.get("subtype") != "AT_DetachPartition":
            continue
        _, partition = unwrap(cmd.get("def", {}))
        if not partition.get("concurrent"):
            table = table_name(statement.node.get("relation"))
            yield Hit(
                f"DETACH PARTITION locks {table} and all its partitions against reads and writes",
                "use DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+), outside a transaction",
            )


RULE = Rule(
    id="MG021",
    name="detach-partition",
    summary="DETACH PARTITION without CONCURRENTLY",
    severity="warning",
    kinds=("AlterTableStmt",),
    check=check,
    doc=__doc__ or "",
    subtypes=frozenset({"AT_DetachPartition"}),
)
