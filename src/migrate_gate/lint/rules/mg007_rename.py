"""MG007 rename: RENAME of a column or table that already exists.

The code running in production during and after the deploy still uses the old name,
so every query naming it fails until all of it is replaced.

Anti-pattern:

    ALTER TABLE users RENAME COLUMN name TO full_name;

Fix (expand and contract, over several deploys):

    ALTER TABLE users ADD COLUMN full_name text;
    -- deploy code that writes both columns; backfill full_name in batches;
    -- deploy code that reads full_name; then, in a later migration:
    ALTER TABLE users DROP COLUMN name;
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Rule, Statement
from ..nodes import table_name
from ..state import State

_FIX = (
    "expand/contract: add the new {what}, write to both, backfill, move readers, "
    "then drop the old one in a later migration (or keep a view under the old name)"
)


def check(statement: Statement, state: State) -> Iterator[Hit]:
    node = statement.node
    relation = node.get("relation")
    if state.is_new(relation):
        return
    table = table_name(relation)
    if node.get("renameType") == "OBJECT_COLUMN":
        yield Hit(
            f"renaming column {table}.{node.get('subname')} to {node.get('newname')} breaks "
            "the code that still uses the old name",
            _FIX.format(what="column"),
        )
    elif node.get("renameType") == "OBJECT_TABLE":
        yield Hit(
            f"renaming table {table} to {node.get('newname')} breaks the code that still "
            "uses the old name",
            _FIX.format(what="table"),
        )


RULE = Rule(
    id="MG007",
    name="rename",
    summary="RENAME of an existing column or table",
    severity="warning",
    kinds=("RenameStmt",),
    check=check,
    doc=__doc__ or "",
)
