"""MG019 uncommitted-transaction: a BEGIN that the migration never commits.

The engine reports it when the session ends (at the end of a file, or of the files that
share one connection, like Alembic's) with a transaction still open: the changes are rolled
back when the connection closes, or the tool's own COMMIT and bookkeeping land inside it.

Anti-pattern:

    BEGIN;
    ALTER TABLE users ADD COLUMN plan text;

Fix:

    BEGIN;
    ALTER TABLE users ADD COLUMN plan text;
    COMMIT;
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Rule, Statement
from ..state import State


def check(statement: Statement, state: State) -> Iterator[Hit]:
    return iter(())  # reported by the engine when the session ends


RULE = Rule(
    id="MG019",
    name="uncommitted-transaction",
    summary="BEGIN without a COMMIT before the migration ends",
    severity="warning",
    kinds=(),
    check=check,
    doc=__doc__ or "",
)
