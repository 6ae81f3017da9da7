"""MG009 lock-timeout: a lock-taking statement with no lock_timeout set before it.

A statement waiting for its lock (behind one long query) makes every later query on
the table queue behind it: a short migration becomes an outage. lock_timeout makes it
give up instead; retry the migration later. Reported once per file, at the first
statement that needs it.

Anti-pattern:

    ALTER TABLE users ADD COLUMN plan text;

Fix:

    SET lock_timeout = '5s';
    ALTER TABLE users ADD COLUMN plan text;
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Hit, Node, Rule, Statement
from ..nodes import strings
from ..state import State

_OBJECTS = {"OBJECT_TABLE", "OBJECT_INDEX", "OBJECT_MATVIEW", "OBJECT_VIEW", "OBJECT_SEQUENCE"}


def check(statement: Statement, state: State) -> Iterator[Hit]:
    if state.session.lock_timeout or state.timeout_reported:
        return
    if takes_lock(statement.kind, statement.node, state):
        yield Hit(
            "no lock_timeout is set: waiting for this lock blocks every query queued behind it",
            "SET lock_timeout = '5s'; (or SET LOCAL inside the transaction) before it, "
            "and retry the migration when it times out",
        )


def takes_lock(kind: str, node: Node, state: State) -> bool:
    """True when the statement waits for a lock that blocks the table's queries."""
    if node.get("concurrent"):  # CREATE/DROP INDEX CONCURRENTLY: waits, but blocks nobody
        return False
    if kind == "DropStmt":
        if node.get("removeType") not in _OBJECTS:
            return False
        names = [".".join(strings(obj["List"]["items"])) for obj in node.get("objects", ())]
        return any(n not in state.new_tables and n not in state.new_indexes for n in names)
    if kind == "TruncateStmt":
        return True
    return not state.is_new(node.get("relation"))


RULE = Rule(
    id="MG009",
    name="lock-timeout",
    summary="lock-taking statement without lock_timeout set before it",
    severity="warning",
    kinds=(
        "AlterTableStmt", "IndexStmt", "DropStmt", "TruncateStmt", "RenameStmt",
        "CreateTrigStmt", "ReindexStmt", "ClusterStmt", "LockStmt",
    ),
    check=check,
    doc=__doc__ or "",
)  # fmt: skip
