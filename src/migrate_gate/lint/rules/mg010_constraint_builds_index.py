"""MG010 constraint-builds-index: a UNIQUE, PRIMARY KEY or EXCLUDE constraint added to an
existing table without USING INDEX, or a column added with one inline.

The constraint builds its index while holding an ACCESS EXCLUSIVE lock on the table:
reads and writes wait for the whole build. Build the index concurrently first, then
attach it, which is instant. `ADD COLUMN ... UNIQUE` / `PRIMARY KEY` builds one too; an
EXCLUDE constraint has no USING INDEX form, so it always does.

Anti-pattern:

    ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);

Fix:

    CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);
    ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Node, Rule, Statement
from ..nodes import alter_commands, column_constraints, table_name, unwrap
from ..state import State

_KINDS = {"CONSTR_UNIQUE": "UNIQUE", "CONSTR_PRIMARY": "PRIMARY KEY",
          "CONSTR_EXCLUSION": "EXCLUDE"}  # fmt: skip


def check(statement: Statement, state: State) -> Iterator[Hit]:
    if state.is_empty(statement.node.get("relation")):
        return
    table = table_name(statement.node.get("relation"))
    for constraint in _constraints(statement.node):
        what = _KINDS.get(constraint.get("contype", ""))
        if what and "indexname" not in constraint:
            fix = (
                "EXCLUDE has no USING INDEX form: add it when the table is small, or enforce "
                "the rule another way"
                if what == "EXCLUDE"
                else f"CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... {what} "
                "USING INDEX (add the column first, without the constraint)"
            )
            yield Hit(
                f"adding {what} to {table} builds its index under an ACCESS EXCLUSIVE lock", fix
            )


def _constraints(node: Node) -> Iterator[Node]:
    for cmd in alter_commands(node):
        kind, body = unwrap(cmd.get("def", {}))
        if cmd.get("subtype") == "AT_AddConstraint":
            yield body
        elif cmd.get("subtype") == "AT_AddColumn" and kind == "ColumnDef":
            yield from column_constraints(body)


RULE = Rule(
    id="MG010",
    name="constraint-builds-index",
    summary="UNIQUE, PRIMARY KEY or EXCLUDE added to an existing table without USING INDEX",
    severity="warning",
    kinds=("AlterTableStmt",),
    check=check,
    doc=__doc__ or "",
    subtypes=frozenset({"AT_AddConstraint", "AT_AddColumn"}),
)
