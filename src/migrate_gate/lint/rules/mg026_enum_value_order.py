"""MG026 enum-value-order: ALTER TYPE ... ADD VALUE without BEFORE or AFTER.

The value goes to the end of the enum, and enums sort in declaration order: ORDER BY and
comparisons on the column change meaning if the new value belongs elsewhere. Severity info:
appending is often what is meant; say so with AFTER.

Anti-pattern:

    ALTER TYPE order_status ADD VALUE 'refunded';

Fix:

    ALTER TYPE order_status ADD VALUE 'refunded' AFTER 'paid';
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Rule, Statement
from ..nodes import strings
from ..state import State


def check(statement: Statement, state: State) -> Iterator[Hit]:
    node = statement.node
    if "oldVal" in node or "newValNeighbor" in node:
        return
    name = ".".join(strings(node.get("typeName")))
    yield Hit(
        f"ADD VALUE {node.get('newVal')!r} appends it to the end of enum {name}, which sets "
        "its sort order",
        "say where it goes: ADD VALUE ... BEFORE 'x' or AFTER 'y'",
    )


RULE = Rule(
    id="MG026",
    name="enum-value-order",
    summary="ALTER TYPE ADD VALUE without BEFORE or AFTER",
    severity="info",
    kinds=("AlterEnumStmt",),
    check=check,
    doc=__doc__ or "",
)
