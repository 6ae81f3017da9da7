"""MG010 constraint-builds-index: a UNIQUE or PRIMARY KEY constraint added to an existing
table without USING INDEX.

The constraint builds its index while holding an ACCESS EXCLUSIVE lock on the table:
reads and writes wait for the whole build. Build the index concurrently first, then
attach it, which is instant.

Anti-pattern:

    ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);

Fix:

    CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);
    ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Rule, Statement
from ..nodes import alter_commands, table_name, unwrap
from ..state import State

_KINDS = {"CONSTR_UNIQUE": "UNIQUE", "CONSTR_PRIMARY": "PRIMARY KEY"}


def check(statement: Statement, state: State) -> Iterator[Hit]:
    if state.is_new(statement.node.get("relation")):
        return
    for cmd in alter_commands(statement.node):
        if cmd.get("subtype") != "AT_AddConstraint":
            continue
        _, constraint = unwrap(cmd.get("def", {}))
        what = _KINDS.get(constraint.get("contype", ""))
        if what and "indexname" not in constraint:
            table = table_name(statement.node.get("relation"))
            yield Hit(
                f"adding {what} to {table} builds its index under an ACCESS EXCLUSIVE lock",
                f"CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... {what} "
                "USING INDEX",
            )


RULE = Rule(
    id="MG010",
    name="constraint-builds-index",
    summary="UNIQUE or PRIMARY KEY added to an existing table without USING INDEX",
    severity="warning",
    kinds=("AlterTableStmt",),
    check=check,
    doc=__doc__ or "",
    subtypes=frozenset({"AT_AddConstraint"}),
)
