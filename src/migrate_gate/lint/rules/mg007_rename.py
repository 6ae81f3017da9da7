"""MG007 rename: RENAME of a column, table, view, schema, function or enum value that already
exists.

The code running in production during and after the deploy still uses the old name,
so every query naming it fails until all of it is replaced (a renamed enum value also
breaks every write of the old value).

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

from ..model import Hit, Node, Rule, Statement
from ..nodes import strings, table_name
from ..state import State

_OBJECTS = {"OBJECT_TABLE": "table", "OBJECT_VIEW": "view", "OBJECT_MATVIEW": "materialized view",
            "OBJECT_SCHEMA": "schema", "OBJECT_FUNCTION": "function"}  # fmt: skip
# Types are left out: code names them only in casts, and Prisma's enum swap renames X to X_old
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
    elif node.get("renameType") in _OBJECTS:
        what = _OBJECTS[node["renameType"]]
        old = table if relation else ".".join(_old_name(node))
        yield Hit(
            f"renaming {what} {old} to {node.get('newname')} breaks the code that still "
            "uses the old name",
            _FIX.format(what=what),
        )


def _old_name(node: Node) -> list[str]:
    if node.get("subname"):
        return [node["subname"]]
    obj = node.get("object", {})
    if "List" in obj:
        return strings(obj["List"].get("items"))
    return strings(obj.get("TypeName", {}).get("names"))


def enum_value(statement: Statement, state: State) -> Iterator[Hit]:
    node = statement.node
    if "oldVal" in node:
        name = ".".join(strings(node.get("typeName")))
        yield Hit(
            f"renaming value {node['oldVal']!r} of enum {name} to {node.get('newVal')!r} breaks "
            "the code that still reads or writes the old value",
            _FIX.format(what="enum value"),
        )


def check_any(statement: Statement, state: State) -> Iterator[Hit]:
    if statement.kind == "AlterEnumStmt":
        return enum_value(statement, state)
    return check(statement, state)


RULE = Rule(
    id="MG007",
    name="rename",
    summary="RENAME of an existing column, table, view, schema, function or enum value",
    severity="warning",
    kinds=("RenameStmt", "AlterEnumStmt"),
    check=check_any,
    doc=__doc__ or "",
)
