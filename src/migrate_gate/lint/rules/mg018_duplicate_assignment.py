"""MG018 duplicate-column-assignment: an UPDATE that assigns the same column twice.

PostgreSQL refuses it ("multiple assignments to same column"), so the migration fails;
usually one of the two was meant for another column.

Anti-pattern:

    UPDATE users SET plan = 'free', plan = 'pro' WHERE id = 1;

Fix:

    UPDATE users SET plan = 'free', tier = 'pro' WHERE id = 1;
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from ..model import Hit, Rule, Statement
from ..state import State


def check(statement: Statement, state: State) -> Iterator[Hit]:
    names = Counter(
        target["ResTarget"].get("name")
        for target in statement.node.get("targetList", ())
        if "ResTarget" in target and not target["ResTarget"].get("indirection")
    )
    for name, count in names.items():
        if count > 1:
            yield Hit(
                f"UPDATE assigns column {name} {count} times: PostgreSQL refuses it",
                "assign each column once",
            )


RULE = Rule(
    id="MG018",
    name="duplicate-column-assignment",
    summary="UPDATE that assigns the same column twice (the migration fails)",
    severity="error",
    kinds=("UpdateStmt",),
    check=check,
    doc=__doc__ or "",
)
