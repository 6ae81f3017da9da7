"""MG013 prefer-bigint: a key column (primary key, identity, serial, `id` or `*_id`) of
type smallint or integer.

An integer key runs out at 2,147,483,647 (smallint at 32,767); widening it later is a
table rewrite of the table and of every table referencing it, under ACCESS EXCLUSIVE
locks. bigint costs four bytes more per row. A type rule (category `types`, severity info).

Anti-pattern:

    CREATE TABLE orders (id serial PRIMARY KEY, customer_id integer);

Fix:

    CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                         customer_id bigint);
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Node, Statement
from ..nodes import has_contype, strings
from ..state import State
from ._types import rule, typed_columns

_SMALL = {"int2": "smallint", "int4": "integer", "serial": "serial", "serial4": "serial",
          "smallserial": "smallserial", "serial2": "smallserial", "int": "integer",
          "integer": "integer", "smallint": "smallint"}  # fmt: skip
_KEYS = ("CONSTR_PRIMARY", "CONSTR_IDENTITY", "CONSTR_FOREIGN")


def check(statement: Statement, state: State) -> Iterator[Hit]:
    primary = _table_primary_key(statement.node)
    for table, column, definition, kind in typed_columns(statement):
        small = _SMALL.get(kind)
        if small and _is_key(column, definition, kind, primary):
            yield Hit(
                f"key column {table}.{column} is {small}: it runs out of values, and widening "
                "it later rewrites this table and every table referencing it",
                "use bigint (bigint GENERATED ... AS IDENTITY for a generated key)",
            )


def _is_key(column: str, definition: Node, kind: str, primary: set[str]) -> bool:
    return (
        column in primary
        or kind.startswith(("serial", "smallserial"))
        or has_contype(definition, *_KEYS)
        or column == "id"
        or column.endswith("_id")
    )


def _table_primary_key(node: Node) -> set[str]:
    for element in node.get("tableElts", ()):
        constraint = element.get("Constraint", {})
        if constraint.get("contype") == "CONSTR_PRIMARY":
            return set(strings(constraint.get("keys")))
    return set()


RULE = rule(
    __doc__,
    id="MG013",
    name="prefer-bigint",
    summary="key column of type smallint or integer",
    check=check,
)
