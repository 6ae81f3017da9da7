"""MG004 set-not-null: SET NOT NULL on a column of an existing table.

SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock: reads and writes
wait for the scan. Since PostgreSQL 12 a validated `CHECK (col IS NOT NULL)` lets it
skip the scan, and VALIDATE CONSTRAINT only takes a SHARE UPDATE EXCLUSIVE lock. The
rule stays quiet when the same file validated such a check first.

Anti-pattern:

    ALTER TABLE users ALTER COLUMN email SET NOT NULL;

Fix:

    ALTER TABLE users ADD CONSTRAINT users_email_not_null
        CHECK (email IS NOT NULL) NOT VALID;
    ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;
    ALTER TABLE users ALTER COLUMN email SET NOT NULL;
    ALTER TABLE users DROP CONSTRAINT users_email_not_null;
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Rule, Statement
from ..nodes import alter_commands, table_name
from ..state import State


def check(statement: Statement, state: State) -> Iterator[Hit]:
    if state.is_new(statement.node.get("relation")):
        return
    for cmd in alter_commands(statement.node):
        if cmd.get("subtype") != "AT_SetNotNull":
            continue
        column = cmd.get("name", "?")
        table = table_name(statement.node.get("relation"))
        if (table, column) not in state.proven_not_null:
            constraint = f"{table.rsplit('.', 1)[-1]}_{column}_not_null"
            yield Hit(
                f"SET NOT NULL on {table}.{column} scans the whole table under an "
                "ACCESS EXCLUSIVE lock",
                f"first ADD CONSTRAINT {constraint} CHECK ({column} IS NOT NULL) NOT VALID, "
                f"then VALIDATE CONSTRAINT {constraint}, then SET NOT NULL "
                "(and DROP the check)",
            )


RULE = Rule(
    id="MG004",
    name="set-not-null",
    summary="SET NOT NULL on an existing column without a validated CHECK first",
    severity="warning",
    kinds=("AlterTableStmt",),
    check=check,
    doc=__doc__ or "",
    subtypes=frozenset({"AT_SetNotNull"}),
)
