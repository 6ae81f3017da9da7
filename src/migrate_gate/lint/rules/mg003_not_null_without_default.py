"""MG003 not-null-without-default: a column added NOT NULL without a DEFAULT to an
existing table.

Every existing row would hold NULL in the new column, so PostgreSQL refuses the
statement as soon as the table has a row: the deploy fails in production although it
passed on an empty development database.

Anti-pattern:

    ALTER TABLE users ADD COLUMN plan text NOT NULL;

Fix (a constant default is instant since PostgreSQL 11):

    ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Rule, Statement
from ..nodes import alter_commands, has_contype, table_name, type_names, unwrap
from ..state import State

SERIAL_TYPES = {"smallserial", "serial", "bigserial", "serial2", "serial4", "serial8"}
_NOT_NULL = ("CONSTR_NOTNULL", "CONSTR_PRIMARY")
_FILLED = ("CONSTR_DEFAULT", "CONSTR_IDENTITY", "CONSTR_GENERATED")


def check(statement: Statement, state: State) -> Iterator[Hit]:
    if state.is_empty(statement.node.get("relation")):  # created, truncated or emptied here
        return
    for cmd in alter_commands(statement.node):
        if cmd.get("subtype") != "AT_AddColumn":
            continue
        _, column = unwrap(cmd.get("def", {}))
        filled = has_contype(column, *_FILLED) or bool(SERIAL_TYPES & set(type_names(column)))
        if has_contype(column, *_NOT_NULL) and not filled:
            name = column.get("colname", "?")
            table = table_name(statement.node.get("relation"))
            yield Hit(
                f"column {table}.{name} is added NOT NULL without a DEFAULT: "
                "this fails on a table that has rows",
                f"add a DEFAULT, or add {name} nullable, backfill it in batches, then "
                "enforce NOT NULL (CHECK ... NOT VALID, VALIDATE, SET NOT NULL)",
            )


RULE = Rule(
    id="MG003",
    name="not-null-without-default",
    summary="column added NOT NULL without a default to an existing table",
    severity="error",
    kinds=("AlterTableStmt",),
    check=check,
    doc=__doc__ or "",
    subtypes=frozenset({"AT_AddColumn"}),
)
