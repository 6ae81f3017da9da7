"""MG011 unbatched-backfill: an UPDATE of every row of an existing table in one statement.

A backfill (`UPDATE t SET c = ...` of a column added just before) deletes nothing, but it
locks every row it changes until the migration commits, writes a new version of each row
(bloat, WAL, replication lag) and, inside the migration's transaction, keeps the ALTER
TABLE's ACCESS EXCLUSIVE lock held for the whole update. Tables created or emptied earlier
in the file are exempt.

Anti-pattern:

    ALTER TABLE users ADD COLUMN plan text;
    UPDATE users SET plan = 'free';

Fix (backfill in batches, outside the schema migration's transaction):

    ALTER TABLE users ADD COLUMN plan text;
    -- then, repeated until it updates no row:
    UPDATE users SET plan = 'free'
    WHERE id IN (SELECT id FROM users WHERE plan IS NULL LIMIT 10000);
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Rule, Statement
from ..nodes import table_name
from ..state import State


def check(statement: Statement, state: State) -> Iterator[Hit]:
    node = statement.node
    if "whereClause" in node or state.is_empty(node.get("relation")):
        return
    table = table_name(node.get("relation"))
    held = " inside the migration's transaction" if state.in_transaction else ""
    yield Hit(
        f"UPDATE without WHERE rewrites and locks every row of {table} in one statement{held}",
        "backfill in batches (a few thousand rows per statement, each committed), outside "
        "the transaction that changes the schema",
    )


RULE = Rule(
    id="MG011",
    name="unbatched-backfill",
    summary="UPDATE of every row of an existing table in one statement",
    severity="warning",
    kinds=("UpdateStmt",),
    check=check,
    doc=__doc__ or "",
)
